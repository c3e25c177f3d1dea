package io.github.multiprocessing4j.internal.wire;

/**
 * The peer closed the connection during the handshake: it went away (a child killed as it started, a spare thrown
 * away at close) rather than sent something wrong. A {@link ProtocolException} still, for whoever catches those.
 *
 * <pre>{@code
 * try {
 *     Handshake.serve(connection, key);
 * } catch (PeerClosedException e) {
 *     // gone before it proved anything: nothing to warn of
 * }
 * }</pre>
 */
public final class PeerClosedException extends ProtocolException {
    public PeerClosedException(String message) {
        super(message);
    }
}

package io.github.multiprocessing4j.internal.wire;

/**
 * The peer did not prove that it knows the session key (or did not ask us to prove it). Raised before
 * anything from the peer is deserialized.
 */
public final class AuthenticationException extends ProtocolException {
    public AuthenticationException(String message) {
        super(message);
    }
}

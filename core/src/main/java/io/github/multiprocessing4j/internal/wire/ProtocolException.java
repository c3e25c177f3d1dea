package io.github.multiprocessing4j.internal.wire;

import java.io.IOException;

/**
 * The peer broke the protocol: an unknown or unexpected frame type, a length out of range, a malformed
 * payload. The connection is closed; nothing else is affected.
 */
public class ProtocolException extends IOException {
    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}

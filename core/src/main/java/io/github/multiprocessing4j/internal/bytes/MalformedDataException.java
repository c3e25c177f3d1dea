package io.github.multiprocessing4j.internal.bytes;

/**
 * Bytes from another process do not have the expected shape: truncated, an unknown tag, a length out of
 * range. The connection that carried them is closed; the process is not affected.
 */
public final class MalformedDataException extends RuntimeException {
    public MalformedDataException(String message) {
        super(message);
    }
}

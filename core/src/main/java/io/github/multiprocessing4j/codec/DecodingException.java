package io.github.multiprocessing4j.codec;

import java.io.Serial;

/**
 * Bytes received from another JVM cannot be turned back into a value: they are malformed, name a class
 * missing from this JVM's class path, or name a class that the deserialization filter refuses.
 *
 * {@snippet :
 * try {
 *     Object value = Codec.standard().decode(bytes);
 * } catch (DecodingException e) {
 *     System.err.println(e.getMessage());   // e.g. "malformed value: unknown value tag -18"
 * }
 * }
 */
public class DecodingException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public DecodingException(String message, Throwable cause) {
        super(message, cause);
    }
}

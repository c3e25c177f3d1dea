package io.github.multiprocessing4j.codec;

import java.io.Serial;

/**
 * A value cannot be encoded to travel to another JVM, most often because it, or something it captures
 * or references, does not implement {@link java.io.Serializable}, or because a class of it was defined by a
 * class loader of its own (a plugin's), so the child JVM it is bound for, which has this JVM's class path,
 * could not load it. The message names the offending class and, when it can be found, the path to it from
 * the value that was handed over.
 *
 * <p>It is an {@link IllegalArgumentException}: the caller passed something that cannot travel, and it is
 * thrown in the caller's thread, at the moment the value is handed over. A task's result that cannot travel
 * back is found only in the worker, once the task has run: that task fails with this exception as the cause (of
 * the {@link java.util.concurrent.ExecutionException} that {@code get()} throws, say), and its message says that
 * the result could not be sent.
 *
 * {@snippet :
 * try {
 *     pool.apply(x -> x * scale, 3);      // scale is a field: the lambda captures this
 * } catch (EncodingException e) {
 *     e.offendingClass();                  // "com.acme.Report", the class of this, which is not Serializable
 *     e.getMessage();                      // names the path to it and the ways out
 * }
 * }
 */
public class EncodingException extends IllegalArgumentException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String offendingClass;

    public EncodingException(String message, String offendingClass, Throwable cause) {
        super(message, cause);
        this.offendingClass = offendingClass;
    }

    /** The binary name of the class that could not be encoded, or {@code null} if unknown. */
    public String offendingClass() {
        return offendingClass;
    }
}

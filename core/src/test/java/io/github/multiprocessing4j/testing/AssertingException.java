package io.github.multiprocessing4j.testing;

import java.io.Serial;

/**
 * An exception whose every method used to print it fails with an {@link AssertionError}, not an exception:
 * {@code getMessage()}, {@code toString()}, {@code getStackTrace()} and {@code getCause()}, as an {@code assert} in
 * them (or a class they use that fails to link) would. See {@link UnprintableException} for the same with
 * exceptions.
 */
public final class AssertingException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public String getMessage() {
        throw new AssertionError("getMessage() is broken");
    }

    @Override
    public String toString() {
        throw new AssertionError("toString() is broken");
    }

    @Override
    public StackTraceElement[] getStackTrace() {
        throw new AssertionError("getStackTrace() is broken");
    }

    @Override
    public synchronized Throwable getCause() {
        throw new AssertionError("getCause() is broken");
    }
}

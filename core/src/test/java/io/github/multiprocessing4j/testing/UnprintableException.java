package io.github.multiprocessing4j.testing;

import java.io.Serial;

/**
 * An exception that breaks every method used to print it: {@code getMessage()}, {@code toString()},
 * {@code getStackTrace()} and {@code getCause()} all throw. Thrown by tasks in child JVMs to check that its
 * failure still reaches the parent.
 */
public final class UnprintableException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public String getMessage() {
        throw new IllegalStateException("getMessage() is broken");
    }

    @Override
    public String toString() {
        throw new IllegalStateException("toString() is broken");
    }

    @Override
    public StackTraceElement[] getStackTrace() {
        throw new IllegalStateException("getStackTrace() is broken");
    }

    @Override
    public synchronized Throwable getCause() {
        throw new IllegalStateException("getCause() is broken");
    }
}

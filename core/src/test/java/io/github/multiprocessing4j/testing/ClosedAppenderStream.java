package io.github.multiprocessing4j.testing;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * A {@code PrintStream} whose every write throws {@code IllegalStateException("appender closed")}, as a logging
 * framework's stream set as {@code System.out} may once its appender is closed: a target that a child's output
 * cannot be copied to.
 *
 * <pre>{@code
 * System.setOut(ClosedAppenderStream.create());
 * }</pre>
 */
public final class ClosedAppenderStream extends PrintStream {
    private ClosedAppenderStream() {
        super(OutputStream.nullOutputStream());
    }

    /** A new stream, which is equal to no other. */
    public static PrintStream create() {
        return new ClosedAppenderStream();
    }

    @Override
    public void write(byte[] buf, int off, int len) {
        throw new IllegalStateException("appender closed");
    }

    @Override
    public void write(int b) {
        throw new IllegalStateException("appender closed");
    }
}

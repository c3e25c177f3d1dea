package io.github.multiprocessing4j.subprocess;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The command's stdin as {@link Subprocess#stdin()} hands it out: the JDK's pipe stream, which also
 * remembers that the caller closed it, so that a later {@code communicate(input)} fails instead of losing
 * its input.
 *
 * <p>Once it is closed, by the caller, by {@code communicate} (which closes stdin after its input) or by
 * {@link Subprocess#close()}, a write throws: the JDK's stream would keep a small write in its buffer and
 * drop it without an error, where Python raises {@code ValueError: write to closed file}.
 */
final class CallerStdin extends FilterOutputStream {
    private final String name;
    private volatile boolean closed;
    /** Why writes are refused, or null while they are taken. */
    private volatile String shutBy;

    CallerStdin(OutputStream pipe, String name) {
        super(pipe);
        this.name = name;
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        out.write(b, off, len); // FilterOutputStream would write byte by byte
    }

    private void ensureOpen() throws IOException {
        String why = shutBy;
        if (why != null) {
            throw new IOException("cannot write to the " + name + ": " + why);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        shut("it was closed through stdin()");
        out.close();
    }

    /** Refuses further writes, saying {@code why}: someone else closes the pipe. Keeps the first reason. */
    void shut(String why) {
        if (shutBy == null) {
            shutBy = why;
        }
    }

    /** Whether the caller closed it. */
    boolean closed() {
        return closed;
    }
}

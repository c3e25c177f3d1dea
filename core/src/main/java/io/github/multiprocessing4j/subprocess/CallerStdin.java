package io.github.multiprocessing4j.subprocess;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The command's stdin as {@link Subprocess#stdin()} hands it out: the JDK's pipe stream, which also
 * remembers that the caller closed it, so that a later {@code communicate(input)} fails instead of losing
 * its input.
 */
final class CallerStdin extends FilterOutputStream {
    private volatile boolean closed;

    CallerStdin(OutputStream pipe) {
        super(pipe);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len); // FilterOutputStream would write byte by byte
    }

    @Override
    public void close() throws IOException {
        closed = true;
        out.close();
    }

    boolean closed() {
        return closed;
    }
}

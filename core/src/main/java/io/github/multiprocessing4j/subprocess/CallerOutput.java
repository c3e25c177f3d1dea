package io.github.multiprocessing4j.subprocess;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A pipe from the command as {@link Subprocess#stdout()} and {@link Subprocess#stderr()} hand it out: the
 * JDK's pipe stream, which also remembers that the caller closed it, so that a later {@code communicate}
 * reads it as empty, as Python's does, instead of failing on a closed stream.
 */
final class CallerOutput extends FilterInputStream {
    private volatile boolean closed;

    CallerOutput(InputStream pipe) {
        super(pipe);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        in.close();
    }

    boolean closed() {
        return closed;
    }
}

package io.github.multiprocessing4j.subprocess;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One of a command's output pipes as {@link Subprocess#stdout()} hands it out: a pipe thread reads the JDK's
 * stream to its real end and passes the bytes on, and the caller reads them from {@link #stream()}.
 *
 * <p>Why not the JDK's stream itself: once the command has exited, the JDK's reaper closes the pipe at the
 * first moment no read is under way, between two reads of the caller, and what the command's background
 * processes write after that is lost (they get SIGPIPE). The pipe thread here holds the stream the whole
 * time ({@link PipeThreads#startHolding}), as {@link OutputCollector}'s does, so the pipe ends only when
 * every writer has closed it, as in Python. At most {@value #CAPACITY} chunks of up to 64 KiB wait for the caller; beyond that the pipe
 * thread waits, and the command with it, as it would with nobody reading.
 *
 * <p>Thread-safety: one pipe thread writes; reads are synchronized, and {@code close()} may come from any
 * thread.
 */
final class PipeRelay {
    private static final int CHUNK = 64 * 1024;
    private static final int CAPACITY = 16;
    private static final byte[] END = new byte[0];
    /** How often a pipe thread waiting for room checks that the reader is still there. */
    private static final long OFFER_MILLIS = 100;

    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(CAPACITY);
    private final RelayedStream stream = new RelayedStream();
    /** Why reading the pipe stopped before its end, or null; written before END is queued. */
    private volatile IOException failure;
    /** Set when the caller closes the stream: the pipe thread drops what it reads and stops. */
    private volatile boolean closed;

    private PipeRelay() {
    }

    /**
     * Starts relaying {@code source} on a {@linkplain PipeThreads pipe thread}, which holds the stream to its
     * real end ({@link PipeThreads#startHolding}); returns once it does, and from then on nothing the
     * command's processes write is lost.
     */
    static PipeRelay start(InputStream source) {
        PipeRelay relay = new PipeRelay();
        PipeThreads.startHolding(source, () -> relay.pump(source));
        return relay;
    }

    InputStream stream() {
        return stream;
    }

    private void pump(InputStream source) {
        try (source) {
            byte[] buffer = new byte[CHUNK];
            int n;
            while (!closed && (n = source.read(buffer)) >= 0) {
                put(Arrays.copyOf(buffer, n));
            }
        } catch (IOException e) {
            failure = e;
        } finally {
            put(END);
        }
    }

    private void put(byte[] chunk) {
        try {
            while (!closed && !chunks.offer(chunk, OFFER_MILLIS, TimeUnit.MILLISECONDS)) {
                // the reader is slow: wait on, unless it closed the stream
            }
        } catch (InterruptedException e) {
            closed = true; // pipe threads are interrupted only when the JVM stops them
        }
    }

    private final class RelayedStream extends InputStream {
        private byte[] current = END;
        private int at;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new IOException("Stream closed");
            }
            if (len == 0) {
                return 0;
            }
            while (at == current.length) {
                if (ended) {
                    return -1;
                }
                byte[] next;
                try {
                    next = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the command's output");
                }
                if (next == END) {
                    ended = true;
                    IOException e = failure;
                    if (e != null) {
                        throw new IOException("reading the pipe failed: " + e.getMessage(), e);
                    }
                    return -1;
                }
                current = next;
                at = 0;
            }
            int n = Math.min(len, current.length - at);
            System.arraycopy(current, at, b, off, n);
            at += n;
            return n;
        }

        @Override
        public synchronized int available() {
            return current.length - at;
        }

        @Override
        public void close() {
            closed = true;
            chunks.clear(); // a pipe thread waiting for room sees the close at once
        }
    }
}

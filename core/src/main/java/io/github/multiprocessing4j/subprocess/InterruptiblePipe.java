package io.github.multiprocessing4j.subprocess;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A command's stdout or stderr pipe whose reads a virtual thread can give up when it is interrupted: a
 * cancelled coroutine blocked in {@code stdout().read()} or in {@code stdoutLines()} ends at once instead of
 * when the command next writes or exits. The JDK's read of a pipe is a native call that no interrupt ends,
 * so a virtual thread's read runs on a {@link PipeThreads pipe thread}, up to a pipe's worth (64 KiB) at a
 * time, and the reader waits for it where an interrupt reaches it: it then throws an
 * {@link InterruptedIOException}, with its interrupt status set. The read goes on without it; what it brings
 * is kept for the next read, so no byte is lost.
 *
 * <p>A platform thread reads the pipe itself, as before (no hand-off, no thread, no interrupt), unless a read
 * handed off earlier is still under way or has left bytes: those come first. Like any {@code InputStream}, for
 * one reader at a time.
 */
final class InterruptiblePipe extends InputStream {
    private static final int CHUNK = 64 * 1024;

    private final InputStream pipe;
    private final String what;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    /** Bytes a pipe thread read that no caller has taken yet: {@code pending[from..to)}, or null; guarded by lock. */
    private byte[] pending;
    private int from;
    private int to;
    /** Guarded by lock. */
    private boolean handedOff;
    private boolean ended;
    private IOException failure;

    /** @param what the stream, for the message of an interrupted read ("stdout of [sleep, 60]") */
    InterruptiblePipe(InputStream pipe, String what) {
        this.pipe = pipe;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            if (Thread.currentThread().isVirtual() || handedOff || pending != null || ended || failure != null) {
                return readHandedOff(b, off, len);
            }
        } finally {
            lock.unlock();
        }
        return pipe.read(b, off, len);
    }

    /** Called with the lock held. */
    private int readHandedOff(byte[] b, int off, int len) throws IOException {
        while (true) {
            if (pending != null) {
                int n = Math.min(len, to - from);
                System.arraycopy(pending, from, b, off, n);
                from += n;
                if (from == to) {
                    pending = null;
                }
                return n;
            }
            if (failure != null) {
                throw new IOException(failure.getMessage(), failure);
            }
            if (ended) {
                return -1;
            }
            if (!handedOff) {
                handedOff = true;
                PipeThreads.start(this::readAhead);
            }
            if (!Thread.currentThread().isVirtual()) {
                arrived.awaitUninterruptibly(); // a platform thread's read of a pipe never was interruptible
                continue;
            }
            try {
                arrived.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading " + what
                        + " (what the command writes next is kept for the next read)");
            }
        }
    }

    /** On a pipe thread: one read of the pipe, for the caller that waits, or the next. */
    private void readAhead() {
        byte[] chunk = new byte[CHUNK];
        int n;
        IOException failed = null;
        try {
            n = pipe.read(chunk, 0, CHUNK);
        } catch (IOException e) {
            n = 0;
            failed = e;
        }
        lock.lock();
        try {
            handedOff = false;
            if (failed != null) {
                failure = failed;
            } else if (n < 0) {
                ended = true;
            } else if (n > 0) {
                pending = chunk;
                from = 0;
                to = n;
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int available() throws IOException {
        lock.lock();
        try {
            if (pending != null) {
                return to - from;
            }
            if (handedOff || ended || failure != null) {
                return 0;
            }
        } finally {
            lock.unlock();
        }
        return pipe.available();
    }

    @Override
    public void close() throws IOException {
        pipe.close(); // a pipe thread in a read then returns, or fails, and wakes the reader
    }
}

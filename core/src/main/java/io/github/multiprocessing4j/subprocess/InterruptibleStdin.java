package io.github.multiprocessing4j.subprocess;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A command's stdin pipe whose writes a virtual thread can give up when it is interrupted: a cancelled
 * coroutine blocked in {@code stdin().write(...)} to a command that does not read (its pipe is full) ends at
 * once instead of when the command reads or exits. The JDK's write to a pipe is a native call that no interrupt
 * ends, so a virtual thread's write (and flush, and close) runs on a {@link PipeThreads pipe thread}, up to a
 * pipe's worth (64 KiB, copied) at a time, and the writer waits for it where an interrupt reaches it: it then
 * throws an {@link InterruptedIOException}, with its interrupt status set, whose
 * {@link InterruptedIOException#bytesTransferred bytesTransferred} counts the bytes of its write that were handed
 * to the pipe thread. Those are still written, in order, before anything written later; the rest were not sent.
 * A thread interrupted before its write sends nothing.
 *
 * <p>A platform thread writes the pipe itself, as before, once a write handed off earlier is over. What a write
 * that its writer gave up fails with (the command exited: a broken pipe) is thrown by the next write, flush or
 * close. Like any {@code OutputStream}, for one writer at a time.
 */
final class InterruptibleStdin extends OutputStream {
    private static final int CHUNK = 64 * 1024;

    private final OutputStream pipe;
    private final String what;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    /** Guarded by lock: a pipe thread is writing, flushing or closing for a writer. */
    private boolean busy;
    /** Guarded by lock: what the last handed-off operation failed with, not yet thrown to a writer. */
    private IOException failure;

    /** An operation on the pipe, run on a pipe thread. */
    private interface PipeOperation {
        void run() throws IOException;
    }

    /** @param what the stream, for the message of an interrupted write ("stdin of command [cat]") */
    InterruptibleStdin(OutputStream pipe, String what) {
        this.pipe = pipe;
        this.what = what;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return;
        }
        if (!Thread.currentThread().isVirtual()) {
            awaitIdleUninterruptibly();
            pipe.write(b, off, len);
            return;
        }
        for (int sent = 0; sent < len; ) {
            int n = Math.min(CHUNK, len - sent);
            byte[] chunk = Arrays.copyOfRange(b, off + sent, off + sent + n); // the caller may reuse b once we throw
            handOff(() -> pipe.write(chunk), sent, n);
            sent += n;
        }
    }

    @Override
    public void flush() throws IOException {
        if (!Thread.currentThread().isVirtual()) {
            awaitIdleUninterruptibly();
            pipe.flush();
            return;
        }
        handOff(pipe::flush, 0, -1);
    }

    @Override
    public void close() throws IOException {
        if (!Thread.currentThread().isVirtual()) {
            try {
                awaitIdleUninterruptibly();
            } finally {
                pipe.close(); // even after an earlier write failed
            }
            return;
        }
        handOff(pipe::close, 0, -1);
    }

    /** A platform thread's wait for a handed-off operation: its own writes never were interruptible. */
    private void awaitIdleUninterruptibly() throws IOException {
        lock.lock();
        try {
            while (busy) {
                idle.awaitUninterruptibly();
            }
            throwFailure();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code operation} on a pipe thread and waits for it where an interrupt ends the wait. For a write,
     * {@code n} bytes that follow {@code sent} bytes of the same write; for a flush or a close, {@code n} is -1.
     */
    private void handOff(PipeOperation operation, int sent, int n) throws IOException {
        lock.lock();
        try {
            while (busy) { // a write given up earlier is still under way: its bytes go first
                awaitOrGiveUp(sent, n, false);
            }
            IOException earlier = takeFailure();
            if (earlier != null && n >= 0) {
                throw earlier;
            }
            try {
                if (Thread.currentThread().isInterrupted()) {
                    throw interrupted(sent, n, false);
                }
                busy = true; // a flush or close runs even after an earlier write failed, then throws that failure
                PipeThreads.start(() -> perform(operation));
                while (busy) {
                    awaitOrGiveUp(sent, n, true);
                }
            } catch (InterruptedIOException e) {
                if (earlier != null) {
                    e.addSuppressed(earlier);
                }
                throw e;
            }
            IOException own = takeFailure();
            if (earlier != null) {
                if (own != null) {
                    earlier.addSuppressed(own);
                }
                throw earlier;
            }
            if (own != null) {
                throw own;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Called with the lock held: waits for the pipe thread, or throws if interrupted meanwhile. */
    private void awaitOrGiveUp(int sent, int n, boolean handedOff) throws InterruptedIOException {
        try {
            idle.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(sent, n, handedOff);
        }
    }

    private InterruptedIOException interrupted(int sent, int n, boolean handedOff) {
        String why;
        int handedOver = sent;
        if (n < 0) {
            why = handedOff ? "it goes on in the background" : "it was not done";
        } else {
            handedOver = handedOff ? sent + n : sent;
            why = handedOver == 0 ? "nothing of this write was sent"
                    : "the first " + handedOver + " bytes of this write are written before any later write, the rest"
                    + " were not sent";
        }
        InterruptedIOException e = new InterruptedIOException("interrupted while "
                + (n < 0 ? "flushing or closing " : "writing to ") + what + ": " + why);
        e.bytesTransferred = handedOver;
        return e;
    }

    /** Called with the lock held: throws, once, what a handed-off operation failed with. */
    private void throwFailure() throws IOException {
        IOException f = takeFailure();
        if (f != null) {
            throw f;
        }
    }

    /**
     * Called with the lock held: what a handed-off operation failed with, once, as an exception thrown here (its
     * cause is the pipe thread's); null if none failed.
     */
    private IOException takeFailure() {
        IOException f = failure;
        failure = null;
        return f == null ? null : new IOException(f.getMessage(), f);
    }

    /** On a pipe thread. */
    private void perform(PipeOperation operation) {
        IOException failed = null;
        try {
            operation.run();
        } catch (IOException e) {
            failed = e;
        } catch (Throwable t) { // an Error too: the writer must not wait for a pipe thread that will never say
            failed = new IOException("writing to " + what + " failed: " + t, t);
        }
        lock.lock();
        try {
            busy = false;
            if (failed != null) {
                failure = failed;
            }
            idle.signalAll();
        } finally {
            lock.unlock();
        }
    }
}

package io.github.multiprocessing4j.subprocess;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A command's stdin pipe whose writes a virtual thread can give up when it is interrupted: a cancelled
 * coroutine blocked in {@code stdin().write(...)} to a command that does not read (its pipe is full) ends at
 * once instead of when the command reads or exits. The JDK's write to a pipe is a native call that no interrupt
 * ends, so a virtual thread's writes to the pipe run on a {@link PipeThreads pipe thread}, and the writer waits
 * for it where an interrupt reaches it.
 *
 * <p>Small writes stay cheap: they go to a buffer of ours ({@value #BUFFER_SIZE} bytes), filled under a lock by
 * the caller; only a full buffer, a write that leaves {@value #SEND_AT} bytes or more in it, {@code flush()} and
 * {@code close()} reach the pipe, one operation at a time, each a write of what is buffered, a flush and, for a
 * close, a close. So, as through {@code Process.getOutputStream()}, whose buffer holds 8 KiB, less than 8 KiB
 * waits for a flush once a write returns: a caller that writes a request of 8 KiB or more and waits for the
 * answer without a flush gets it. (Handing a virtual thread's every write to a pipe thread made 100k
 * single-byte writes ~50x slower.)
 *
 * <p>A virtual thread interrupted while it waits for an operation on the pipe throws an
 * {@link InterruptedIOException}, with its interrupt status set, whose
 * {@link InterruptedIOException#bytesTransferred bytesTransferred} counts the bytes of its write that this
 * stream took: they are written, in order, before anything written later; the rest were not sent. A virtual
 * thread interrupted before its call sends nothing. An interrupted close still closes: the operation that
 * writes what is buffered and closes the pipe goes on without the caller, so the command sees the end of its
 * input once it has read what came before.
 *
 * <p>A platform thread runs the operation itself, as the JDK's stream does (no hand-off, not interruptible),
 * once an operation under way is over, and gets what its own operation throws as the JDK's stream throws it.
 * Whatever a pipe thread's operation fails with (a broken pipe once the command exited; any {@link Throwable})
 * ends it; the caller that waits for it, or else the next call, gets it as an {@link IOException}. Like any
 * {@code OutputStream}, for one writer at a time; {@link Subprocess#communicate} and {@link Subprocess#close()}
 * write and close through it, after what the writer wrote.
 */
final class InterruptibleStdin extends OutputStream {
    static final int BUFFER_SIZE = 64 * 1024;
    /** What a write leaves buffered at most, less one byte: the size of the JDK's buffer under this stream. */
    static final int SEND_AT = 8 * 1024;
    /** In place of a write's bytes taken, for the calls below: the call is a flush, or a close. */
    private static final int FLUSH = -1;
    private static final int CLOSE = -2;

    private final OutputStream pipe;
    private final String what;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    /** Guarded by lock: what was written and not yet handed to an operation, {@code buffer[0..count)}. */
    private byte[] buffer;
    private int count;
    /** Guarded by lock: an operation on the pipe is under way (it owns the bytes it writes). */
    private boolean busy;
    /** Guarded by lock: operations started and ended, so that a waiter knows when its own is over. */
    private long started;
    private long ended;
    /** Guarded by lock: what an operation failed with that nobody was told of yet, and that operation's number. */
    private Throwable failure;
    private long failedOp;
    /** Guarded by lock: close() was called (writes are refused); the pipe is closed once that is done. */
    private boolean closeAsked;
    private boolean pipeClosed;
    /** Guarded by lock: {@link #release()} was called; nobody waits for the close any more. */
    private boolean released;

    /** @param what the stream, for messages ("stdin of command [cat]") */
    InterruptibleStdin(OutputStream pipe, String what) {
        this.pipe = pipe;
        this.what = what;
    }

    @Override
    public void write(int b) throws IOException {
        lock.lock();
        try {
            if (buffer == null || count == buffer.length || busy || failure != null || closeAsked
                    || Thread.currentThread().isVirtual() && Thread.currentThread().isInterrupted()) {
                makeRoom(0);
            }
            buffer[count++] = (byte) b;
            if (count >= SEND_AT) {
                operate(buffer, 0, count, false, 1);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return;
        }
        boolean platform = !Thread.currentThread().isVirtual();
        lock.lock();
        try {
            for (int taken = 0; taken < len; ) {
                makeRoom(taken);
                if (platform && count == 0 && len - taken >= SEND_AT) {
                    operate(b, off + taken, len - taken, false, taken); // as the JDK's stream: no copy
                    return;
                }
                int n = Math.min(len - taken, buffer.length - count);
                System.arraycopy(b, off + taken, buffer, count, n);
                count += n;
                taken += n;
            }
            if (count >= SEND_AT) { // no operation under way, none failed: the last makeRoom saw to it
                operate(buffer, 0, count, false, len);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called with the lock held: returns once the buffer has room, writing it out if it is full; throws if this
     * stream is closed, an earlier operation failed, or a virtual thread is interrupted.
     *
     * @param taken the bytes of the current write already in the buffer, for an interrupt's message
     */
    private void makeRoom(int taken) throws IOException {
        while (true) {
            checkInterrupt(taken);
            if (closeAsked) {
                throw new IOException("cannot write to the " + what + ": it is closed");
            }
            awaitIdle(taken);
            if (closeAsked) {
                continue; // closed while this waited: refused above, not buffered for a pipe that is closed
            }
            throwFailure();
            if (buffer == null) {
                buffer = new byte[BUFFER_SIZE];
            }
            if (count < buffer.length) {
                return;
            }
            operate(buffer, 0, count, false, taken);
        }
    }

    @Override
    public void flush() throws IOException {
        lock.lock();
        try {
            if (closeAsked) {
                return; // as the JDK's stream, a flush after close does nothing
            }
            checkInterrupt(FLUSH);
            awaitIdle(FLUSH);
            if (closeAsked) {
                return; // closed while this waited: as a flush after close
            }
            throwFailure();
            if (count > 0) {
                operate(buffer, 0, count, false, FLUSH);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (!closeAsked) {
                closeAsked = true;
                if (!busy) { // else the operation under way starts the close as it ends
                    if (Thread.currentThread().isVirtual() && Thread.currentThread().isInterrupted()) {
                        start(buffer, 0, count, true); // it goes on without this thread
                    } else {
                        operate(buffer, 0, count, true, CLOSE);
                    }
                }
            }
            while (!pipeClosed && !released) {
                await(CLOSE);
            }
            if (!released) { // else Subprocess.close() released the command: the closer is not told, as before it
                throwFailure(); // (left for a writer whose own operation failed and who has not woken yet)
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * For {@link Subprocess#close()}, once the command is killed: refuses further writes and closes the pipe,
     * after the operation under way if any, on a pipe thread, without waiting for it; a later {@link #close()}
     * does not wait either, nor reports what the operations failed with (a broken pipe, the command being
     * dead); a write or flush that waits for its own operation throws, as it is not done. A process that
     * escaped the kill may hold the pipe open without reading, so that a write given up, or the write of what
     * is buffered, never ends; a close that waited for it would too.
     */
    void release() {
        lock.lock();
        try {
            released = true; // failure stays: a writer whose operation failed may not have woken yet
            if (!closeAsked) {
                closeAsked = true;
                if (!busy) { // else the operation under way starts the close as it ends
                    start(buffer, 0, count, true);
                }
            }
        } catch (IOException e) {
            // no pipe thread: start() closed the pipe itself, and what was buffered is lost with the command
        } finally {
            idle.signalAll(); // a close() that waits for the pipe waits no more
            lock.unlock();
        }
    }

    /**
     * Called with the lock held and no operation under way: writes {@code b[off..off+len)}, flushes, and closes
     * the pipe if {@code close}; on a platform thread itself, on a virtual thread through a pipe thread.
     *
     * @param taken for an interrupt's message: the bytes of the current write this stream took; FLUSH in a
     *              flush, CLOSE in a close
     */
    private void operate(byte[] b, int off, int len, boolean close, int taken) throws IOException {
        if (Thread.currentThread().isVirtual()) {
            long mine = start(b, off, len, close);
            while (ended < mine && !released) {
                await(taken);
            }
            // after release(), a close returns at once; a write or flush is not done
            if (ended < mine && taken != CLOSE) {
                throw new IOException("cannot " + (taken == FLUSH ? "flush" : "write to") + " the " + what
                        + ": Subprocess.close() released it while this call waited for the pipe; what the call handed"
                        + " over may never reach the command");
            }
            if (failure != null && failedOp > mine) {
                return; // a later operation's (the close its end started): for whoever waits for that one
            }
            throwFailure();
            return;
        }
        busy = true;
        started++;
        if (b == buffer) {
            count = 0;
        }
        Throwable failed = null;
        lock.unlock();
        try {
            write(b, off, len, close);
        } catch (Throwable t) {
            failed = t;
        } finally {
            lock.lock();
            end(close, null);
        }
        switch (failed) { // on the caller's own thread, as the JDK's stream throws it
            case null -> { }
            case IOException e -> throw e;
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new IOException("writing to " + what + " failed: " + failed, failed);
        }
    }

    /** Called with the lock held and no operation under way: starts one on a pipe thread; returns its number. */
    private long start(byte[] b, int off, int len, boolean close) throws IOException {
        busy = true;
        long number = ++started;
        if (b == buffer) {
            count = 0; // the buffer is the operation's until it ends: nobody writes to it while busy
        }
        try {
            PipeThreads.start(() -> {
                Throwable failed = null;
                try {
                    write(b, off, len, close);
                } catch (Throwable t) {
                    failed = t;
                }
                lock.lock();
                try {
                    end(close, failed);
                } finally {
                    lock.unlock();
                }
            });
        } catch (Throwable t) { // no thread to be had: the operation ends before it began
            busy = false;
            ended++;
            if (close) {
                pipeClosed = true;
                try {
                    pipe.close(); // what was buffered is lost, as this exception says, but the command sees the end
                } catch (IOException e) {
                    t.addSuppressed(e);
                }
            }
            idle.signalAll();
            throw new IOException("cannot write to " + what + ": no pipe thread to write with: " + t, t);
        }
        return number;
    }

    /** On the thread of the operation, without the lock. */
    private void write(byte[] b, int off, int len, boolean close) throws IOException {
        if (!close) {
            pipe.write(b, off, len);
            pipe.flush();
            return;
        }
        try {
            if (len > 0) {
                pipe.write(b, off, len);
            }
            pipe.flush();
        } finally {
            pipe.close(); // even after the write failed: the command must see the end of its input
        }
    }

    /** Called with the lock held as an operation ends; starts the close asked for meanwhile, if any. */
    private void end(boolean close, Throwable failed) {
        busy = false;
        ended++;
        if (close) {
            pipeClosed = true;
        }
        if (failed != null) {
            if (failure == null) {
                failure = failed;
                failedOp = ended;
            } else if (failure != failed) {
                failure.addSuppressed(failed);
            }
        }
        if (closeAsked && !pipeClosed) {
            try {
                start(buffer, 0, count, true);
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                    failedOp = ended;
                }
            }
        }
        idle.signalAll();
    }

    /**
     * Called with the lock held: waits until no operation is under way, or until {@link #release()}: the pipe's
     * reader may then be a process that escaped the kill and never reads, and the caller finds the stream closed.
     */
    private void awaitIdle(int taken) throws InterruptedIOException {
        while (busy && !released) {
            await(taken);
        }
    }

    /**
     * Called with the lock held: one wait for an operation to end; a virtual thread's ends with an
     * {@link InterruptedIOException} if interrupted, a platform thread's is not interruptible, as its write.
     */
    private void await(int taken) throws InterruptedIOException {
        if (!Thread.currentThread().isVirtual()) {
            idle.awaitUninterruptibly();
            return;
        }
        try {
            idle.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(taken);
        }
    }

    private void checkInterrupt(int taken) throws InterruptedIOException {
        if (Thread.currentThread().isVirtual() && Thread.currentThread().isInterrupted()) {
            throw interrupted(taken);
        }
    }

    /** @param taken the bytes of the current write this stream took, or FLUSH, or CLOSE */
    private InterruptedIOException interrupted(int taken) {
        String doing = taken == CLOSE ? "closing" : taken == FLUSH ? "flushing" : "writing to";
        String why;
        if (taken == CLOSE) {
            why = "it is closed in the background, once what was written before has reached the command";
        } else if (taken == FLUSH && count > 0) { // this flush's own operation has not started
            why = "the " + count + " bytes buffered were not sent; they go with the next flush or close";
        } else if (taken == FLUSH) {
            why = "what was written goes on to the command in the background";
        } else if (taken == 0) {
            why = "nothing of this write was sent";
        } else {
            why = "the first " + taken + " bytes of this write are written before any later write, the rest were"
                    + " not sent";
        }
        InterruptedIOException e = new InterruptedIOException("interrupted while " + doing + " " + what + ": " + why);
        e.bytesTransferred = Math.max(taken, 0);
        return e;
    }

    /** Called with the lock held: throws, once, what an operation failed with. */
    private void throwFailure() throws IOException {
        Throwable f = failure;
        if (f != null) {
            failure = null;
            throw new IOException("writing to " + what + " failed: " + f, f);
        }
    }
}

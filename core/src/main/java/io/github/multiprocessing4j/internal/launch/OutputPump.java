package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.seam.FailureSeam;
import io.github.multiprocessing4j.internal.session.LibraryThreads;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Copies a child's stdout or stderr to this JVM's {@code System.out} or {@code System.err} (looked up at
 * every write, so {@link System#setOut} is honoured), keeping a {@link StderrTail} on the way if asked.
 * {@link #drained()} completes at end of stream.
 *
 * <p>Several children print to the same stream, so the pump forwards whole lines: a read that ends in the
 * middle of a line keeps the partial line back for up to {@value #PARTIAL_LINE_WAIT_MILLIS} ms, waiting
 * for its end, and forwards it alone only if the child stays silent (a prompt, a progress bar). Lines of
 * different children never interleave, unless a line grows past {@value #MAX_PARTIAL_LINE} bytes: output
 * without newlines (binary data, a busy {@code \r} progress bar) is forwarded in pieces of that size
 * rather than held back without limit.
 *
 * <p>A pump started {@linkplain #start(InputStream, Supplier, StderrTail, String, boolean) held} (a spare's) keeps
 * what it reads to itself, up to {@value #MAX_HELD} bytes, until {@link #release()}: a spare's boot output (the
 * JVM's "Picked up JAVA_TOOL_OPTIONS", a warning) is written only if a start takes the spare over, just before
 * its task's output, as a fresh child's would be; a spare that nobody takes prints nothing.
 *
 * <p>A target that throws (a {@code System.out} set to null, or replaced by a logging framework's stream whose
 * appender is closed) loses the piece it was given, and the pump says so at WARNING, once per target stream and JVM
 * whichever pumps write to it (a null target, no stream, once per pump): it reads on all the same, or the child would
 * block on a full pipe, and a target that works again gets what follows.
 */
final class OutputPump implements Runnable {
    private static final System.Logger LOG = System.getLogger(OutputPump.class.getName());
    private static final long PARTIAL_LINE_WAIT_MILLIS = 20;
    static final int MAX_PARTIAL_LINE = 64 * 1024;
    /** The most a held pump keeps back; past it, everything is written and the pump holds no more. */
    static final int MAX_HELD = 256 * 1024;
    private static final byte[] NONE = new byte[0];

    private final InputStream source;
    private final Supplier<PrintStream> target;
    private final StderrTail tail;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    /** Bumped after every read from the child and every write to the target: see {@link #progress()}. */
    private volatile long progress;
    /** The unfinished last line; accessed by the pump thread only. */
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final Object holdLock = new Object();
    /** What is kept back until {@link #release()}, or null once released (or if never held); guarded by holdLock. */
    private ByteArrayOutputStream held;
    /** Null unless the stream carries a start signal; see {@link StartSignal}. */
    private final StartSignal startSignal;
    /** What is copied where, for the warning on a target that fails: "the stdout of child JVM 42 to System.out". */
    private final String what;
    /**
     * The targets a failed write to was logged for, in this JVM: once per target is enough, where once per pump said
     * it again for each worker a pool recycled onto the same broken {@code System.out}. By identity, not by the
     * target's own {@code equals} or {@code hashCode}, which a subclass may have made throw too; weak, so that a
     * target replaced and dropped is not kept. Guarded by itself; a few entries at most.
     */
    private static final List<WeakReference<PrintStream>> WARNED = new ArrayList<>();
    /**
     * Whether this pump logged a target that was null: there is no stream to count once per JVM, and a JVM-wide flag
     * would never say it again once System.out, repaired, is set to null anew (nor in a second test of the JVM).
     */
    private final AtomicBoolean warnedNull = new AtomicBoolean();

    OutputPump(InputStream source, Supplier<PrintStream> target, StderrTail tail) {
        this(source, target, tail, false);
    }

    OutputPump(InputStream source, Supplier<PrintStream> target, StderrTail tail, boolean hold) {
        this(source, target, tail, hold, null, "the output of a child JVM");
    }

    /**
     * @param startSignal the start signal to cut out of the stream (a direct child's stdout), or null
     * @param what        what is copied where, for a warning: "the stdout of child JVM 42 to System.out"
     */
    OutputPump(InputStream source, Supplier<PrintStream> target, StderrTail tail, boolean hold, StartSignal startSignal,
               String what) {
        this.source = source;
        this.target = target;
        this.tail = tail;
        this.held = hold ? new ByteArrayOutputStream() : null;
        this.startSignal = startSignal;
        this.what = what;
    }

    /** For tests: where {@link #start} throws instead of starting its thread. */
    private static final FailureSeam START = new FailureSeam();

    /** For tests: makes the next {@link #start} throw {@code failure}, as when no thread can be made; null for none. */
    static void failNextStart(Error failure) {
        START.arm(failure, 0, 1, null);
    }

    static OutputPump start(InputStream source, Supplier<PrintStream> target, StderrTail tail, String name) {
        return start(source, target, tail, name, false);
    }

    /** @param hold whether to keep what it reads back until {@link #release()} */
    static OutputPump start(InputStream source, Supplier<PrintStream> target, StderrTail tail, String name,
                            boolean hold) {
        return start(source, target, tail, name, hold, null);
    }

    /** @param startSignal the start signal to cut out of the stream (a direct child's stdout), or null */
    static OutputPump start(InputStream source, Supplier<PrintStream> target, StderrTail tail, String name,
                            boolean hold, StartSignal startSignal) {
        return start(source, target, tail, name, hold, startSignal, "what thread " + name + " copies");
    }

    /** @param what what is copied where, for the warning on a target that fails: see {@link OutputPump} */
    static OutputPump start(InputStream source, Supplier<PrintStream> target, StderrTail tail, String name,
                            boolean hold, StartSignal startSignal, String what) {
        START.check();
        OutputPump pump = new OutputPump(source, target, tail, hold, startSignal, what);
        // It lives as long as the child: none of the caller's inheritable thread-locals, nor its context class loader;
        // nor its group, whose ThreadGroup.interrupt() would leave the pump spinning in every wait for a line's end
        LibraryThreads.daemon(name).stackSize(256 * 1024).inheritInheritableThreadLocals(false).start(pump);
        return pump;
    }

    /** Writes what a held pump kept back, and lets what follows through; does nothing on a pump not held. */
    void release() {
        synchronized (holdLock) {
            if (held != null) {
                writeHeld();
            }
        }
    }

    /**
     * If the pump is held: keeps {@code first} and then {@code buffer[0, n)} back (writing all once that grows past
     * {@value #MAX_HELD} bytes) and returns true.
     */
    private boolean keepBack(ByteArrayOutputStream first, byte[] buffer, int n) {
        synchronized (holdLock) {
            if (held == null) {
                return false;
            }
            held.write(first.toByteArray(), 0, first.size());
            held.write(buffer, 0, n);
            if (held.size() > MAX_HELD) {
                writeHeld();
            }
            return true;
        }
    }

    /** Called with holdLock held. */
    private void writeHeld() {
        byte[] bytes = held.toByteArray();
        held = null;
        if (bytes.length > 0) {
            write(bytes, bytes.length, NONE, 0, 0);
            progress++;
        }
    }

    @Override
    public void run() {
        byte[] buffer = new byte[8192];
        try (source) {
            copy(buffer);
        } catch (IOException e) {
            // the pipe was closed under us (the child was killed): nothing more to copy
        } finally {
            drained.complete(null);
        }
    }

    private void copy(byte[] buffer) throws IOException {
        try {
            int n;
            while ((n = source.read(buffer)) > 0) {
                progress++;
                if (tail != null) {
                    tail.append(buffer, 0, n);
                }
                if (startSignal != null && !startSignal.isSeen()) {
                    byte[] passed = startSignal.filter(buffer, n);
                    forward(passed, passed.length);
                } else {
                    forward(buffer, n);
                }
                if (partial.size() >= MAX_PARTIAL_LINE || partial.size() > 0 && !moreArrivesSoon()) {
                    writePartial();
                }
            }
        } finally {
            if (startSignal != null && !startSignal.isSeen()) {
                partial.writeBytes(startSignal.rest()); // a start of the signal, and then the end: the child's own bytes
            }
            writePartial();
        }
    }

    /** Writes every complete line (with what was kept back before it); keeps the rest back. */
    private void forward(byte[] buffer, int n) {
        int lastNewline = -1;
        for (int i = n - 1; i >= 0; i--) {
            if (buffer[i] == '\n') {
                lastNewline = i;
                break;
            }
        }
        if (lastNewline < 0) {
            partial.write(buffer, 0, n);
            return;
        }
        if (!keepBack(partial, buffer, lastNewline + 1)) {
            write(partial.toByteArray(), partial.size(), buffer, 0, lastNewline + 1);
        }
        partial.reset();
        progress++;
        partial.write(buffer, lastNewline + 1, n - lastNewline - 1);
    }

    private boolean moreArrivesSoon() throws IOException {
        long deadline = System.nanoTime() + PARTIAL_LINE_WAIT_MILLIS * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (source.available() > 0) {
                return true;
            }
            LockSupport.parkNanos(250_000);
        }
        return source.available() > 0;
    }

    private void writePartial() {
        if (partial.size() > 0) {
            if (!keepBack(partial, NONE, 0)) {
                write(partial.toByteArray(), partial.size(), NONE, 0, 0);
            }
            partial.reset();
            progress++;
        }
    }

    /**
     * Writes {@code first[0, firstLength)} and then {@code rest[off, off + len)} to the target, as one piece: under
     * its monitor, which a PrintStream's own lock covers one write only, so that the lines of children printing at
     * once do not mix. What the target throws (or a null one) loses the piece, and is logged once: the pump must not
     * die of it, or the child would block on its full pipe, and its exception go to the uncaught handler.
     */
    private void write(byte[] first, int firstLength, byte[] rest, int off, int len) {
        PrintStream out = target.get();
        if (out == null) {
            if (warnedNull.compareAndSet(false, true)) {
                dropped("it is null", null);
            }
            return;
        }
        try {
            synchronized (out) {
                if (firstLength > 0) {
                    out.write(first, 0, firstLength);
                }
                if (len > 0) {
                    out.write(rest, off, len);
                }
                out.flush();
            }
        } catch (RuntimeException | Error e) {
            if (firstFailureOf(out)) {
                dropped(describe(e), e);
            }
        }
    }

    /** True the first time in this JVM that a write to {@code target} failed. */
    private static boolean firstFailureOf(PrintStream target) {
        synchronized (WARNED) {
            WARNED.removeIf(seen -> seen.refersTo(null));
            for (WeakReference<PrintStream> seen : WARNED) {
                if (seen.refersTo(target)) {
                    return false;
                }
            }
            WARNED.add(new WeakReference<>(target));
            return true;
        }
    }

    /**
     * The exception's toString(), or its class's name if that throws too: called in write's catch, what it throws would
     * escape the pump, which would die, and the child block on its full pipe.
     */
    private static String describe(Throwable e) {
        try {
            return e.toString();
        } catch (RuntimeException | Error unprintable) {
            return e.getClass().getName() + " (whose toString() threw " + unprintable.getClass().getName() + ")";
        }
    }

    private void dropped(String why, Throwable e) {
        LOG.log(Level.WARNING, "cannot write " + what + " (" + why + "): each piece that fails to be written is"
                + " dropped (said once for this stream, whichever child writes to it; the child's pipe is still read,"
                + " so that the child does not block)", e);
    }

    /**
     * A count that changes whenever the pump reads from the child or writes to the target: one that stays
     * put while the stream is not {@linkplain #drained() drained} means the pump waits for input (a
     * grandchild holds the pipe open) or is stuck in a write.
     */
    long progress() {
        return progress;
    }

    CompletableFuture<Void> drained() {
        return drained;
    }
}

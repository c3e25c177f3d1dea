package io.github.multiprocessing4j.subprocess;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Drains one of a child's output pipes on a thread of its own, so that a child writing a lot to both
 * stdout and stderr never blocks on a full pipe while we wait on the other one.
 *
 * <p>The bytes go into chunks that grow from 8 KiB to 1 MiB: a command that prints a line costs one small
 * array, and 100 MB costs about a hundred large ones and no copying on the way. Reads ask for up to
 * 64 KiB at a time, the capacity of a Linux pipe: one read rarely gets more, and the JDK allocates a native
 * buffer of the requested size for every read larger than 8 KiB.
 *
 * <p>Thread-safety: the collector thread appends; any thread may take a {@link #snapshot()} (what was read
 * so far, for a timeout report) or {@link #await} the end of the stream.
 */
final class OutputCollector {
    private static final System.Logger LOG = System.getLogger(OutputCollector.class.getName());
    private static final int FIRST_CHUNK = 8 * 1024;
    private static final int MAX_CHUNK = 1024 * 1024;
    private static final int MAX_READ = 64 * 1024;

    /** The JDK's pipe stream, whose monitor {@link #drain()} holds. */
    private final InputStream pipe;
    /** What is read: {@code pipe}, or the caller's stream over it, which may hold bytes read ahead. */
    private final InputStream source;
    private final String name;
    private final Object lock = new Object();
    /** Accessed only under lock. Full chunks, then {@code current}. */
    private final List<byte[]> chunks = new ArrayList<>();
    /** Accessed only under lock; written by the collector thread between reads. */
    private byte[] current = new byte[FIRST_CHUNK];
    /** Accessed only under lock. Bytes of {@code current} that hold data. */
    private int fill;
    /** Accessed only under lock. */
    private long size;
    private final CountDownLatch done = new CountDownLatch(1);
    /** Why reading stopped before the end of the stream, or null; written before {@code done} counts down. */
    private volatile IOException failure;

    private OutputCollector(InputStream pipe, InputStream source, String name) {
        this.pipe = pipe;
        this.source = source;
        this.name = name;
    }

    /** Starts draining {@code pipe} on a {@linkplain PipeThreads pipe thread}. */
    static OutputCollector start(InputStream pipe, String name) {
        return start(pipe, pipe, name);
    }

    /**
     * Starts draining {@code pipe} through {@code source}, a stream that reads {@code pipe} (and may first
     * give bytes it read from it before), on a {@linkplain PipeThreads pipe thread}.
     */
    static OutputCollector start(InputStream pipe, InputStream source, String name) {
        OutputCollector c = new OutputCollector(pipe, source, name);
        PipeThreads.start(c::drain);
        return c;
    }

    /** A collector with nothing to read, at its end: for a pipe the caller closed before communicate(). */
    static OutputCollector ended(String name) {
        InputStream nothing = InputStream.nullInputStream();
        OutputCollector c = new OutputCollector(nothing, nothing, name);
        c.done.countDown();
        return c;
    }

    /**
     * Reads to the end of the stream, holding its monitor throughout. When the command exits, the JDK's
     * process reaper takes that monitor ({@code ProcessPipeInputStream.processExited}) to read what is in
     * the pipe and close it: a background process of the command that still writes would lose the rest of
     * its output and die of SIGPIPE. Holding the monitor from the first read to the end, which the JDK's
     * reads take anyway while they block, makes the reaper wait for the end of the stream, as Python reads.
     * One gap remains: a command that exits before this thread first takes the monitor is reaped first,
     * and what its background processes write after that is lost; the JDK gives no other handle on the
     * pipe. The monitor is taken as soon as a pooled thread runs this, but on a loaded machine that can come
     * after a shell that only starts a background job has exited ({@code sh -c "job &"} lost the job's
     * output in one run of six on our shared 2-core machine), and the reaper may be done before
     * {@code pb.start()} has even returned.
     *
     * <p>The price: while a background process holds the pipe open, the JDK's reaper thread waits here,
     * and until it returns the JDK keeps the command's pid in its table of exit records, so a new process
     * that the kernel gives the same pid would read as exited at once. The JDK's own reads, blocked in the
     * monitor, make its reaper wait the same way whenever such a process stays silent; we only extend that
     * to one that writes. Short of creating the pipes ourselves (native code), this is the trade: output
     * is never cut short, as in Python.
     */
    private void drain() {
        synchronized (pipe) {
            drainHoldingTheStream();
        }
    }

    private void drainHoldingTheStream() {
        try (source) {
            byte[] chunk = current;
            int at = 0;
            while (true) {
                if (at == chunk.length) {
                    chunk = new byte[Math.min(MAX_CHUNK, chunk.length * 2)];
                    at = 0;
                    synchronized (lock) {
                        chunks.add(current);
                        current = chunk;
                        fill = 0;
                    }
                }
                int n = source.read(chunk, at, Math.min(MAX_READ, chunk.length - at));
                if (n < 0) {
                    break;
                }
                at += n;
                synchronized (lock) {
                    fill = at;
                    size += n;
                }
            }
        } catch (IOException e) {
            // The stream was closed under us (the handle was closed) or the read failed: keep what we have,
            // and let complete() say that it is not all.
            failure = e;
            LOG.log(Level.DEBUG, () -> name + ": stopped reading: " + e);
        } finally {
            done.countDown();
        }
    }

    /**
     * Waits until the stream has ended or the deadline has passed.
     *
     * @return true at end of stream, false if the deadline passed first
     * @throws InterruptedException if interrupted while waiting (the interrupt status is cleared)
     */
    boolean await(Deadline deadline) throws InterruptedException {
        if (!deadline.bounded()) {
            done.await();
            return true;
        }
        return done.await(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
    }

    boolean finished() {
        return done.getCount() == 0;
    }

    /**
     * Everything there was, once {@link #await} has returned true.
     *
     * @throws UncheckedIOException if reading failed before the end of the stream: what was read is not all
     *     the command wrote, and handing it out as its output would lose the rest silently
     */
    CapturedBytes complete() {
        CapturedBytes all = snapshot();
        IOException e = failure;
        if (e != null) {
            throw new UncheckedIOException("reading " + name + " failed after " + all.size()
                    + " bytes, so its output is incomplete: " + e.getMessage(), e);
        }
        return all;
    }

    /** Everything read so far; after {@link #await} returned true, everything there was. */
    CapturedBytes snapshot() {
        synchronized (lock) {
            List<byte[]> all = new ArrayList<>(chunks.size() + 1);
            all.addAll(chunks);
            if (finished()) {
                all.add(current);
                return new CapturedBytes(all, fill, size);
            }
            // The collector may still write into `current` past `fill`: hand out a copy of the valid part.
            all.add(Arrays.copyOf(current, fill));
            return new CapturedBytes(all, fill, size);
        }
    }
}

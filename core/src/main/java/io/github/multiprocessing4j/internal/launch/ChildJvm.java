package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.session.ChildListener;
import io.github.multiprocessing4j.internal.session.Hello;
import io.github.multiprocessing4j.internal.wire.Connection;
import io.github.multiprocessing4j.internal.worker.DirectStart;
import io.github.multiprocessing4j.process.ProcessStartException;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child JVM as its parent sees it: the OS process, the pumps that copy its stdout and stderr, the tail
 * of its stderr, and the connection it makes back to the parent.
 *
 * <p>The child lives while its connection to the parent is open: {@link #close()} closes it, and the child
 * exits at once. That is also how a child notices the death of its parent, however it died.
 *
 * <p>Thread-safe.
 */
public final class ChildJvm implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChildJvm.class.getName());
    /**
     * How long the copy of a dead child's output may stand still before we stop waiting for its end; a
     * grandchild may hold the pipes open forever.
     */
    private static final long DRAIN_MILLIS = 500;
    /**
     * The longest we wait for a dead child's output to drain, however it moves: a dead child leaves at most a
     * pipe's worth (64 KiB), which even a slow {@code System.out} takes in well under this; more is a grandchild
     * writing on, and join() (or a pool's handling of a dead worker) must not wait long for it.
     */
    private static final long MAX_DRAIN_MILLIS = 3_000;
    private static final long DRAIN_POLL_MILLIS = 50;
    private static final int TAIL_LINES = 20;
    /** How often a start whose child's stdout has ended looks whether the child got ready after all, as it exits. */
    private static final long STDOUT_ENDED_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Process process;
    private final long token;
    private final long launchNanos;
    private final CompletableFuture<ChildListener.Arrival> arrival;
    private final OutputPump stdout;
    private final OutputPump stderr;
    private final StderrTail tail;
    private final OutputStream stdin;
    private final ChildListener listener;
    /** Guards the watch on the copy of a dead child's output, which every wait for it shares: see {@link #drainGivenUp}. */
    private final Object drainWatch = new Object();
    /**
     * Guarded by drainWatch. Whether a wait for the dead child's output gave up (a grandchild holds a pipe); later
     * waits then return at once.
     */
    private boolean drainGivenUp;
    /**
     * Guarded by drainWatch. Whether a wait for the output has begun; then when it began, and when it last saw the
     * copy move (to the count drainSeen).
     */
    private boolean drainWatched;
    private long drainWatchStart;
    private long drainLastMove;
    private long drainSeen;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Map<String, String> libraryProperties;
    /** Deletes the AOT cache the child was given, or null if it was given none. */
    private final Runnable dropAotCache;
    private volatile boolean droppedAotCache;
    /** For a child started directly with its task: completes when it signals its start; otherwise null. */
    private final CompletableFuture<Long> started;
    /** The session directory the child was given, where a direct child's files are (it may have been moved since). */
    private final Path sessionDirectory;

    /**
     * @param dropAotCache deletes the AOT cache the child boots with (null if none), should the child die
     *                     before it connects back; see {@link #droppedAotCache()}
     * @param started      for a child started directly with its task, completes when it signals its start; null
     *                     for a child that connects back
     * @param sessionDirectory the session directory given to the child in its boot record
     */
    ChildJvm(Process process, long token, long launchNanos, CompletableFuture<ChildListener.Arrival> arrival,
             OutputPump stdout, OutputPump stderr, StderrTail tail, ChildListener listener,
             Map<String, String> libraryProperties, Runnable dropAotCache, CompletableFuture<Long> started,
             Path sessionDirectory) {
        this.started = started;
        this.sessionDirectory = sessionDirectory;
        this.process = process;
        this.token = token;
        this.launchNanos = launchNanos;
        this.arrival = arrival;
        this.stdout = stdout;
        this.stderr = stderr;
        this.tail = tail;
        this.stdin = process.getOutputStream();
        this.listener = listener;
        this.libraryProperties = libraryProperties;
        this.dropAotCache = dropAotCache;
        process.onExit().thenRun(() -> done.complete(null));
    }

    /** Runs {@code action} once the child is done: {@link #markDone} was called, or the process exited. */
    public void whenDone(Runnable action) {
        done.thenRun(action);
    }

    /** Tells that whoever drives this child has seen it finish (e.g. a join returned). */
    public void markDone() {
        done.complete(null);
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** The {@code mp4j.*} system properties it was started with; see {@link JavaCommand#libraryProperties()}. */
    Map<String, String> libraryProperties() {
        return libraryProperties;
    }

    public long launchNanos() {
        return launchNanos;
    }

    /** Whether the child was started with its task and reports in a file, with no connection ({@code DirectStart}). */
    public boolean isDirect() {
        return started != null;
    }

    /** The launch token, which names a direct child's files ({@code DirectStart}). */
    public long token() {
        return token;
    }

    /**
     * The session directory the child was given, where a direct child writes its report and looks for its stop
     * file ({@code DirectStart}): the session's own may have moved since, were that one removed.
     */
    public Path sessionDirectory() {
        return sessionDirectory;
    }

    /** True once the child has connected and authenticated (without waiting). */
    public boolean isConnected() {
        return arrival.isDone() && !arrival.isCompletedExceptionally();
    }

    /**
     * True if the child was given an AOT cache and died before it connected back, and that cache was
     * deleted for it ({@link #awaitConnected} does this): a child launched now boots without it, and may
     * well start where this one could not.
     */
    public boolean droppedAotCache() {
        return droppedAotCache;
    }

    /**
     * Waits until the child has connected back and proved the session key.
     *
     * <p>A child given an AOT cache that exits before it connects (unless killed from outside: SIGKILL,
     * SIGTERM, SIGINT, SIGHUP) has its cache deleted. The JDK checks a cache's header, not its contents, and
     * a damaged one crashes every JVM that maps it; nothing else about a launch whose cache exists has changed
     * since a child booted with those very options to make it (see {@link #droppedAotCache()}).
     *
     * @throws ProcessStartException if the child exits, or stays silent for {@code timeout}, first (it is then
     *         killed, with what it started: {@link #killTree()}); the message carries the exit status and the tail
     *         of its stderr
     */
    public ChildListener.Arrival awaitConnected(Duration timeout) throws InterruptedException {
        return awaitConnected(timeout, timeout);
    }

    /**
     * As {@link #awaitConnected(Duration)}, waiting {@code left}, what remains of a start's {@code timeout} (which the
     * message names): one start that waits for several children in turn gives them one timeout in all.
     */
    ChildListener.Arrival awaitConnected(Duration left, Duration timeout) throws InterruptedException {
        if (arrival.isDone() && !arrival.isCompletedExceptionally()) {
            return arrival.join(); // a spare that connected long ago: no exit watch to start
        }
        awaitReady(arrival, left, timeout, "connect back", "connected back");
        return arrival.join();
    }

    /**
     * Waits until the child has connected back, for at most {@code timeout}; returns early, with false, if it exits
     * or is given up on first. Kills nothing, unlike {@link #awaitConnected}.
     *
     * @return whether it has connected
     */
    boolean awaitArrival(Duration timeout) throws InterruptedException {
        CompletableFuture<Void> exited = new CompletableFuture<>();
        Thread exitWatch = watchExit(exited);
        try {
            CompletableFuture.anyOf(arrival, exited).get(TimeUnit.NANOSECONDS.convert(timeout),
                    TimeUnit.NANOSECONDS); // saturated: Duration.toNanos() throws past 292 years
        } catch (TimeoutException | ExecutionException | CancellationException e) {
            // it has not connected: the caller decides what to do with it
        } finally {
            exitWatch.interrupt();
        }
        return isConnected();
    }

    /**
     * As {@link #awaitConnected}, for a child started directly with its task: waits until it has signalled its
     * start on stdout (see {@link io.github.multiprocessing4j.internal.worker.DirectStart}), then gives it the go on
     * its stdin, and closes that. The child runs its task only then: one that exits first, or that this call kills
     * (it is interrupted, or times out), never began it.
     *
     * @throws ProcessStartException if the child exits, or stays silent for {@code timeout}, first
     */
    public void awaitStarted(Duration timeout) throws InterruptedException {
        awaitStarted(timeout, timeout);
    }

    /** As {@link #awaitStarted(Duration)}, waiting {@code left} of {@code timeout}: as {@code awaitConnected} does. */
    void awaitStarted(Duration left, Duration timeout) throws InterruptedException {
        if (started == null) {
            throw new IllegalStateException("child " + process.pid() + " was not started with its task");
        }
        awaitReady(started, left, timeout, "start", "started");
        try {
            stdin.write(DirectStart.GO); // the child runs its task from now on, and not before
            stdin.close();
        } catch (IOException e) {
            // it died just now: join() and exitCode() tell how
        }
    }

    /**
     * Returns once {@code ready} has completed normally, waiting at most {@code left} of {@code timeout}; see
     * {@link #awaitConnected} for the rest.
     */
    private void awaitReady(CompletableFuture<?> ready, Duration left, Duration timeout, String verb, String pastVerb)
            throws InterruptedException {
        if (ready.isDone() && !ready.isCompletedExceptionally()) {
            return;
        }
        CompletableFuture<Void> exited = new CompletableFuture<>();
        Thread exitWatch = watchExit(exited);
        try {
            // saturated: Duration.toNanos() throws past 292 years (-Dmp4j.connectTimeoutSeconds=99999999999)
            long nanos = TimeUnit.NANOSECONDS.convert(left);
            long since = System.nanoTime();
            // The end of its stdout, which a platform thread reads, wakes this too: a child that dies closes it, and
            // the exit watch, a virtual thread, waits for a carrier while CPU-bound virtual threads hold them all (the
            // scheduler never preempts), so that a child that had died at once was waited for until the timeout
            CompletableFuture.anyOf(ready, exited, stdout.drained()).get(nanos, TimeUnit.NANOSECONDS);
            awaitExitAfterStdoutEnded(ready, exited, nanos - (System.nanoTime() - since));
        } catch (TimeoutException e) {
            listener.forget(token);
            killTree(); // a child stuck at boot may have started processes (an agent's), which would outlive it
            throw failedToStart("did not " + verb + " within " + timeout.toSeconds() + " s (killed it)");
        } catch (ExecutionException | CancellationException e) {
            // the arrival failed: the listener closed (JVM shutting down)
        } finally {
            exitWatch.interrupt();
        }
        if (ready.isDone() && !ready.isCompletedExceptionally()) {
            return;
        }
        listener.forget(token);
        if (!process.isAlive()) {
            if (dropAotCache != null && !killedFromOutside(process.exitValue())) {
                dropAotCache.run();
                droppedAotCache = true;
            }
            awaitOutputDrained();
            throw failedToStart("exited with " + ExitStatus.describe(process.exitValue()) + " before it " + pastVerb);
        }
        killTree();
        throw failedToStart("could not be reached (the listener closed); killed it");
    }

    /**
     * Once the child's stdout has ended before it was ready (or exited, as far as {@code exited} knows): waits, for at
     * most {@code nanos}, until it has exited, or is ready after all (one that closed its stdout and lives on).
     *
     * @throws TimeoutException if neither happened in time
     */
    private void awaitExitAfterStdoutEnded(CompletableFuture<?> ready, CompletableFuture<Void> exited, long nanos)
            throws InterruptedException, TimeoutException {
        long since = System.nanoTime();
        while (!ready.isDone() && !exited.isDone()) {
            long rest = nanos - (System.nanoTime() - since);
            if (rest <= 0) {
                throw new TimeoutException();
            }
            if (process.waitFor(Math.min(rest, STDOUT_ENDED_POLL_NANOS), TimeUnit.NANOSECONDS)) {
                return;
            }
        }
    }

    /**
     * Starts a thread that completes {@code exited} once the process has exited; interrupt it once the wait is over.
     * Not {@code process.onExit()}: the JDK completes that on the common ForkJoinPool, so while that is full a child
     * that died (or was killed) before it connected would be waited for until the timeout. {@code waitFor()} is woken
     * by the JDK's process reaper itself.
     */
    private Thread watchExit(CompletableFuture<Void> exited) {
        return Thread.ofVirtual().name("mp4j-child-exit-" + process.pid()).start(() -> {
            try {
                process.waitFor();
                exited.complete(null);
            } catch (InterruptedException e) {
                // it connected, or the wait is over
            }
        });
    }

    private static boolean killedFromOutside(int exitValue) {
        return switch (ExitStatus.signalName(ExitStatus.signal(exitValue))) {
            case "SIGKILL", "SIGTERM", "SIGINT", "SIGHUP" -> true;
            default -> false;
        };
    }

    private ProcessStartException failedToStart(String what) {
        OptionalInt code = process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
        String lastLines = tail.lastLines(TAIL_LINES);
        String message = "child JVM (pid " + process.pid() + ") " + what + "."
                + (lastLines.isEmpty() ? " It wrote nothing to stderr." : " Last lines of its stderr:\n" + lastLines);
        return new ProcessStartException(message, process.pid(), code, lastLines);
    }

    /**
     * Waits until everything the child wrote to stdout and stderr has been copied: until both pipes reach
     * their end, for as long as the copying moves on. It gives up once neither pump has read or written
     * anything for {@value #DRAIN_MILLIS} ms (a grandchild holds a pipe open, or this JVM's stream is stuck),
     * or after {@value #MAX_DRAIN_MILLIS} ms in all (a grandchild that holds a pipe open keeps writing to it).
     * A dead child leaves at most a pipe's worth behind, so a slow {@code System.out} only delays the return.
     * Call it once the child has exited only.
     */
    public void awaitOutputDrained() {
        awaitOutputDrained(MAX_DRAIN_MILLIS);
    }

    /**
     * As {@link #awaitOutputDrained()}, but for at most {@code maxMillis} in all (a timed join's time left; zero or
     * less only looks), and never more than the {@value #MAX_DRAIN_MILLIS} ms of that method: join() passes its
     * longer report wait. The give-up counts from the first wait, and sees the copy stand still across waits: polls,
     * each too short to see it, come to the end one wait comes to.
     *
     * @return true once the output is copied or given up on (as far as {@link #awaitOutputDrained()} waits), false
     *         if {@code maxMillis} ran out first, or the thread was interrupted (its interrupt status is then set)
     */
    public boolean awaitOutputDrained(long maxMillis) {
        CompletableFuture<Void> both = CompletableFuture.allOf(stdout.drained(), stderr.drained());
        long limit = TimeUnit.MILLISECONDS.toNanos(Math.clamp(maxMillis, 0, MAX_DRAIN_MILLIS));
        long start = System.nanoTime();
        try {
            while (!both.isDone()) {
                if (drainGivenUp()) {
                    return true; // what a grandchild writes later still arrives, just not before we return
                }
                long left = limit - (System.nanoTime() - start);
                if (left <= 0) {
                    return false; // the caller's time is up; a later, longer wait may still see the end
                }
                try {
                    both.get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(DRAIN_POLL_MILLIS)), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    // look again
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true; // not completed exceptionally by the pumps
        }
    }

    /**
     * Whether the wait for the output is given up: the copy has stood still for {@value #DRAIN_MILLIS} ms, or
     * {@value #MAX_DRAIN_MILLIS} ms have passed since the first wait. Once given up, always: a later join would only
     * wait for the grandchild again. Watched across waits, so that polls come to it as one long wait does.
     */
    private boolean drainGivenUp() {
        synchronized (drainWatch) {
            if (drainGivenUp) {
                return true;
            }
            // Read under the lock: a time read before it by a thread descheduled on its way in (the keep-alive
            // thread's, say) would set the watch back, and a later wait would give up early by that delay
            long now = System.nanoTime();
            long moved = stdout.progress() + stderr.progress();
            if (!drainWatched) {
                drainWatched = true;
                drainWatchStart = now;
                drainLastMove = now;
                drainSeen = moved;
                return false;
            }
            if (moved != drainSeen) {
                drainSeen = moved;
                drainLastMove = now;
            }
            drainGivenUp = now - drainLastMove >= TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS)
                    || now - drainWatchStart >= TimeUnit.MILLISECONDS.toNanos(MAX_DRAIN_MILLIS);
            return drainGivenUp;
        }
    }

    /** Whether everything the child wrote to stdout and stderr has been copied: both pipes reached their end. */
    public boolean isOutputDrained() {
        return stdout.drained().isDone() && stderr.drained().isDone();
    }

    /** Writes what a spare's output pumps kept back, and lets the rest through (see {@link ChildLauncher#launchSpare}). */
    void releaseOutput() {
        stdout.release();
        stderr.release();
    }

    public String stderrTail(int lines) {
        return tail.lastLines(lines);
    }

    /** Sends SIGTERM. */
    public void terminate() {
        process.destroy();
    }

    /** Sends SIGKILL. */
    public void kill() {
        process.destroyForcibly();
    }

    /**
     * Sends SIGKILL to the child and then to every process it had started that still runs: a pool kills a
     * worker to stop its task (a timeout, a cancel, {@code shutdownNow}), and what the task started (a
     * {@code ffmpeg}, a {@code sleep}) must not run on, re-parented to init. The descendants are listed first:
     * once the child is dead they are no longer its descendants. {@link ProcessHandle#destroyForcibly()} checks
     * each one's start time, so a pid reused meanwhile is never signalled. A process that left the tree
     * before (a daemon that double-forked) is not found.
     *
     * @return the descendants that were signalled, for a caller that waits until they are gone
     */
    public List<ProcessHandle> killTree() {
        return killTree(process);
    }

    /** {@link #killTree()} for a process that has no {@code ChildJvm} (yet): one whose launch failed half-way. */
    static List<ProcessHandle> killTree(Process process) {
        List<ProcessHandle> descendants = process.isAlive() ? process.descendants().toList() : List.of();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly); // top-down, as the JDK lists them
        return descendants;
    }

    /**
     * Ends a child that will get no work: kills it, with what it started ({@link #killTree()}: a pool worker's
     * initializer may have started processes), and closes its connection. Idempotent.
     */
    public void discard() {
        killTree();
        close(false);
    }

    /**
     * Closes the connection, which makes the child exit (if it has not connected yet, it is turned away
     * when it does), and its stdin (closed already once the boot record was written). A child started with its
     * task, which has no connection, is asked to exit through its stop file instead. Idempotent.
     */
    @Override
    public void close() {
        close(true);
    }

    /** @param askToStop whether to ask a direct child to exit (not when it was just killed) */
    private void close(boolean askToStop) {
        if (askToStop && started != null && process.isAlive()) {
            requestStop();
        }
        listener.forget(token);
        arrival.thenAccept(a -> a.connection().close());
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already closed, or the child is gone
        }
        process.onExit().thenRun(() -> listener.remove(token));
    }

    /** Asks a direct child to exit, as closing its connection asks any other: see {@code DirectStart}. */
    private void requestStop() {
        Path stop = DirectStart.stopFile(sessionDirectory, token);
        try {
            if (!DirectStart.requestStop(sessionDirectory, token)) {
                return; // asked already
            }
        } catch (IOException e) {
            // The session directory was removed (a cleaner of temporary files): the child could not see the file
            // anyway. SIGTERM runs its shutdown hooks, as the stop file would have (exit code 143, not 3).
            LOG.log(Level.DEBUG, "could not ask child " + process.pid() + " to stop with " + stop + "; terminating it", e);
            terminate();
            return;
        }
        process.onExit().thenRun(() -> {
            try {
                Files.deleteIfExists(stop);
            } catch (IOException e) {
                // the session directory is deleted at exit
            }
        });
    }

    public Hello hello() {
        requireConnecting();
        return arrival.join().hello();
    }

    public Connection connection() {
        requireConnecting();
        return arrival.join().connection();
    }

    private void requireConnecting() {
        if (started != null) {
            throw new IllegalStateException("child " + process.pid() + " was started with its task: it has no connection");
        }
    }
}

package io.github.multiprocessing4j.process;

import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.internal.bytes.MalformedDataException;
import io.github.multiprocessing4j.internal.codec.StandardCodec;
import io.github.multiprocessing4j.internal.config.Settings;
import io.github.multiprocessing4j.internal.launch.ChildClassPath;
import io.github.multiprocessing4j.internal.launch.ChildJvm;
import io.github.multiprocessing4j.internal.launch.LaunchSpec;
import io.github.multiprocessing4j.internal.launch.PhaseTimings;
import io.github.multiprocessing4j.internal.launch.SpareJvms;
import io.github.multiprocessing4j.internal.seam.FailureSeam;
import io.github.multiprocessing4j.internal.session.Hello;
import io.github.multiprocessing4j.internal.session.LibraryThreads;
import io.github.multiprocessing4j.internal.session.Session;
import io.github.multiprocessing4j.internal.session.ThisProcess;
import io.github.multiprocessing4j.internal.wire.Connection;
import io.github.multiprocessing4j.internal.wire.Frame;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.internal.worker.DirectStart;
import io.github.multiprocessing4j.internal.worker.OneShotProtocol;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/** The {@link JvmProcess} of one child JVM running one task. */
final class JvmProcessImpl implements JvmProcess, PhaseTimings.Source {
    private static final System.Logger LOG = System.getLogger(JvmProcess.class.getName());
    private static final Duration CONNECT_TIMEOUT = Settings.connectTimeout();
    /**
     * How long join waits for the report of a child that has exited. Once the child is gone its end of the
     * connection is closed, so the reader has the report (or end of stream) at once: this only guards against
     * a reader thread that the machine does not schedule (a loaded machine). It was 500 ms, short enough for a
     * loaded machine to leave failure() empty right after join().
     */
    private static final long REPORT_WAIT_MILLIS = 10_000;
    /** {@link #reportWaitStart} before any join has waited for the report. */
    private static final long NO_REPORT_WAIT = Long.MIN_VALUE;
    /** Just before the task is handed to a connected child: as when that throws what it should not. */
    private static final FailureSeam HAND_OVER = new FailureSeam();

    private final String name;
    private final ChildJvm child;
    private final long handedOver;
    private final CompletableFuture<OneShotProtocol.Done> report = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long exitObserved;
    /** The report of a child started with its task, once read; see {@link #readDirectReport}. */
    private volatile DirectStart.Report directReport;
    /**
     * The context class loader of the thread that called start(), which decodes the failure of a child started with
     * its task, whichever thread reads its report (a connected child's reader thread has it: see
     * {@link LibraryThreads#startWithCallersLoader}); null once the report is read, or for a connected child.
     */
    private volatile ClassLoader callersLoader;
    /**
     * Held while a direct child's report is read, by whichever thread reads it first. Not this object's own monitor:
     * this object is the user's, and user code that holds its monitor would hold up the read, and every join(). A
     * lock, so that a timed join waits for another reader no longer than its timeout.
     */
    private final ReentrantLock reportLock = new ReentrantLock();
    /**
     * When a timed join first waited for the report of a connected child that has exited ({@link #NO_REPORT_WAIT}
     * before): it gives up on the report {@link #REPORT_WAIT_MILLIS} after that, as join() does after its own wait, so
     * that polls, each too short for that wait, come to the end one join() comes to.
     */
    private final AtomicLong reportWaitStart = new AtomicLong(NO_REPORT_WAIT);

    private JvmProcessImpl(String name, ChildJvm child, long handedOver) {
        this.name = name;
        this.child = child;
        this.handedOver = handedOver;
    }

    static JvmProcess start(String name, SerializableRunnable task, LaunchSpec spec, boolean daemon) {
        ChildClassPath.requireLibrary();
        byte[] encodedTask = StandardCodec.toChild(spec).encode(task);
        byte[] run = new OneShotProtocol.Run(name, encodedTask).encode();
        ChildJvm child;
        try {
            child = SpareJvms.get().take(spec, CONNECT_TIMEOUT, run, encodedTask);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessStartException("interrupted while starting a child JVM for " + name, -1,
                    OptionalInt.empty(), "");
        }
        if (child.isDirect()) {
            // it has its task, and reports in a file (DirectStart)
            JvmProcessImpl process = new JvmProcessImpl(name, child, 0);
            process.callersLoader = Thread.currentThread().getContextClassLoader();
            process.child.process().onExit().thenRun(() -> process.readDirectReport(true));
            return process.watched(daemon);
        }
        long handedOver = System.nanoTime();
        try {
            HAND_OVER.check();
            child.connection().send(FrameType.RUN, 0, run);
        } catch (ClosedByInterruptException e) {
            // An interrupted thread cannot write to the connection: the write closed it instead, and the child,
            // which never got its task, would exit with code 0 as if it had run it. (A ready spare lets start()
            // get this far on a thread that was interrupted already.)
            child.discard();
            throw new ProcessStartException("interrupted while handing the task to child JVM " + child.pid()
                    + " for " + name + " (killed it)", child.pid(), OptionalInt.empty(), "");
        } catch (IOException e) {
            // It died just now; join() and exitCode() will tell how.
            LOG.log(Level.DEBUG, "child {0} died before it got its task: {1}", child.pid(), e.getMessage());
        } catch (RuntimeException | Error e) {
            // What should not be thrown (a StackOverflowError, start() called deep in a stack; an OutOfMemoryError):
            // the child, connected and never given its task, would wait for it for as long as this JVM lives
            child.discard();
            throw e;
        }
        JvmProcessImpl process = new JvmProcessImpl(name, child, handedOver);
        // A platform thread, not a virtual one (see LibraryThreads): a virtual reader waited for a carrier held by
        // CPU-bound virtual threads, so that join() gave up on the report and failure() was empty. It has the caller's
        // context class loader, which decodes the failure, but none of its inheritable thread-locals: it lives as long
        // as the child, and would keep their values (a request's, say) for as long. The default stack size, as causes nest. In the
        // library's group, which no program's ThreadGroup.interrupt() reaches, as none reached a virtual thread: an
        // interrupted read closes the connection, and the report was lost.
        LibraryThreads.startWithCallersLoader("mp4j-report-" + child.pid(), process::readReport);
        return process.watched(daemon);
    }

    /**
     * For tests: makes the next hand-over of a task to a connected child throw {@code failure}, as if sending it had
     * thrown that; null for none.
     */
    static void failNextHandOver(Error failure) {
        HAND_OVER.arm(failure, 0, 1, null);
    }

    /** Starts what watches the child's end; returns this. */
    private JvmProcessImpl watched(boolean daemon) {
        if (!daemon) {
            // As in Python, a non-daemon child keeps its parent alive until it has finished.
            // It lives as long as the child: none of the caller's inheritable thread-locals, nor its class loader;
            // nor its group, whose ThreadGroup.interrupt() would cut short its wait for the child's last output
            LibraryThreads.daemon("mp4j-keepalive-" + child.pid()).daemon(false).stackSize(128 * 1024)
                    .inheritInheritableThreadLocals(false).start(this::awaitExitQuietly);
        }
        child.process().onExit().thenRun(() -> exitObserved = System.nanoTime());
        return this;
    }

    /**
     * Reads the report of a child started with its task, once it is there (the task has returned), and cleans
     * up its files; or, once the child has exited without one, records that there is none. A report that cannot be
     * read (malformed, or its decode throws) is logged at WARNING and counts as none. Any thread.
     */
    private void readDirectReport(boolean exited) {
        if (report.isDone()) {
            return;
        }
        reportLock.lock();
        try {
            readDirectReportLocked(exited);
        } finally {
            reportLock.unlock();
        }
    }

    /**
     * As {@link #readDirectReport(boolean)}, waiting at most {@code nanos} (a timed join's time left) for another
     * thread that reads it (its decode may take long: a failure's own {@code readObject}).
     *
     * @return whether the report is done with: false if another thread still reads it when the time is up
     */
    private boolean readDirectReport(boolean exited, long nanos) throws InterruptedException {
        if (report.isDone()) {
            return true;
        }
        // tryLock() first: a free lock is taken without a look at the interrupt status, as readDirectReport(boolean)
        // takes it, and as a poll, which waits for nothing, must
        if (!reportLock.tryLock() && (nanos <= 0 || !reportLock.tryLock(nanos, TimeUnit.NANOSECONDS))) {
            return false;
        }
        try {
            readDirectReportLocked(exited);
        } finally {
            reportLock.unlock();
        }
        return report.isDone();
    }

    /** The body of {@link #readDirectReport(boolean)}; called with reportLock held. */
    private void readDirectReportLocked(boolean exited) {
        if (report.isDone()) {
            return;
        }
        Session session = Session.get();
        Path directory = child.sessionDirectory(); // the session's own may have moved since
        // It was decoded with the loader of the thread that read the report first: mostly the JDK's thread that
        // completes onExit(), whose loader is the system class loader, so that a caller whose classes a loader of
        // its own defines (a web application's, say) got a failure of a class that its catch blocks did not know
        Thread reader = Thread.currentThread();
        ClassLoader readersLoader = reader.getContextClassLoader();
        boolean switched = setContextClassLoader(reader, callersLoader);
        try {
            Optional<DirectStart.Report> read = DirectStart.readReport(directory, session.key(),
                    child.token(), "child JVM " + child.pid() + " \"" + name + "\"");
            if (read.isPresent()) {
                directReport = read.get();
                report.complete(read.get().done());
            }
        } catch (MalformedDataException e) {
            LOG.log(Level.WARNING, "child JVM {0} \"{1}\" left a malformed report ({2}); its outcome is unknown"
                    + " beyond its exit code", child.pid(), name, e.getMessage());
            report.complete(null);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "cannot read the report of child {0}: {1}", child.pid(), e.getMessage());
        } catch (RuntimeException | Error e) {
            // The report is done with, as readReport's is for a connected child, or it would stay pending, and
            // every join() and failure() would read it again and throw this
            logUndecodableReport(e);
            report.complete(null);
        } finally {
            if (switched) {
                setContextClassLoader(reader, readersLoader);
            }
        }
        if (exited) {
            report.complete(null); // it died before it could write one
        }
        if (report.isDone()) {
            callersLoader = null; // no longer needed: not kept for as long as the caller keeps this process
            DirectStart.cleanUp(directory, child.token());
        }
    }

    /**
     * Gives {@code thread} the context class loader {@code loader}; returns false, changing nothing, if it has it
     * already, or refuses it (a thread of the JDK's that keeps none, as a custom common pool's may be).
     */
    private static boolean setContextClassLoader(Thread thread, ClassLoader loader) {
        if (thread.getContextClassLoader() == loader) {
            return false;
        }
        try {
            thread.setContextClassLoader(loader);
            return true;
        } catch (RuntimeException e) {
            return false; // a SecurityException: decoded with the thread's own, as before
        }
    }

    /** Logs what decoding the child's report let through (an OutOfMemoryError, from the failure's own readObject say). */
    private void logUndecodableReport(Throwable e) {
        LOG.log(Level.WARNING, "cannot decode the report of child JVM " + child.pid() + " \"" + name
                + "\"; its outcome is unknown beyond its exit code", e);
    }

    private void readReport() {
        Connection connection = child.connection();
        try {
            Frame frame = connection.receive();
            if (frame != null && frame.type() == FrameType.DONE) {
                report.complete(OneShotProtocol.Done.decode(frame.payload(), "child JVM " + child.pid() + " \"" + name + "\""));
            } else if (frame != null) { // written by its task on the connection, say: its failure cannot be read
                LOG.log(Level.WARNING, "child JVM {0} \"{1}\" sent a {2} frame where its report was due; its outcome"
                        + " is unknown beyond its exit code", child.pid(), name, FrameType.name(frame.type()));
            }
        } catch (MalformedDataException e) {
            LOG.log(Level.WARNING, "child JVM {0} \"{1}\" sent a malformed report ({2}); its outcome is unknown"
                    + " beyond its exit code", child.pid(), name, e.getMessage());
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "no report from child {0}: {1}", child.pid(), e.getMessage());
        } catch (RuntimeException | Error e) {
            logUndecodableReport(e); // not left to this thread's uncaught handler, which prints it to stderr
        } finally {
            connection.close();
            report.complete(null);
        }
    }

    /** The keep-alive of a non-daemon child: until it has exited and its last output has been forwarded. */
    private void awaitExitQuietly() {
        // Nothing of ours interrupts this thread: an interrupt comes from the program (ThreadGroup.interrupt() of the
        // group it was started in, as some frameworks do when they stop), and must not let the JVM exit, and the
        // child end with it, before the child has finished.
        while (true) {
            try {
                child.process().waitFor();
                break;
            } catch (InterruptedException e) {
                // wait on
            }
        }
        Thread.interrupted();
        child.awaitOutputDrained();
    }

    static CurrentProcess current() {
        long pid = ProcessHandle.current().pid();
        if (Session.isChild()) {
            String given = ThisProcess.name();
            return new CurrentProcess(given == null ? "SpareProcess" : given, pid,
                    OptionalLong.of(ThisProcess.parentPid()), true);
        }
        OptionalLong parent = ProcessHandle.current().parent()
                .map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty());
        return new CurrentProcess(CurrentProcess.MAIN_PROCESS, pid, parent, false);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long pid() {
        return child.pid();
    }

    @Override
    public boolean isAlive() {
        return child.process().isAlive();
    }

    @Override
    public void join() throws InterruptedException {
        child.process().waitFor();
        child.markDone();
        // Lets its output arrive (3 s at most: see ChildJvm#awaitOutputDrained(long)), then its report
        child.awaitOutputDrained(REPORT_WAIT_MILLIS);
        throwIfInterruptedBeforeTheOutput();
        if (child.isDirect()) {
            readDirectReport(true);
            return;
        }
        reportWaitStart.compareAndSet(NO_REPORT_WAIT, System.nanoTime()); // for the polls that may follow
        try {
            report.get(REPORT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // no report: the child died before it could send one
        }
    }

    @Override
    public boolean join(Duration timeout) throws InterruptedException {
        // The JDK's Duration form saturates: ChronoUnit.FOREVER waits as join() does, a negative timeout only polls.
        long budget = TimeUnit.NANOSECONDS.convert(timeout);
        if (budget == Long.MAX_VALUE) {
            join();
            return true;
        }
        long start = System.nanoTime();
        if (!child.process().waitFor(budget, TimeUnit.NANOSECONDS)) {
            return false;
        }
        // Each wait after the exit keeps to the time left, too: it waited up to 500 ms for the output, and a connected
        // child's report 500 ms more, whatever the timeout (a zero one, which only polls, took a second). What it does
        // not wait for, a later join still does: it returns false then.
        child.markDone();
        long left = Math.max(budget, 0) - (System.nanoTime() - start);
        boolean drained = child.awaitOutputDrained(TimeUnit.NANOSECONDS.toMillis(left));
        throwIfInterruptedBeforeTheOutput();
        if (!drained) {
            return false;
        }
        left = Math.max(budget, 0) - (System.nanoTime() - start);
        return child.isDirect() ? readDirectReport(true, left) : awaitReport(left);
    }

    /**
     * Throws if the thread is interrupted while the child's output is not all copied: the wait for it, interrupted,
     * keeps the interrupt status and returns, and join() returned as if the output had been copied (a fresh child's
     * report is read without a wait, a connected child's often was in).
     */
    private void throwIfInterruptedBeforeTheOutput() throws InterruptedException {
        if (Thread.currentThread().isInterrupted() && !child.isOutputDrained()) {
            Thread.interrupted();
            throw new InterruptedException("interrupted while the output of child JVM " + child.pid() + " \"" + name
                    + "\" was being copied");
        }
    }

    /**
     * Waits at most {@code nanos} for the report of a connected child that has exited.
     *
     * @return whether it is done with: it came (or the connection ended without it), or it is
     *         {@value #REPORT_WAIT_MILLIS} ms since the first wait for it, after which join() gives up on it too
     */
    private boolean awaitReport(long nanos) throws InterruptedException {
        if (report.isDone()) {
            return true; // no look at the interrupt status, as report.get() takes none for a done report
        }
        reportWaitStart.compareAndSet(NO_REPORT_WAIT, System.nanoTime());
        long due = TimeUnit.MILLISECONDS.toNanos(REPORT_WAIT_MILLIS) - (System.nanoTime() - reportWaitStart.get());
        long wait = Math.min(nanos, due);
        if (wait > 0) {
            try {
                report.get(wait, TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // not yet, or never: told below
            }
        }
        return report.isDone()
                || System.nanoTime() - reportWaitStart.get() >= TimeUnit.MILLISECONDS.toNanos(REPORT_WAIT_MILLIS);
    }

    @Override
    public OptionalInt exitCode() {
        Process p = child.process();
        return p.isAlive() ? OptionalInt.empty() : OptionalInt.of(p.exitValue());
    }

    @Override
    public Optional<Throwable> failure() {
        if (child.isDirect()) {
            readDirectReport(!child.process().isAlive());
        }
        OneShotProtocol.Done done = report.getNow(null);
        return done == null ? Optional.empty() : Optional.ofNullable(done.failure());
    }

    @Override
    public void terminate() {
        child.terminate();
    }

    @Override
    public void kill() {
        child.kill();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        child.close();
        boolean interrupted = false;
        try {
            if (!child.process().waitFor(1, TimeUnit.SECONDS)) {
                child.kill();
            }
        } catch (InterruptedException e) {
            // As ExecutorService.close() stops its tasks when interrupted: no more grace. It returned at once, with
            // the child still running and exitCode() empty (a cancelled task's try-with-resources, say).
            interrupted = true;
            child.kill();
        }
        interrupted |= awaitExitUninterruptibly(TimeUnit.SECONDS.toNanos(1));
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits up to {@code nanos} for the child to exit (a SIGKILL was sent), through interrupts.
     *
     * @return whether the thread was interrupted meanwhile (its status is then cleared)
     */
    private boolean awaitExitUninterruptibly(long nanos) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + nanos;
        while (true) {
            try {
                child.process().waitFor(deadline - System.nanoTime(), TimeUnit.NANOSECONDS); // <= 0: only polls
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    @Override
    public PhaseTimings timings() {
        if (child.isDirect()) {
            DirectStart.Report direct = directReport;
            OneShotProtocol.Done done = direct == null ? null : direct.done();
            return new PhaseTimings(child.launchNanos(), direct == null ? 0 : direct.main(),
                    direct == null ? 0 : direct.started(), direct == null ? 0 : direct.started(), 0,
                    done == null ? 0 : done.received(), done == null ? 0 : done.decoded(),
                    done == null ? 0 : done.finished(), exitObserved);
        }
        Hello hello = child.hello();
        OneShotProtocol.Done done = report.getNow(null);
        return new PhaseTimings(child.launchNanos(), hello.mainNanos(), hello.socketNanos(), hello.connectedNanos(), handedOver,
                done == null ? 0 : done.received(), done == null ? 0 : done.decoded(),
                done == null ? 0 : done.finished(), exitObserved);
    }

    @Override
    public String toString() {
        return "JvmProcess[name=" + name + ", pid=" + pid() + ", " + (isAlive() ? "running" : "exit " + exitCode().getAsInt()) + "]";
    }
}

package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.internal.session.ChildListener;
import io.github.multiprocessing4j.internal.session.LibraryThreads;
import io.github.multiprocessing4j.internal.session.Session;
import io.github.multiprocessing4j.internal.wire.Frame;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.internal.worker.AotTraining;
import io.github.multiprocessing4j.internal.worker.DirectStart;
import io.github.multiprocessing4j.internal.worker.OneShotProtocol;
import io.github.multiprocessing4j.process.ProcessStartException;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts child JVMs: builds the command line (with the AOT cache when there is one), starts the process,
 * hands it the {@link BootRecord} on stdin and starts the output pumps. The child then connects back on
 * its own; {@link ChildJvm#awaitConnected} waits for that.
 *
 * <p>Thread-safe; one instance per JVM ({@link #get()}).
 */
public final class ChildLauncher {
    private static final System.Logger LOG = System.getLogger(ChildLauncher.class.getName());
    private static final int TAIL_BYTES = 16 * 1024;
    /** What a pipe holds on any system (macOS starts at 16 KiB, Linux at 64 KiB): a write of no more never blocks. */
    private static final int PIPE_HOLDS = 16 * 1024;
    private static final Duration TRAINING_TIMEOUT = Duration.ofSeconds(60);
    /** How long a killed training child and what it started may take to be gone. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    private static final long KILL_POLL_MILLIS = 20;
    private static final SecureRandom TOKENS = new SecureRandom();
    private static final byte[] NOTHING = new byte[0];
    private static final ChildLauncher INSTANCE = new ChildLauncher(JavaRuntime.current());

    /** For tests: the {@code java} that children are started with instead of the runtime's, or null; see {@link #javaForTests}. */
    private static volatile Path javaForTests;

    private final JavaCommand command;
    private final AotCache aot;

    /** One per JVM ({@link #get()}); in tests, one whose children get another class path. */
    ChildLauncher(JavaRuntime runtime) {
        this.command = new JavaCommand(runtime);
        this.aot = new AotCache(runtime);
    }

    public static ChildLauncher get() {
        return INSTANCE;
    }

    /**
     * For tests only: starts every child (of any launcher) with {@code java} in place of its runtime's {@code java}
     * from now on, or with its runtime's again if null. A file that cannot be run fails each start as when the JDK
     * was removed meanwhile, for the tests of what a start, a pool's build and a pool's replacement then do.
     */
    public static void javaForTests(Path java) {
        javaForTests = java;
    }

    /**
     * Waits until the AOT cache trainings started so far have ended. A benchmark calls it before it measures:
     * a training is a JVM working for seconds beside what is measured.
     *
     * @return false if {@code timeout} passed first
     */
    public boolean awaitAotTraining(Duration timeout) throws InterruptedException {
        return aot.awaitIdle(timeout);
    }

    /**
     * Starts a child JVM and returns at once; it connects back in the background.
     *
     * @throws io.github.multiprocessing4j.process.ProcessStartException at once, with no child started, if a
     *         child would not find the library on this JVM's class path and module path
     *         ({@link ChildClassPath#requireLibrary()}), or if its process cannot be created (pid -1, the
     *         {@code IOException} as the cause)
     */
    public ChildJvm launch(LaunchSpec spec) {
        return launch(spec, false);
    }

    /**
     * As {@link #launch(LaunchSpec)}, for a spare: what the child writes to stdout and stderr is kept back until
     * {@link ChildJvm#releaseOutput()} (when a start takes it over), so that a spare nobody takes prints nothing.
     *
     * @param rehearsal an encoded task for the spare to decode (not run) as it warms up, or an empty array
     */
    ChildJvm launchSpare(LaunchSpec spec, byte[] rehearsal) {
        return launch(spec, true, null, rehearsal);
    }

    /**
     * Starts a child JVM with its task, the encoded {@code OneShotProtocol.Run} of a {@code JvmProcess}, in its
     * boot record, and returns at once; see {@link io.github.multiprocessing4j.internal.worker.DirectStart}. Such a
     * child never connects back: {@link ChildJvm#awaitStarted} waits for its start.
     */
    public ChildJvm launchDirect(LaunchSpec spec, byte[] run) {
        if (run.length == 0) {
            throw new IllegalArgumentException("no task to start the child with");
        }
        return launch(spec, false, run, NOTHING);
    }

    private ChildJvm launch(LaunchSpec spec, boolean holdOutput) {
        return launch(spec, holdOutput, null, NOTHING);
    }

    /**
     * @param run       the task of a direct start, or null
     * @param rehearsal a task for a spare to rehearse, or an empty array
     */
    private ChildJvm launch(LaunchSpec spec, boolean holdOutput, byte[] run, byte[] rehearsal) {
        ChildClassPath.requireLibrary();
        Session.get(); // in a JVM shutting down, refuses at once (before an AOT training is queued)
        // A training started by a start with a task rehearses it too, so that the cache holds that task's classes
        Path cache = aot.lookup(spec, output -> train(spec, output,
                run != null ? SpareJvms.rehearsalOf(OneShotProtocol.Run.decode(run).task()) : rehearsal));
        Map<String, String> properties = JavaCommand.libraryProperties();
        Runnable dropCache = cache == null ? null : () -> aot.drop(cache);
        return start(command.build(spec, properties, cache, null), spec, properties, null, dropCache, holdOutput, run,
                rehearsal);
    }

    /**
     * @param properties the {@link JavaCommand#libraryProperties()} that {@code argv} gives the child
     * @param log        where the child's stdout and stderr go, or null to copy them to this JVM's
     * @param dropCache  deletes the AOT cache that {@code argv} gives the child, or null if it gives none
     * @param holdOutput whether to keep the child's output back until {@link ChildJvm#releaseOutput()}
     * @param run        the task of a direct start (the child then never connects back), or null
     * @param rehearsal  a task for a spare to rehearse, or an empty array
     */
    private ChildJvm start(List<String> argv, LaunchSpec spec, Map<String, String> properties, File log,
                           Runnable dropCache, boolean holdOutput, byte[] run, byte[] rehearsal) {
        Session session = Session.get();
        ChildListener listener = session.listener();
        long token = TOKENS.nextLong();
        // A direct child never comes to the listener: its arrival stays pending, and its token unknown there.
        CompletableFuture<ChildListener.Arrival> arrival = run != null ? new CompletableFuture<>() : listener.expect(token);
        StartSignal startSignal = run != null ? new StartSignal(DirectStart.startSignal(session.key(), token)) : null;
        long launchNanos = System.nanoTime();
        List<String> command = withJavaForTests(argv);
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(spec.environment());
            if (log != null) {
                builder.redirectErrorStream(true).redirectOutput(log);
            }
            process = builder.start();
        } catch (IOException e) {
            listener.remove(token); // no child will come for it
            throw cannotCreate(command.getFirst(), e);
        } catch (RuntimeException | Error e) {
            listener.remove(token); // no child will come for it
            throw e;
        }
        LOG.log(Level.DEBUG, () -> "started child JVM " + process.pid() + ": " + String.join(" ", command));
        ChildJvm child = null;
        try {
            StderrTail tail = new StderrTail(TAIL_BYTES);
            OutputPump out = OutputPump.start(process.getInputStream(), () -> System.out, null,
                    "mp4j-out-" + process.pid(), holdOutput, startSignal,
                    "the stdout of child JVM " + process.pid() + " to System.out");
            OutputPump err = OutputPump.start(process.getErrorStream(), () -> System.err, tail,
                    "mp4j-err-" + process.pid(), holdOutput, null,
                    "the stderr of child JVM " + process.pid() + " to System.err");
            // The listener's, not session.directory() read again: a relocation by another start in between would
            // give this child the new directory and the old, removed socket
            Path directory = listener.socket().getParent();
            child = new ChildJvm(process, token, launchNanos, arrival, out, err, tail, listener, properties, dropCache,
                    startSignal == null ? null : startSignal.seen(), directory);
            BootRecord boot = new BootRecord(session.key(), directory, listener.socket(), token,
                    ProcessHandle.current().pid(), run != null && JvmWideFilterSources.noneReach(spec),
                    holdOutput, // a spare: only a spare's output is held back
                    run == null ? NOTHING : run, rehearsal);
            byte[] record = boot.encode();
            boolean keepOpen = run != null; // a direct child gets its go on stdin, in ChildJvm.awaitStarted
            if (record.length <= PIPE_HOLDS) {
                writeBootRecord(process, record, keepOpen);
            } else {
                // A direct start's task that a pipe does not hold: the write blocks, uninterruptibly, until the child
                // has read it, and a child that never gets to (it waits for a debugger, say) would hold the caller for
                // ever, where awaitStarted gives up after its timeout, and kills it, which ends this write.
                LibraryThreads.daemon("mp4j-boot-" + process.pid()).stackSize(128 * 1024)
                        .inheritInheritableThreadLocals(false).start(() -> writeBootRecord(process, record, keepOpen));
            }
            return child;
        } catch (RuntimeException | Error e) {
            // A thread that cannot be made (out of memory, a thread limit), say: the child, started already, would
            // run on with nobody to drive it, its pipes unread.
            if (child != null) {
                child.discard();
            } else {
                ChildJvm.killTree(process);
                listener.remove(token);
            }
            throw e;
        }
    }

    /** {@code argv}, with the {@code java} of {@link #javaForTests} if one is set. */
    private static List<String> withJavaForTests(List<String> argv) {
        Path java = javaForTests;
        if (java == null) {
            return argv;
        }
        List<String> command = new ArrayList<>(argv);
        command.set(0, java.toString());
        return command;
    }

    /**
     * The failure of a start whose process could not be created ({@code ProcessBuilder.start()} threw): the {@code
     * java} executable gone or not executable, a fork refused under a process limit (EAGAIN), no file descriptor left
     * for the pipes. No child ran: its pid is -1.
     */
    private static ProcessStartException cannotCreate(String java, IOException e) {
        // "Cannot run program "/…/java": error=13, Permission denied", its cause saying the OS's part alone
        String why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage()
                : e.getMessage();
        ProcessStartException failure = new ProcessStartException("could not create the process of a child JVM with "
                + java + ": " + why, -1, OptionalInt.empty(), "");
        failure.initCause(e);
        return failure;
    }

    /**
     * Writes the boot record to the child's stdin, and then closes it: the child's stdin is empty, at its end for
     * whoever reads file descriptor 0 (FileDescriptor.in, a program the task starts with inheritIO()); an open pipe
     * would block them. Unless {@code keepOpen}: a direct child's stdin gets its go, and is closed, once the child
     * has signalled its start (see {@link ChildJvm#awaitStarted}).
     */
    private static void writeBootRecord(Process process, byte[] record, boolean keepOpen) {
        OutputStream stdin = process.getOutputStream();
        try {
            stdin.write(record);
            stdin.flush();
            if (!keepOpen) {
                stdin.close();
            }
        } catch (IOException e) {
            // the child died at once; awaitConnected (awaitStarted) reports why, with its stderr
            LOG.log(Level.DEBUG, "could not write the boot record to child " + process.pid(), e);
        }
    }

    /**
     * An AOT training run: a child with {@code -XX:AOTCacheOutput} that runs the training task and exits, which
     * writes the cache (the JDK starts a JVM of its own to assemble it, and the trainer waits for that one).
     *
     * @param rehearsal a task for the training child to decode (not run) as well, or an empty array
     */
    private int train(LaunchSpec spec, Path output, byte[] rehearsal)
            throws IOException, InterruptedException, TimeoutException {
        return train(spec, output, AotTraining.task(rehearsal), TRAINING_TIMEOUT);
    }

    /**
     * {@link #train(LaunchSpec, Path, byte[])} with the training task and the timeout given: in tests, a task that
     * never ends, and a timeout shorter than {@link #TRAINING_TIMEOUT}. A training that does not end well (it missed
     * a timeout, its connection broke, this thread was interrupted) is killed with what it started, and they are
     * gone when this returns: the caller deletes the folder they write in.
     *
     * @param timeout how long the child has to connect back and finish its task, and then again to exit
     * @return the training child's exit value
     * @throws TimeoutException if the child did not finish its task in time, or did not exit in time after it
     */
    int train(LaunchSpec spec, Path output, SerializableRunnable training, Duration timeout)
            throws IOException, InterruptedException, TimeoutException {
        File log = new File(output.getParent().toFile(), output.getFileName().toString().replaceFirst("\\.aot\\..*", "") + ".log");
        Map<String, String> properties = JavaCommand.libraryProperties();
        ChildJvm child = start(command.build(spec, properties, null, output), spec, properties, log, null, false, null,
                NOTHING);
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean exited = false;
        try {
            child.awaitConnected(timeout);
            byte[] task = Codec.standard().encode(training);
            child.connection().send(FrameType.RUN, 0, new OneShotProtocol.Run("aot-training", task).encode());
            // DONE; or null if the child ended the connection without it (it died, or its rehearsal ended the JVM):
            // then, as after DONE, its exit value tells whether it wrote a cache
            if (!receive(child, deadline)) {
                throw new TimeoutException("the AOT training child (pid " + child.pid() + ") did not finish its task"
                        + " within " + timeout.toSeconds() + " s; killed it");
            }
            // the cache is written while the child exits
            if (!child.process().waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new TimeoutException("the AOT training child (pid " + child.pid() + ") did not exit within "
                        + timeout.toSeconds() + " s of the end of its task, the JDK assembling its cache; killed it,"
                        + " with the JVM it started");
            }
            exited = true;
            return child.process().exitValue();
        } finally {
            if (!exited) {
                killTraining(child);
            }
            child.close();
        }
    }

    /**
     * Reads the training child's report, until {@code deadline} (of {@link System#nanoTime()}): on a thread of its
     * own, as a read cannot be given a timeout. That thread ends when the connection does, which the caller's
     * {@link ChildJvm#close()} ends at the latest.
     *
     * @return false if the deadline passed first
     * @throws IOException if the read failed: a frame cut short, one the protocol does not know
     */
    private static boolean receive(ChildJvm child, long deadline) throws IOException, InterruptedException {
        CompletableFuture<Frame> report = new CompletableFuture<>();
        // A platform thread, not a virtual one (see LibraryThreads): a virtual reader waited for a carrier held by
        // CPU-bound virtual threads, so that the training timed out and was killed, and children booted without a
        // cache. It reads bytes only:
        // none of the caller's context; in the library's group, where no program's ThreadGroup.interrupt() reaches.
        LibraryThreads.daemon("mp4j-aot-training-report-" + child.pid()).inheritInheritableThreadLocals(false)
                .start(() -> {
                    try {
                        report.complete(child.connection().receive());
                    } catch (Throwable t) {
                        report.completeExceptionally(t);
                    }
                });
        try {
            report.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("could not read the AOT training child's report", e.getCause());
        }
    }

    /**
     * Kills a training child, and what it started: the JVM the JDK starts to assemble the cache as the trainer exits
     * would otherwise run on, and write on, after the trainer's death. Waits (a while) until they are gone, unless
     * this thread is interrupted (the interrupt is kept).
     */
    private static void killTraining(ChildJvm child) {
        List<ProcessHandle> descendants = child.killTree();
        long deadline = System.nanoTime() + KILL_WAIT.toNanos();
        try {
            child.process().waitFor(KILL_WAIT.toNanos(), TimeUnit.NANOSECONDS);
            for (ProcessHandle p : descendants) {
                // not onExit(): the JDK completes it on the common ForkJoinPool, which may be full
                while (p.isAlive() && System.nanoTime() - deadline < 0) {
                    Thread.sleep(KILL_POLL_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

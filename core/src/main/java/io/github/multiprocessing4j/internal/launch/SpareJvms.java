package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.codec.LambdaCodec;
import io.github.multiprocessing4j.internal.config.Settings;
import io.github.multiprocessing4j.process.ProcessStartException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The warm spare: one child JVM, booted and authenticated ahead of time, that the next launch with the
 * same {@link LaunchSpec} takes over instead of booting a JVM of its own. Python's forkserver plays the
 * same role.
 *
 * <p>Lifecycle: there is no spare until the first {@link #take}. Each take hands over the spare if it is
 * ready; otherwise it starts a child <em>directly</em>, with the task in its boot record
 * ({@link io.github.multiprocessing4j.internal.worker.DirectStart}): such a child skips the Unix-domain socket,
 * whose first use costs a cold JVM 28-50 ms, and so starts sooner than a spare that has just begun to boot
 * would be ready. (With {@code -Dmp4j.directStart=false}, a take waits for a spare still booting, or boots a
 * child that connects back.) The next spare starts booting when the child just handed out is done (when its
 * handle sees it exit, {@link ChildJvm#markDone}, or when the process exits), or
 * {@value #REPLENISH_DELAY_MILLIS} ms after the hand-over, whichever comes first; it starts {@value #QUIET_MILLIS}
 * ms later, and only if no other take has come since the hand-over: the next start usually follows the end of the
 * current child, and a spare booting beside a short child, or beside the next direct start, would only slow it
 * down. So a run of back-to-back starts never has two JVMs booting at once, and starts that come apart find the
 * spare ready. A spare for another spec is closed. A spare that died while idle is
 * noticed and replaced by a fresh launch, and so is one booted before an {@code mp4j.*} system property
 * changed (children are given those: see {@link JavaCommand#libraryProperties()}). A spare that has not connected
 * back within the connect timeout of the take that booted it (stuck at boot) is killed, with what it started, and
 * replaced likewise. Spares exit with this JVM (an idle one is killed at exit, with what it started).
 *
 * <p>Starts whose specs keep changing (say, a system property that differs per child) would waste a spare
 * per start: each would boot a spare for its own spec, which the next start, with another spec, cannot use.
 * So after two changes of spec in a row no spare is booted until a start uses the spare or follows one with
 * the same spec; the spare already there is kept, so two specs that alternate still have every other start
 * served by it.
 *
 * <p>What a spare writes to stdout and stderr as it boots is kept back until a start takes it over
 * ({@link ChildLauncher#launchSpare}): a spare that nobody takes prints nothing.
 *
 * <p>A spare <em>rehearses</em> the task of the latest take, as Python's forkserver imports the main module before
 * it forks: as it warms up, it decodes that task (up to {@value #MAX_REHEARSAL_BYTES} bytes) and drops it, never
 * running it. A program that starts the same kind of task again finds the spare with the task's classes loaded and
 * initialized and its lambda linked, which saves the next start their ~3-5 ms. Such a spare runs only a task of the
 * kind it rehearsed (the same lambda of the same class, whatever values it captures, whose decode initializes the
 * same classes: the class that wrote it, its functional interface, its marker interfaces; or the very same bytes):
 * what the rehearsed classes' static initializers did (a thread started, a hook registered, a line printed) must not
 * end up in the process of a task that would not have run them. A take of another kind closes it and starts a fresh
 * child, and a spare rehearses only after two takes in a row of one kind, so a program whose tasks vary gets plain
 * spares. The task's classes are initialized in the spare even if no start takes it then, as they would be by a
 * start that did; a decode that fails is left for the start to meet. A spare says hello, and so can be taken, only
 * once its rehearsal is over: a task decoded beside it could deadlock with it on class initialization; one whose
 * rehearsal has not ended within 5 s (a static initializer that waits) leaves unused. A spare that rehearsed a task
 * and is closed unused halts, as threads that the task's static initializers started would keep it alive.
 * {@code -Dmp4j.spare.rehearse=false} turns rehearsals off.
 *
 * <p>{@code -Dmp4j.spare=false} turns spares off.
 *
 * <p>Thread-safe.
 */
public final class SpareJvms {
    private static final System.Logger LOG = System.getLogger(SpareJvms.class.getName());
    private static final long REPLENISH_DELAY_MILLIS = 250;
    /** How long no take must come before a spare starts booting. */
    private static final long QUIET_MILLIS = 50;
    /** A task larger than this is not rehearsed: its decode would hold the spare up, and it is not the usual one. */
    private static final int MAX_REHEARSAL_BYTES = 64 * 1024;
    private static final byte[] NO_REHEARSAL = new byte[0];
    private static final SpareJvms INSTANCE = new SpareJvms(ChildLauncher.get());

    private final ChildLauncher launcher;
    private volatile boolean enabled = Settings.isOn(Settings.SPARE);
    /** Guarded by this. */
    private LaunchSpec spareSpec;
    /** The spare being launched or launched; guarded by this. */
    private CompletableFuture<ChildJvm> spare;
    /** Guarded by this. */
    private boolean hookInstalled;
    /** Set once this JVM shuts down: no spare boots then (it would outlive the hook that kills it); guarded by this. */
    private boolean shuttingDown;
    /** The spec of the latest take, or null; guarded by this. */
    private LaunchSpec lastTaken;
    /** How many takes in a row had another spec than the take before; guarded by this. */
    private int specChanges;
    /** Guarded by this. */
    private long launched;
    /** How many takes there have been; guarded by this. */
    private long takes;
    /** The task of the latest take, for the next spare to rehearse, or an empty array; guarded by this. */
    private byte[] rehearsal = NO_REHEARSAL;
    /** The kind of the latest take's task ({@link #kindOf}), or null; guarded by this. */
    private byte[] lastKind;
    /** The kind of task the current spare rehearsed, or null if it rehearsed none; guarded by this. */
    private byte[] spareKind;

    /** For tests: the failures that {@link #failNext} set up, each thrown once where it names. */
    private final Map<FailurePoint, Error> failures = new ConcurrentHashMap<>();

    SpareJvms(ChildLauncher launcher) {
        this.launcher = launcher;
    }

    /** For tests: where {@link #failNext} makes this instance throw. */
    enum FailurePoint {
        /** As a spare's connect watch ({@link #endUnlessConnected}) starts its thread: as when none can be made. */
        CONNECT_WATCH_START,
        /** In a spare's connect watch's thread, as its wait begins: as when it cannot make its exit watch's thread. */
        CONNECT_WATCH,
        /** As a timer ({@link #after}) starts its thread: the first is the one of the take that schedules a spare. */
        TIMER_START,
        /** As a take waits for the spare it took to connect: as when that wait cannot make its exit watch's thread. */
        HAND_OVER
    }

    /**
     * For tests only: makes this instance throw {@code failure} the next time it gets to {@code where} (once), as it
     * would were no thread to be had there. The real failures are out-of-memory errors that no test can cause alone.
     */
    void failNext(FailurePoint where, Error failure) {
        failures.put(where, failure);
    }

    private void failIfTold(FailurePoint where) {
        Error failure = failures.remove(where);
        if (failure != null) {
            throw failure;
        }
    }

    public static SpareJvms get() {
        return INSTANCE;
    }

    /**
     * A child for {@code spec}: the spare if there is a live one that is ready, or else a child started directly
     * with {@code run} ({@link ChildJvm#isDirect()}). A spare, which is connected, still needs the task.
     *
     * @param run  the task, an encoded {@code OneShotProtocol.Run}
     * @param task the encoded task that {@code run} holds, for the kind of the spare it may take, and to rehearse
     * @param connectTimeout how long the whole take may wait: for a spare still booting (its launch, its connect)
     *        and for a fresh child after it together
     * @throws ProcessStartException if a fresh child fails to start, or no child is ready within
     *         {@code connectTimeout}
     */
    public ChildJvm take(LaunchSpec spec, Duration connectTimeout, byte[] run, byte[] task) throws InterruptedException {
        // One deadline for the whole take: the wait for a spare's launch, for it to connect, and for a fresh child
        long begun = System.nanoTime();
        long budget = TimeUnit.NANOSECONDS.convert(connectTimeout); // saturated: toNanos() throws past 292 years
        Supplier<Duration> left = () -> Duration.ofNanos(Math.max(0, budget - (System.nanoTime() - begun)));
        boolean direct = Settings.isOn(Settings.DIRECT_START);
        byte[] kind = kindOf(task);
        CompletableFuture<ChildJvm> candidate;
        boolean keepSpare;
        long take;
        synchronized (this) {
            candidate = direct ? takeReadySpare(spec, kind) : takeSpare(spec, kind);
            keepSpare = noteTake(spec, candidate != null);
            take = ++takes;
            // Rehearsed only once two takes in a row bring the same kind: a spare that rehearsed one kind cannot take
            // another, and a program whose tasks vary would otherwise waste every spare
            rehearsal = kind != null && Arrays.equals(kind, lastKind) ? rehearsalOf(task) : NO_REHEARSAL;
            lastKind = kind;
        }
        ChildJvm child = null;
        ProcessStartException spareFailure = null;
        if (candidate != null) {
            try {
                ChildJvm spareChild = candidate.get(left.get().toNanos(), TimeUnit.NANOSECONDS);
                if (!spareChild.libraryProperties().equals(JavaCommand.libraryProperties())) {
                    // an mp4j.* setting changed since the spare booted: it would run the task under the old one
                    LOG.log(Level.DEBUG, "the spare {0} has outdated mp4j.* settings; starting a fresh child",
                            spareChild.pid());
                    spareChild.discard();
                } else {
                    failIfTold(FailurePoint.HAND_OVER);
                    spareChild.awaitConnected(left.get(), connectTimeout);
                    if (spareChild.process().isAlive()) {
                        spareChild.releaseOutput(); // what it wrote as it booted, as a fresh child's would be
                        child = spareChild;
                    } else {
                        spareChild.close();
                    }
                }
            } catch (ProcessStartException e) {
                spareFailure = e;
                LOG.log(Level.DEBUG, "the spare failed; starting a fresh child: {0}", e.getMessage());
            } catch (ExecutionException e) {
                LOG.log(Level.DEBUG, "the spare failed; starting a fresh child: {0}", e.getMessage());
            } catch (TimeoutException e) {
                // A launch can wait at the session's listener, whose lock a relocation of its socket holds as it binds
                candidate.thenAccept(ChildJvm::discard); // taken out of its slot: nobody else will end it
                spareFailure = new ProcessStartException("no child JVM started within " + connectTimeout.toSeconds()
                        + " s: the launch of the spare it waited for did not finish (it is ended when it does)", -1,
                        OptionalInt.empty(), "");
                LOG.log(Level.DEBUG, "the spare's launch did not finish within {0} s", connectTimeout.toSeconds());
            } catch (InterruptedException | RuntimeException | Error e) {
                // Interrupted, or what should not be thrown (no thread for the wait's exit watch, say)
                candidate.thenAccept(ChildJvm::discard); // taken out of its slot: nobody else will end it
                throw e;
            }
        }
        if (child == null) {
            if (spareFailure != null && left.get().isZero()) {
                throw spareFailure; // the spare took the whole timeout: no time is left for a fresh child
            }
            child = direct
                    ? launchReady(() -> launcher.launchDirect(spec, run),
                            c -> c.awaitStarted(left.get(), connectTimeout))
                    : launchReady(() -> launcher.launch(spec), c -> c.awaitConnected(left.get(), connectTimeout));
        }
        if (enabled && keepSpare) {
            try {
                AtomicBoolean replenished = new AtomicBoolean();
                Runnable replenish = () -> {
                    if (replenished.compareAndSet(false, true)) {
                        replenishWhenQuiet(spec, take, connectTimeout);
                    }
                };
                child.whenDone(replenish);
                after(REPLENISH_DELAY_MILLIS, replenish);
            } catch (RuntimeException | Error e) {
                // No thread for the timer, say. The child has started (a direct one runs its task already): thrown, it
                // would run on with nobody to join it or end it. No spare is booted after the delay: only once this
                // child is done (whenDone, if it was registered), or at the next take.
                LOG.log(Level.WARNING, "could not schedule the boot of a spare", e);
            }
        }
        return child;
    }

    /** Waits for a fresh child to be ready: connected back, or, for a direct one, started. */
    @FunctionalInterface
    interface Readiness {
        void await(ChildJvm child) throws InterruptedException;
    }

    /**
     * A fresh child from {@code launch}, ready. One that dies at boot with an AOT cache, which is then deleted
     * (see {@link ChildJvm#awaitConnected}), is followed by one more launch, without it. A child whose wait fails
     * otherwise (it is interrupted; it throws what it should not, as when no thread can be made) is killed, with
     * what it started ({@link ChildJvm#discard}): nobody else has it.
     */
    static ChildJvm launchReady(Supplier<ChildJvm> launch, Readiness readiness) throws InterruptedException {
        ChildJvm child = launch.get();
        try {
            readiness.await(child);
            return child;
        } catch (ProcessStartException e) {
            if (!child.droppedAotCache()) {
                throw e; // it is dead, or was killed with what it started (awaitReady)
            }
            LOG.log(Level.DEBUG, "child {0} died booting with the AOT cache; starting one without it: {1}",
                    child.pid(), e.getMessage());
        } catch (InterruptedException | RuntimeException | Error e) {
            child.discard();
            throw e;
        }
        ChildJvm second = launch.get();
        try {
            readiness.await(second);
            return second;
        } catch (ProcessStartException e) {
            throw e;
        } catch (InterruptedException | RuntimeException | Error e) {
            second.discard();
            throw e;
        }
    }

    /**
     * Boots a spare for {@code spec} in {@value #QUIET_MILLIS} ms, unless another take has come after take number
     * {@code take} by then: that one boots the spare once its own child is done.
     *
     * @param connectTimeout the connect timeout of that take, which the spare has to connect back
     */
    private void replenishWhenQuiet(LaunchSpec spec, long take, Duration connectTimeout) {
        if (!isLatestTake(take)) {
            return;
        }
        after(QUIET_MILLIS, () -> {
            if (isLatestTake(take)) {
                replenish(spec, connectTimeout);
            }
        });
    }

    private synchronized boolean isLatestTake(long take) {
        return takes == take;
    }

    /**
     * Runs {@code action} in {@code millis} ms on a thread of its own that keeps nothing of the caller's context:
     * the common pool's delay scheduler, which {@code CompletableFuture.delayedExecutor} starts on first use, would
     * inherit the inheritable thread-locals and context class loader of the thread that happens to use it first.
     */
    private void after(long millis, Runnable action) {
        failIfTold(FailurePoint.TIMER_START);
        Thread.ofVirtual().name("mp4j-spare-timer").inheritInheritableThreadLocals(false).start(() -> {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis)); // an interrupt only makes it early
            try {
                action.run();
            } catch (RuntimeException | Error e) {
                // a spare is an optimisation: its failure (an Error too: no thread for its launch, say) must not reach
                // the program's stderr through this thread's uncaught handler; a start then starts a fresh child
                LOG.log(Level.DEBUG, "could not boot a spare", e);
            }
        });
    }

    /**
     * {@code task} (an encoded task) if a spare (or an AOT training child) should rehearse it, else an empty array.
     */
    static byte[] rehearsalOf(byte[] task) {
        boolean off = !Settings.isOn(Settings.SPARE_REHEARSE);
        return off || task.length > MAX_REHEARSAL_BYTES ? NO_REHEARSAL : task;
    }

    /**
     * What kind of task {@code task} is ({@link LambdaCodec#kindOf}), or null if it is too large to rehearse: a spare
     * that rehearsed a task initialized its classes, whose static initializers may have started threads or
     * registered shutdown hooks, and so it may run only a task of the same kind, which would initialize the same.
     */
    private static byte[] kindOf(byte[] task) {
        return task.length <= MAX_REHEARSAL_BYTES ? LambdaCodec.kindOf(task) : null;
    }

    /**
     * Records a take of {@code spec}; true if a spare for it is worth booting afterwards: the take found
     * its spare ({@code hit}), or the spec has not changed twice in a row.
     */
    private synchronized boolean noteTake(LaunchSpec spec, boolean hit) {
        specChanges = lastTaken == null || lastTaken.equals(spec) ? 0 : specChanges + 1;
        lastTaken = spec;
        boolean keep = hit || specChanges < 2;
        if (!keep) {
            LOG.log(Level.DEBUG, "specs changed {0} times in a row: no spare booted for this one", specChanges);
        }
        return keep;
    }

    /**
     * The spare for {@code spec} and a task of {@code kind} if it has booted and connected, else null (a spare still
     * booting stays).
     */
    private synchronized CompletableFuture<ChildJvm> takeReadySpare(LaunchSpec spec, byte[] kind) {
        if (spare == null || !spec.equals(spareSpec) || !spare.isDone()) {
            return null;
        }
        if (spare.isCompletedExceptionally()) {
            spare = null; // its launch failed: the take starts a fresh child, and the next replenish a spare
            return null;
        }
        return spare.join().isConnected() ? takeSpare(spec, kind) : null;
    }

    /** The spare for {@code spec} and a task of {@code kind}, booted or booting, else null. */
    private synchronized CompletableFuture<ChildJvm> takeSpare(LaunchSpec spec, byte[] kind) {
        if (spare == null || !spec.equals(spareSpec)) {
            return null;
        }
        if (spareKind != null && (kind == null || !Arrays.equals(spareKind, kind))) {
            // It rehearsed another kind of task, whose static initializers have run there: of no use to this one
            LOG.log(Level.DEBUG, "the spare rehearsed another kind of task; starting a fresh child");
            closeSpare();
            return null;
        }
        CompletableFuture<ChildJvm> taken = spare;
        spare = null;
        return taken;
    }

    /**
     * Starts launching a spare for {@code spec} unless one is there; the launch itself runs off this thread. The spare
     * is ended unless it connects back within {@code connectTimeout} ({@link #endUnlessConnected}).
     */
    private synchronized void replenish(LaunchSpec spec, Duration connectTimeout) {
        if (!enabled || shuttingDown) {
            return;
        }
        if (spare != null && spec.equals(spareSpec)) {
            ChildJvm current = spare.getNow(null);
            if (current == null || current.process().isAlive()) {
                return;
            }
        }
        closeSpare();
        if (!installHook()) {
            return;
        }
        spareSpec = spec;
        launched++;
        byte[] task = rehearsal;
        spareKind = task.length == 0 ? null : lastKind; // a rehearsal is the latest take's task, of lastKind
        CompletableFuture<ChildJvm> launching = CompletableFuture.supplyAsync(() -> launcher.launchSpare(spec, task),
                // the spare and its output pumps may live as long as the JVM: they must not pin the caller's context
                r -> Thread.ofVirtual().name("mp4j-spare-launch").inheritInheritableThreadLocals(false).start(r));
        spare = launching;
        launching.whenComplete((child, failure) -> {
            if (failure == null) {
                endUnlessConnected(launching, child, connectTimeout);
            } else { // no process (a fork refused, say): the next take starts a fresh child, and replenishes
                LOG.log(Level.DEBUG, "could not launch a spare", failure);
            }
        });
    }

    /**
     * Takes {@code child}, the spare that {@code launching} launched, out of its slot and ends it, with what it started
     * ({@link ChildJvm#discard}), unless it connects back within {@code bound}. A spare stuck at boot (an agent's
     * premain that waits, a JVM stopped with SIGSTOP, a connect that fails without an exit) would otherwise stay for
     * good: no take hands over a spare that has not connected, and no replenish replaces one that is alive. One no
     * longer in its slot is left alone: a take with {@code mp4j.directStart=false} waits for it within its own timeout,
     * and {@link #closeSpare} ends one that has not connected. The wait runs on a thread of its own. Should that
     * thread fail to start, or its wait throw (an {@code Error}: no thread for its exit watch, say), the spare is
     * ended at once, likewise, with a WARNING: unwatched, it would be that spare stuck for good.
     */
    private void endUnlessConnected(CompletableFuture<ChildJvm> launching, ChildJvm child, Duration bound) {
        try {
            failIfTold(FailurePoint.CONNECT_WATCH_START);
            Thread.ofVirtual().name("mp4j-spare-connect-" + child.pid()).inheritInheritableThreadLocals(false)
                    .start(() -> watchConnect(launching, child, bound));
        } catch (Throwable t) { // run in the launch's whenComplete, which would drop it without a word
            endAfterFailure(launching, child, false, t);
        }
    }

    /** The connect watch of {@link #endUnlessConnected}, on its own thread. */
    private void watchConnect(CompletableFuture<ChildJvm> launching, ChildJvm child, Duration bound) {
        boolean outOfSlot = false;
        try {
            failIfTold(FailurePoint.CONNECT_WATCH);
            if (child.awaitArrival(bound)) {
                return;
            }
            if (!leaveSlot(launching)) {
                return; // taken or closed meanwhile
            }
            outOfSlot = true;
            if (child.process().isAlive()) {
                LOG.log(Level.DEBUG, "the spare {0} did not connect back within {1} s; killing it, with what it"
                        + " started", child.pid(), bound.toSeconds());
            } else {
                LOG.log(Level.DEBUG, "the spare {0} exited with {1} before it connected back", child.pid(),
                        ExitStatus.describe(child.process().exitValue()));
            }
            child.discard();
        } catch (InterruptedException e) {
            // nothing of ours interrupts it
        } catch (Throwable t) { // not left to the thread's uncaught handler, with the spare in its slot for good
            endAfterFailure(launching, child, outOfSlot, t);
        }
    }

    /**
     * Ends {@code child}, the spare that {@code launching} launched, whose connect watch failed with {@code failure}:
     * takes it out of its slot (unless {@code outOfSlot}: the watch did already) and kills it, with what it started.
     * One that a take or a close has meanwhile is theirs to end.
     */
    private void endAfterFailure(CompletableFuture<ChildJvm> launching, ChildJvm child, boolean outOfSlot,
                                 Throwable failure) {
        if (!outOfSlot && !leaveSlot(launching)) {
            LOG.log(Level.DEBUG, "the connect watch of the spare " + child.pid() + ", taken or closed, failed", failure);
            return;
        }
        LOG.log(Level.WARNING, "could not watch the spare " + child.pid() + " connect back; killing it, with what it"
                + " started", failure);
        child.discard();
    }

    /**
     * Takes the spare that {@code launching} launched out of its slot, so that the next replenish boots a new one;
     * false if it is no longer there (a take or a close has it, and ends it).
     */
    private synchronized boolean leaveSlot(CompletableFuture<ChildJvm> launching) {
        if (spare != launching) {
            return false;
        }
        spare = null;
        return true;
    }

    /**
     * Installs, once, the shutdown hook that kills an idle spare at exit (it has nothing to finish); false if this
     * JVM is shutting down already. Called with the lock held.
     */
    private boolean installHook() {
        if (!hookInstalled) {
            try {
                Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("mp4j-spare-cleanup")
                        .inheritInheritableThreadLocals(false).unstarted(this::killSpare));
            } catch (IllegalStateException e) { // "Shutdown in progress"
                shuttingDown = true;
                return false;
            }
            hookInstalled = true;
        }
        return true;
    }

    /** The shutdown hook: kills the spare with what it started (its rehearsal's static initializers, say). */
    private synchronized void killSpare() {
        shuttingDown = true;
        if (spare != null) {
            spare.thenAccept(ChildJvm::killTree);
            spare = null;
        }
    }

    /** Whether spares are on in this JVM: {@code mp4j.spare}, unless {@link #enabled(boolean)} switched them since. */
    public boolean enabled() {
        return enabled;
    }

    /** Turns spares on or off for this JVM (benchmarks); turning them off closes the current one. */
    public void enabled(boolean on) {
        enabled = on;
        if (!on) {
            closeSpare();
        }
    }

    /**
     * Closes the spare, if any (tests, and pools that want no extra JVM). One that has not connected back yet is
     * killed, with what it started: it may never connect, to be turned away.
     */
    public synchronized void closeSpare() {
        if (spare != null) {
            spare.thenAccept(child -> {
                if (child.isConnected()) {
                    child.close();
                } else {
                    child.discard();
                }
            });
            spare = null;
        }
    }

    /** How many spares this JVM has started to boot (tests). */
    public synchronized long sparesLaunched() {
        return launched;
    }

    /** Whether there is a spare, booting or booted, in the slot (tests). */
    synchronized boolean hasSpare() {
        return spare != null;
    }

    /** Whether the current spare, booting or booted, rehearses a task (tests). */
    public synchronized boolean spareRehearses() {
        return spare != null && spareKind != null;
    }

    /** The pid of the current spare once it has booted and connected, or -1 (tests). */
    public synchronized long sparePid() {
        try {
            ChildJvm current = spare == null ? null : spare.getNow(null);
            return current == null || !current.isConnected() ? -1 : current.pid();
        } catch (CompletionException e) {
            return -1;
        }
    }
}

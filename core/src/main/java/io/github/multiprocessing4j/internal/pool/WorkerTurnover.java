package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.launch.ExitStatus;
import io.github.multiprocessing4j.internal.pool.ProcessEngine.State;
import io.github.multiprocessing4j.internal.seam.PauseSeam;
import io.github.multiprocessing4j.internal.session.Session;
import io.github.multiprocessing4j.pool.WorkerCrashedException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The comings and goings of a process pool's workers (see {@link ProcessEngine}): a worker that exits,
 * after {@code STOP} or by dying, and the replacements that boot in its place.
 *
 * <p>When a worker dies, the task it was running (the head of its queue) fails with a
 * {@link WorkerCrashedException} that quotes its exit status and stderr, or runs again if the pool allows
 * retries; the tasks queued behind it never started and go back to the front of the pool's queue (unless the pool
 * killed it without reading its connection to the end: it broke the protocol, an outcome was too large to receive,
 * the reader failed; those tasks may have run then, their outcomes unread, and still go back). Workers do
 * not acknowledge a start, so the head may not have started: a task sent to an idle worker as it dies, before
 * its death is noticed, or sent to one whose stray frame (written while it was idle, and read by nobody then)
 * is read only once that task is in flight, fails as if it had run. A worker caught breaking the protocol gets
 * no task between that moment and its kill (ProcessEngine.leastLoaded).
 *
 * <p>A replacement that fails to start (its boot fails, or the thread that boots it or those that serve it cannot be
 * made) is tried again after a pause, 0.1 s after the first failure and 0.5 s after the second (CPython's
 * ProcessPoolExecutor breaks at once, loky tries again), so that a refusal of a moment (a fork refused with EAGAIN)
 * passes. Meanwhile the retry counts as booting, so the pool neither boots another in its place nor terminates; it
 * is cancelled once
 * the pool is stopping, broken, or shut down with no task queued (ProcessEngine.dropUnneededBootsLocked). Each
 * replacement counts its own tries: several that fail at once (workers recycled together as a fork is refused) do
 * not add up. A pool with a replacement that fails to start {@value #MAX_START_TRIES} times in a row is broken:
 * it shuts down (new tasks are refused), its live workers run what is queued and what they hold, and so does a
 * replacement that was booting beside the one that failed (it joins as in a pool that runs); when no worker is
 * left to take work and no boot to bring one, the tasks still queued fail with the reason. A crash is then not
 * retried, since no replacement will come.
 *
 * <p>Guarded by the engine's lock, like the engine; futures are completed outside it.
 */
final class WorkerTurnover {
    private static final System.Logger LOG = System.getLogger(WorkerTurnover.class.getName());
    private static final int MAX_START_TRIES = 3;
    /**
     * The pause before a replacement's next try after its 1st, its 2nd failed start: a refusal that passes (a fork
     * refused with EAGAIN while the process table or memory is full for a moment) does not break the pool, and a
     * lasting one still breaks it within a second, not after a series of JVMs booted in vain.
     */
    private static final long[] RETRY_PAUSES_MILLIS = {100, 500};
    private static final long EXIT_WAIT_MILLIS = 2000;
    /** For tests: what the end of the next boot runs first ({@link #beforeNextBootEnds}); null for none. */
    private static final PauseSeam BEFORE_BOOT_ENDS = new PauseSeam();

    private final ProcessEngine engine;
    /** The retries that wait for their pause; guarded by the engine's lock. */
    private final Set<DueBoot> dueBoots = new HashSet<>();
    /** The boots under way, each counted in {@code engine.booting} until it ends; guarded by the engine's lock. */
    private final Set<Boot> boots = new HashSet<>();

    WorkerTurnover(ProcessEngine engine) {
        this.engine = engine;
    }

    /** The worker exited after STOP, or died. Whoever notices first handles it; later calls do nothing. */
    void workerExited(Worker w) {
        if (!w.exitHandled.compareAndSet(false, true)) {
            return;
        }
        engine.lock.lock();
        try {
            w.exited = true; // no more tasks for it while we wait for the process and its output below
        } finally {
            engine.lock.unlock();
        }
        Process process = w.child.process();
        try {
            if (!process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                w.child.killTree();
                process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        w.child.awaitOutputDrained();
        int exit = process.isAlive() ? -1 : process.exitValue();
        List<TaskRecord> failed = new ArrayList<>();
        List<TaskRecord> cancelled = new ArrayList<>();
        List<TaskRecord> doomed = new ArrayList<>();
        List<Worker> touched = new ArrayList<>();
        String violation;
        engine.lock.lock();
        try {
            violation = w.protocolViolation;
            w.dead = true;
            if (w.killAfterStop != null) {
                w.killAfterStop.cancel(false); // exited: its kill, and the worker that the timer's entry holds, can go
                w.killAfterStop = null;
            }
            engine.workers.remove(w);
            TaskRecord head = w.inFlight.pollFirst();
            if (head != null && head.timeout != null) {
                head.timeout.cancel(false);
            }
            if (engine.state == State.STOPPING) {
                if (head != null) {
                    cancelled.add(head);
                }
                cancelled.addAll(w.inFlight);
            } else {
                for (Iterator<TaskRecord> it = w.inFlight.descendingIterator(); it.hasNext(); ) {
                    TaskRecord queued = it.next();
                    // A worker runs one task at a time, and its connection was read to the end: a task behind the
                    // head never started. Unless the pool stopped reading before the end (Worker.leftUnread): the
                    // worker may have run it then, its outcome unread. It runs again all the same (as the head may).
                    if (w.leftUnread) {
                        queued.mayHaveRun = true;
                    }
                    requeueLocked(queued);
                }
                if (head != null && !head.future.isDone()) {
                    if (w.killedFor == head) {
                        // Killed at its deadline: the timer completes its future with TaskTimeoutException, right
                        // after the kill (ProcessEngine.timedOut).
                        LOG.log(Level.DEBUG, "{0} was killed at the deadline of {1}", w, head);
                    } else if (w.killedFor != null) {
                        // Killed for a task (a timeout, a cancel) whose outcome arrived just before the kill
                        // landed: the task it had moved on to is not to blame, and runs again elsewhere.
                        LOG.log(Level.DEBUG, "{0} was killed for {1} as it started {2}; running that again",
                                w, w.killedFor, head);
                        head.mayHaveRun = true;
                        requeueLocked(head);
                    } else if (head.attempts < engine.config.retries() && engine.broken == null) {
                        head.attempts++;
                        LOG.log(Level.DEBUG, "{0} died running {1}; running it again (attempt {2})", w, head, head.attempts + 1);
                        head.mayHaveRun = true;
                        requeueLocked(head);
                    } else {
                        failed.add(head);
                    }
                }
                if (!w.stopSent || head != null) {
                    LOG.log(Level.DEBUG, "{0} died: {1}", w, ExitStatus.describe(exit));
                }
                if (wantsReplacementLocked()) {
                    if (!w.stopSent || w.retiring) {
                        bootReplacementLocked();
                    }
                }
                engine.dispatchLocked(touched);
                failPendingIfBrokenLocked(doomed);
                engine.dropUnneededBootsLocked();
            }
            w.inFlight.clear();
            w.readable.signalAll();
            // The pool terminates once the futures below are completed, not before: close() returns with them done.
            engine.delivering();
        } finally {
            engine.lock.unlock();
        }
        try {
            w.connection.close();
            w.stopWriter();
            ProcessEngine.flush(touched);
            if (!failed.isEmpty()) {
                String tail = w.child.stderrTail(20);
                int signal = ExitStatus.signal(exit);
                for (TaskRecord t : failed) {
                    t.future.completeExceptionally(new WorkerCrashedException(
                            "worker " + w + (violation == null ? " died" : " broke the pool's protocol (" + violation
                                    + ") and was killed") + " while running a task"
                                    + (t.attempts == 0 ? "" : " (its worker died in each of its " + (t.attempts + 1)
                                            + " runs: retries(" + engine.config.retries() + "))")
                                    + ": " + ExitStatus.describe(exit)
                                    + (tail.isEmpty() ? "" : ". Last lines of its stderr:\n" + tail),
                            w.pid(), exit, signal, tail));
                }
            }
            for (TaskRecord t : cancelled) {
                t.future.completeExceptionally(new CancellationException("the pool was terminated"));
            }
            failBroken(doomed);
        } finally {
            engine.delivered();
        }
    }

    private void requeueLocked(TaskRecord task) {
        task.worker = null;
        task.startNanos = 0;
        // A task whose cancel the engine has been told of is not run elsewhere: its future is about to be
        // cancelled (the cancel tells the engine first), and cancel() will have returned true.
        if (!task.future.isDone() && !task.cancelRequested) {
            engine.pending.addFirst(task);
        }
    }

    /** Boots a replacement worker in the background, unless enough are running or booting. Lock held. */
    void bootReplacementLocked() {
        bootReplacementLocked(0, 0);
    }

    /**
     * Boots a replacement, at once or {@code pauseMillis} from now (a retry: {@link #bootDue}), after
     * {@code failedTries} failed starts of this one. Lock held.
     */
    private void bootReplacementLocked(long pauseMillis, int failedTries) {
        long live = engine.workers.stream().filter(x -> !x.retiring && !x.stopSent && !x.dead).count();
        if (live + engine.booting >= engine.config.processes() || engine.broken != null) {
            return;
        }
        engine.booting++; // a boot that waits for its pause too: the pool neither boots another nor terminates
        if (pauseMillis == 0) {
            startBootLocked(failedTries);
            return;
        }
        DueBoot due = new DueBoot(failedTries);
        // does not throw: the timer's thread was made with the pool (PoolTimer.startedNow)
        due.timer = engine.timer.schedule(() -> bootDue(due), TimeUnit.MILLISECONDS.toNanos(pauseMillis));
        dueBoots.add(due); // before bootDue can look: it takes the lock, which this thread holds
    }

    /** Starts the thread that boots a replacement, counted in {@code engine.booting}. Lock held. */
    private void startBootLocked(int failedTries) {
        Boot underWay = new Boot(failedTries);
        boots.add(underWay);
        long ticket = engine.boot.ticket();
        Runnable boot = () -> {
            Worker w = null;
            Throwable failure = null;
            try {
                w = engine.boot.bootOne(ticket);
            } catch (Throwable e) {
                // An Error too (no thread for the child's output pumps: out of memory, a thread limit), which would
                // end this thread with the boot still counted, and no replacement ever booted, nor the pool terminated
                failure = e;
            }
            replacementBooted(w, failure, underWay);
        };
        try {
            WorkerBoot.startThread(boot);
        } catch (RuntimeException | Error e) {
            // No thread for the boot (out of memory, say). Thrown here, under the lock, it would leave the boot counted
            // for good: no replacement ever booted, nor the pool terminated. A failed start of this replacement
            // instead, which may break the pool: handled as a failed boot is, outside the lock (tasks to fail, STOPs
            // to write), on the timer, which does not throw (its thread was made with the pool)
            IllegalStateException failure = new IllegalStateException(
                    "could not start the thread that boots a replacement worker: " + e, e);
            engine.timer.schedule(() -> replacementBooted(null, failure, underWay), 0);
        }
    }

    /**
     * Whether the pool wants a replacement: it runs, or, after shutdown(), tasks queued wait for a worker. Lock held.
     */
    private boolean wantsReplacementLocked() {
        return engine.state == State.RUNNING || (engine.state == State.SHUTDOWN && !engine.pending.isEmpty());
    }

    /** A retry's pause is over: it boots, if a replacement is still wanted (as after a failed start). */
    private void bootDue(DueBoot due) {
        engine.lock.lock();
        try {
            if (!dueBoots.remove(due)) {
                return; // cancelled (cancelDueBootsLocked), which gave its count back
            }
            if (engine.broken == null && wantsReplacementLocked()) {
                startBootLocked(due.failedTries);
            } else {
                engine.booting--;
                engine.checkTerminatedLocked();
            }
        } finally {
            engine.lock.unlock();
        }
    }

    /**
     * Cancels the retries that wait for their pause (the pool is stopping, broken, or shut down with nothing left
     * to run): they no longer hold up its termination. The caller checks for that. Lock held.
     */
    void cancelDueBootsLocked() {
        for (DueBoot due : dueBoots) {
            due.timer.cancel(false);
        }
        engine.booting -= dueBoots.size();
        dueBoots.clear();
    }

    /**
     * Kills the boots under way (ProcessEngine.dropUnneededBootsLocked: the pool is shut down and no task waits for
     * a worker), marking each as {@linkplain Boot#dropped dropped} first. Lock held.
     */
    void dropBootsLocked() {
        for (Boot underWay : boots) {
            underWay.dropped = true;
        }
        engine.boot.killBooting();
    }

    /** A replacement's boot under way, counted in {@code engine.booting} until it ends ({@link #replacementBooted}). */
    private static final class Boot {
        /** How many times this replacement failed to start before this try. */
        final int failedTries;
        /**
         * Killed as no longer needed ({@link #dropBootsLocked}); guarded by the engine's lock. Its end is then no
         * failed start, though a crash may have sent a task back to the queue before that end is handled: the pool
         * is no longer one shut down with nothing queued, and the kill would have counted as a try of this
         * replacement (the third one breaking the pool).
         */
        boolean dropped;

        Boot(int failedTries) {
            this.failedTries = failedTries;
        }
    }

    /** A replacement's boot that waits for its pause, counted in {@code engine.booting}. */
    private static final class DueBoot {
        /** How many times this replacement failed to start so far. */
        final int failedTries;
        /** Guarded by the engine's lock; set before the timer can fire, as that takes the lock. */
        ScheduledFuture<?> timer;

        DueBoot(int failedTries) {
            this.failedTries = failedTries;
        }
    }

    /**
     * For tests: makes the end of the next replacement's boot (ready, or failed) run {@code meanwhile} before it is
     * handled under the engine's lock, and then handled as usual: what other threads do in that gap. Null for none.
     */
    static void beforeNextBootEnds(Runnable meanwhile) {
        BEFORE_BOOT_ENDS.once(meanwhile);
    }

    private void replacementBooted(Worker w, Throwable failure, Boot underWay) {
        BEFORE_BOOT_ENDS.pass();
        List<Worker> touched = new ArrayList<>();
        List<TaskRecord> doomed = new ArrayList<>();
        boolean keep = false;
        int failedTries = underWay.failedTries;
        engine.lock.lock();
        try {
            engine.booting--;
            boots.remove(underWay);
            if (underWay.dropped) {
                // Killed as no longer needed: no worker (one that was ready just before the kill is discarded below),
                // and no failed start. A crash may have sent a task back to the queue since: the replacement
                // it wanted was not booted, as this boot still counted; it boots now, with this one's tries.
                LOG.log(Level.DEBUG, "a replacement worker killed as no longer needed ended: {0}",
                        failure == null ? "it was ready" : failure.getMessage());
                if (wantsReplacementLocked()) {
                    bootReplacementLocked(0, failedTries);
                }
            } else if (w != null && (engine.state == State.RUNNING || engine.state == State.SHUTDOWN)) {
                // Not a successful start yet (failedTries): its threads must start first (serve)
                engine.workers.add(w);
                keep = true;
                engine.stopIfDoneLocked(w, touched);
                engine.dispatchLocked(touched);
                engine.reclaim.armLocked(); // it may be idle, while tasks wait behind a long one elsewhere
            } else if (failure != null) {
                startFailedLocked(failure, failedTries, touched, doomed);
            }
            // The last boot of a broken pool has ended: the tasks still queued fail, unless a live worker takes them
            // (this one, just added, has had them: dispatchLocked)
            failPendingIfBrokenLocked(doomed);
            engine.delivering(); // the pool terminates once the doomed tasks have failed, not before
        } finally {
            engine.lock.unlock();
        }
        try {
            if (w != null) {
                if (keep) {
                    if (!serve(w, failedTries, touched, doomed)) {
                        touched.remove(w);
                    }
                } else {
                    w.child.discard(); // it never reached a reader thread, which would have closed its connection
                }
            }
            ProcessEngine.flush(touched);
            failBroken(doomed);
        } finally {
            engine.delivered();
        }
    }

    /**
     * A replacement failed to start: its boot failed ({@code failure}), or the threads that serve it could not be
     * made; it had failed {@code failedTries} times before. Unless it was no longer needed, or the pool is stopping,
     * it is tried again after a pause, up to {@value #MAX_START_TRIES} tries in all; the last one breaks the pool: it
     * shuts down, the tasks queued fail if no worker is left to take them ({@code doomed}, to fail outside the lock),
     * and its idle workers are stopped. Lock held.
     */
    private void startFailedLocked(Throwable failure, int failedTries, List<Worker> touched, List<TaskRecord> doomed) {
        if (engine.state == State.SHUTDOWN && engine.pending.isEmpty()) {
            // Shut down with nothing left to run: no longer needed, its failure is no sign of a broken pool. (One
            // killed for that, ProcessEngine.dropUnneededBootsLocked, does not come here: Boot.dropped.)
            LOG.log(Level.DEBUG, "a replacement worker that was no longer needed ended: {0}", failure.getMessage());
        } else if (engine.state != State.STOPPING && engine.state != State.TERMINATED) {
            // As this JVM exits, none can start (a worker recycled meanwhile, or a crashed one replaced, in a shutdown
            // hook that uses the pool): nothing is wrong, and the tasks left fail with the reason if the pool breaks
            LOG.log(Session.isShutDown() ? Level.DEBUG : Level.WARNING, "a replacement worker failed to start: "
                    + failure.getMessage());
            if (engine.broken != null) {
                return; // one that booted beside those that broke the pool: broken already, for the first reason
            }
            int tries = failedTries + 1;
            if (tries >= MAX_START_TRIES) {
                engine.broken = failure;
                cancelDueBootsLocked(); // beside this one, a retry of another replacement that failed
                if (engine.state == State.RUNNING) {
                    engine.state = State.SHUTDOWN; // refuse new work; what the live workers hold finishes
                }
                failPendingIfBrokenLocked(doomed);
                for (Worker live : engine.workers) {
                    engine.stopIfDoneLocked(live, touched);
                }
            } else if (wantsReplacementLocked()) {
                bootReplacementLocked(RETRY_PAUSES_MILLIS[tries - 1], tries);
            }
        }
    }

    /**
     * Starts the threads that serve a replacement just added to the pool; false if they cannot be made (out of memory,
     * a thread limit). The worker is then killed and handled as one that exited, nobody reading it: the tasks just
     * given to it, which nothing has written to it yet, go back to the queue, and it counts as a replacement that
     * failed to start ({@link #startFailedLocked}, after {@code failedTries} failed tries before), which may break the
     * pool ({@code doomed}: the tasks to fail then). Only a replacement served ends its tries.
     */
    private boolean serve(Worker w, int failedTries, List<Worker> touched, List<TaskRecord> doomed) {
        Throwable failure;
        try {
            engine.reader.start(w);
            return true;
        } catch (RuntimeException | Error e) {
            failure = new IllegalStateException("could not start the threads that serve the replacement worker " + w
                    + "; killed it: " + e, e);
        }
        engine.lock.lock();
        try {
            // Once the pool is stopping, its queue is served no more: the tasks stay on the worker, and workerExited
            // cancels them, as it does a killed worker's
            if (engine.state != State.STOPPING) {
                for (Iterator<TaskRecord> it = w.inFlight.descendingIterator(); it.hasNext(); ) {
                    TaskRecord task = it.next();
                    if (task.timeout != null) {
                        task.timeout.cancel(false);
                    }
                    requeueLocked(task);
                }
                w.inFlight.clear();
            }
            // No longer a worker of the pool: no worker that takes work if the pool breaks now, nor one that keeps the
            // next try from booting (workerExited, below, finds it gone)
            engine.workers.remove(w);
            startFailedLocked(failure, failedTries, touched, doomed);
        } finally {
            engine.lock.unlock();
        }
        w.child.killTree();
        workerExited(w); // its exit watch did not start either: it dispatches what it gave back, or fails what waits
        return false;
    }

    /**
     * In a broken pool, the queued tasks still run on the workers that live, and on a replacement that was booting
     * when the pool broke (it joins, and takes work, as in a pool that runs); once no worker that takes work and no
     * boot is left, what remains would wait forever and fails instead (see {@link #failBroken}). Only boots count:
     * the retries that waited for their pause were cancelled as the pool broke ({@link #cancelDueBootsLocked}), and
     * no replacement boots after. Lock held.
     */
    private void failPendingIfBrokenLocked(List<TaskRecord> doomed) {
        if (engine.broken != null && engine.booting == 0
                && engine.workers.stream().noneMatch(WorkerTurnover::takesWork)) {
            doomed.addAll(engine.pending);
            engine.pending.clear();
        }
    }

    private static boolean takesWork(Worker w) {
        return !w.retiring && !w.stopSent && !w.dead && !w.exited;
    }

    private void failBroken(List<TaskRecord> doomed) {
        for (TaskRecord t : doomed) {
            t.future.completeExceptionally(new IllegalStateException("the pool is broken: a replacement worker"
                    + " failed to start " + MAX_START_TRIES + " times in a row; the last failure: "
                    + engine.broken.getMessage(), engine.broken));
        }
    }
}

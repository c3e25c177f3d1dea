package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.codec.ListCodec;
import io.github.multiprocessing4j.internal.codec.StandardCodec;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.pool.TaskTimeoutException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/*
 * Overview
 *
 * A process pool: N worker JVMs (WorkerMain in SERVE mode, see PoolWorker) and one queue.
 *
 * Dispatch. Tasks wait in `pending` until a worker has room. A worker runs its tasks one at a time, in
 * the order they were sent; the head of its `inFlight` queue is the one running. To keep workers busy
 * with tiny tasks a worker may hold more queued behind the head (prefetch), but only while tasks are
 * short: the pool keeps a moving average of task run times, and prefetches 128 below 200 us (deep enough
 * that a worker never runs dry while its outcomes travel back and new tasks travel out), 4 below 2 ms,
 * none above (unless the builder's prefetch fixes the depth), so a long task seldom has much work queued
 * behind it (and what it has is taken back for idle workers: see below). A task is bound to a worker only
 * when it is written to it at once: to a worker that is idle, or whose outcomes are being handled (their
 * thread writes its new tasks with them). A worker that is busy and silent gets nothing: tasks wait in `pending` for whichever worker
 * reports or goes idle first. (Binding tasks to a busy worker's outbox early, to be written with its next
 * outcome, left quick tasks stuck behind a long one for its whole run while another worker idled.)
 *
 * Taking tasks back. Prefetch still binds tasks to a worker before anyone knows how long the task ahead of
 * them will run. So when a worker is idle and nothing waits in `pending`, while another worker's head has
 * run for 20 ms (and 4 times the average), the engine takes the tasks queued behind that head back
 * (TaskReclaim): it sends a CANCEL for each and marks it reclaimRequested. The worker answers SKIPPED for
 * each it had not started (while a task runs long, its LongTaskWatch reads the connection and answers at
 * once, ahead of the head's outcome; otherwise it answers in order, between tasks), and the SKIPPED sends the
 * task back to the front of `pending`, whence dispatch hands it to the idle workers. A task the worker had
 * started meanwhile (the CANCEL crossed the head's outcome) simply runs there: its outcome answers it, and
 * the worker ignores the late CANCEL. Either way each task runs once or is skipped once. Nothing is queued
 * behind the head that lost its queue while it stays the head (Worker.reclaimedFrom).
 *
 * Crash attribution. A worker writes each task's outcome before it starts the next, and a dead process's
 * last writes can still be read from the socket. So when a worker's connection ends, every task with an
 * outcome has been completed, the head of inFlight is the task that was running (it fails with
 * WorkerCrashedException, or runs again if retries allow), and the tasks behind it never started: they go
 * back to the front of `pending`. A replacement worker boots. Other workers are not touched. When the pool
 * itself stops reading a worker and kills it (a protocol violation, an outcome too large to receive, a failed
 * reader: Worker.leftUnread), outcomes may be left unread, so the tasks behind the head may have run: they go
 * back all the same, marked mayHaveRun (shutdownNow lists no execute() runnable for them).
 *
 * Timeouts and cancellation. A task's clock starts when it becomes the head. At the deadline, or on
 * cancel(true) of a running task, its worker is killed first and then the task's future completes (with
 * TaskTimeoutException, or cancelled): the future's plain callbacks run right there, on the timeout's thread or
 * inside cancel(), and one that waits for the pool must not wait for the worker still running that task.
 * The killed worker goes down the crash path above, which leaves the future of the task it was killed for
 * alone. A running task cancelled without interrupt runs on, but is still killed at its deadline. cancel
 * of a task still queued on a worker sends CANCEL; the worker answers SKIPPED instead of running it (in
 * order, or at once, ahead of the running task's outcome, once that task has run a few ms: see PoolWorker).
 * A CANCEL can arrive after the worker has started the task (it reads frames between tasks, and while a
 * task runs only once it has run a few ms): for cancel(true), a task that is still the head CANCEL_GRACE
 * after it became the head is taken to be running, and its worker is killed.
 *
 * Recycling. After maxTasksPerChild tasks (sent to it, less those it SKIPPED: the count is of tasks run), or when a result reports more resident memory than
 * maxMemoryPerChild, a worker is sent nothing more; when its queue is empty it gets STOP and exits, and
 * a replacement boots at once. A stopped worker (recycled, or at shutdown) still alive stopGrace later (a
 * shutdown hook that hangs) is killed.
 *
 * States: RUNNING -> SHUTDOWN (no new tasks; queued ones finish; idle workers are stopped, and so are the
 * replacements still booting once no task waits in `pending`) ->
 * TERMINATED (no workers left, and no thread still completing futures it took out of the pool's state: a dead
 * worker's task, a timeout, what terminate() cancels; so every future is done once close() returns). A thread
 * that waits for termination in a callback of such a future gives up its own claim, or it would wait for
 * itself. shutdownNow/terminate go to STOPPING: queued tasks are cancelled and
 * workers killed. A pool whose replacement keeps failing to start (3 tries in a row, each after a pause:
 * WorkerTurnover) is broken: it goes to
 * SHUTDOWN (new tasks are rejected) and its live workers drain the queue, with a replacement still booting once it
 * joins; once no worker is left to take work and none boots, the tasks still queued fail with the reason.
 *
 * Locking. One lock guards the queues and worker states. Frames are appended to a worker's outbox under
 * it and written outside it (Worker.flush). Futures are completed outside it, so user callbacks never run
 * under the lock. A reader thread never blocks in a write (Worker.flushInBackground): the worker may be
 * blocked writing its results to us, and a reader stuck writing to it would stop reading them.
 *
 * Files. This class holds the state, submission, dispatch, cancellation and the pool's lifecycle;
 * OutcomeReader reads what workers send back (and lets apply() borrow an idle worker); WorkerTurnover
 * handles workers that exit and the replacements that boot; TaskReclaim takes queued tasks back from behind
 * long ones. All four share the engine's lock.
 */

/**
 * The engine of a {@code ProcessPool}: worker JVMs, the task queue, dispatch, crash recovery, timeouts and
 * recycling (see the overview comment in the source).
 *
 * <p>Thread-safe.
 */
public final class ProcessEngine implements PoolEngine {
    /**
     * On a thread that reads a worker's outcomes (and so completes futures and runs their plain dependent
     * stages), the engine it reads for; else null. Such a thread must never block in a write, nor wait for
     * an outcome of its own engine: it may be the one that would have to read it.
     */
    static final ThreadLocal<ProcessEngine> READER = new ThreadLocal<>();
    private static final System.Logger LOG = System.getLogger(ProcessEngine.class.getName());
    /**
     * How long a task cancelled with interrupt while queued may stay the head of its worker's queue before it
     * is taken to be running: the worker's SKIPPED normally follows the previous outcome at once.
     */
    private static final Duration CANCEL_GRACE = Duration.ofMillis(500);
    /**
     * How long a stopped worker (recycled, or at close()) may take to exit, its shutdown hooks included, before it
     * is killed: a hook that never returns would keep it alive for good, and close() waiting for it. Not final: tests
     * lengthen it.
     */
    static volatile Duration stopGrace = Duration.ofSeconds(5);

    enum State { RUNNING, SHUTDOWN, STOPPING, TERMINATED }

    final WorkerConfig config;
    /** Encodes what goes to the workers (functions, arguments). */
    private final StandardCodec childCodec;
    final WorkerBoot boot;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Class<?>, ProcessDefinition> stateless = new ConcurrentHashMap<>();
    final ReentrantLock lock = new ReentrantLock();
    private final Condition terminatedCondition = lock.newCondition();
    /** Guarded by lock. */
    final ArrayDeque<TaskRecord> pending = new ArrayDeque<>();
    /** Live workers, ready to serve; guarded by lock. */
    final List<Worker> workers = new ArrayList<>();
    /** Workers being booted; guarded by lock. */
    int booting;
    /** Guarded by lock. */
    State state = State.RUNNING;
    /** Why the pool cannot go on, or null; guarded by lock. */
    Throwable broken;
    /**
     * Threads about to complete futures outside the lock (a crashed worker's task, a timeout, the tasks that
     * terminate() cancels): the pool does not terminate before they have, so that every future is done once
     * close() or awaitTermination() returns. Guarded by lock; see {@link #delivering()}.
     */
    private int delivering;
    /** How many of {@link #delivering} this thread holds, or null for none so far. */
    private final ThreadLocal<int[]> deliveringHere = new ThreadLocal<>();
    /** Moving average of task run times, for the prefetch depth; guarded by lock. */
    long averageRunNanos = 1_000_000;
    /** Its thread made as the pool is built, so that scheduling under the lock never has to make one. */
    final PoolTimer timer = PoolTimer.startedNow();

    final OutcomeReader reader = new OutcomeReader(this);
    final WorkerTurnover turnover = new WorkerTurnover(this);
    final TaskReclaim reclaim = new TaskReclaim(this);

    private ProcessEngine(WorkerConfig config) {
        this.config = config;
        this.childCodec = StandardCodec.toChild(config.spec());
        this.boot = new WorkerBoot(config, lock);
    }

    /**
     * Starts a pool: boots every worker in parallel and waits until all have run the initializer.
     *
     * @throws IllegalStateException if a worker's initializer fails (with its exception as the cause)
     * @throws io.github.multiprocessing4j.process.ProcessStartException if a worker JVM cannot start
     * @throws Error as making the pool's timer thread, a boot, or the start of a worker's threads threw it (no thread
     *         could be made, say); no worker is left running
     */
    public static ProcessEngine start(WorkerConfig config) throws InterruptedException {
        ProcessEngine engine = new ProcessEngine(config);
        List<Worker> started;
        try {
            started = engine.boot.bootAll(config.processes());
        } catch (InterruptedException | RuntimeException | Error e) {
            engine.timer.shutdown(); // no pool: its timer's thread would stay for good
            throw e;
        }
        engine.lock.lock();
        try {
            engine.workers.addAll(started);
        } finally {
            engine.lock.unlock();
        }
        try {
            for (Worker w : started) {
                engine.reader.start(w);
            }
        } catch (RuntimeException | Error e) {
            // No thread for a worker's reader (out of memory, a thread limit), say: the workers, ready, would run on
            // unserved until this JVM exits. Stopped first, the pool replaces none of them.
            engine.shutdownNow();
            started.forEach(w -> w.child.discard());
            throw e;
        }
        return engine;
    }

    @Override
    public int parallelism() {
        return config.processes();
    }

    // ---------------------------------------------------------------------------------------- submission

    @Override
    public Definition define(Object target, boolean reusable) {
        Class<?> type = target.getClass();
        ProcessDefinition known = stateless.get(type);
        if (known != null) {
            return known;
        }
        if (STATELESS.get(type)) {
            return stateless.computeIfAbsent(type,
                    c -> new ProcessDefinition(this, ids.incrementAndGet(), childCodec.encode(target), false, true));
        }
        return new ProcessDefinition(this, ids.incrementAndGet(), childCodec.encode(target), !reusable, false);
    }

    /**
     * Whether a class (and its superclasses) has no instance fields: an instance then carries no state, and
     * one serialized copy serves every call, such as a non-capturing lambda.
     */
    private static final ClassValue<Boolean> STATELESS = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                    if (!java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                        return false;
                    }
                }
            }
            return true;
        }
    };

    @Override
    public <V> TaskFuture<V> call(Definition target, CallMode mode, Object arg) {
        return queue(newTask(target, mode, arg, null));
    }

    @Override
    public TaskFuture<?> callCommand(Definition target, Runnable command) {
        return queue(newTask(target, CallMode.RUN, null, command));
    }

    @SuppressWarnings("unchecked")
    private <V> TaskFuture<V> queue(TaskRecord task) {
        List<Worker> touched = new ArrayList<>(2);
        lock.lock();
        try {
            rejectUnlessRunning();
            pending.addLast(task);
            dispatchLocked(touched);
        } finally {
            lock.unlock();
        }
        flush(touched);
        return (TaskFuture<V>) task.future;
    }

    /**
     * Runs one call and waits for it. When a worker is idle and nothing waits before this call, the caller
     * <em>borrows</em> the worker: it sends the task and reads the outcome from the worker's connection
     * itself, so the result reaches it without a hand-off between threads (on a small machine that
     * hand-off, and the third runnable thread it needs, is most of a round trip). Otherwise the call is
     * queued like any other.
     */
    @Override
    @SuppressWarnings("unchecked")
    public <V> V callAndWait(Definition target, CallMode mode, Object arg) throws InterruptedException, ExecutionException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        TaskRecord task = newTask(target, mode, arg, null);
        Worker borrowed = null;
        List<Worker> touched = new ArrayList<>(2);
        lock.lock();
        try {
            rejectUnlessRunning();
            borrowed = pending.isEmpty() ? idleWorker() : null;
            if (borrowed != null) {
                borrowed.borrowed = true; // this thread reads the outcome itself: safe on a reader thread too
                send(task, borrowed);
            } else {
                refuseToWaitOnOwnReader();
                pending.addLast(task);
                dispatchLocked(touched);
            }
        } finally {
            lock.unlock();
        }
        if (borrowed == null) {
            flush(touched);
        } else {
            borrowed.flush();
            reader.readUntilDone(borrowed, task);
        }
        try {
            return (V) task.future.get();
        } catch (InterruptedException e) {
            task.future.cancel(true);
            throw e;
        }
    }

    /**
     * A dependent stage of a pool future ({@code thenApply}, {@code whenComplete}...) added without an
     * executor runs on the thread that completed the future: one of this engine's readers, as a callback of
     * Python's {@code apply_async} runs on its pool's result thread. Waiting there for another outcome of the
     * pool would wait, sometimes forever, for the thread itself: refuse it with a clear error instead.
     */
    @Override
    public boolean isOwnReaderThread() {
        return READER.get() == this;
    }

    @Override
    public void refuseToWaitOnOwnReader() {
        if (isOwnReaderThread()) {
            throw new IllegalStateException("this thread delivers the pool's results (it is running a callback such"
                    + " as thenApply or whenComplete of a pool future) and cannot wait for the pool itself: run such"
                    + " callbacks with thenApplyAsync, thenAcceptAsync or whenCompleteAsync");
        }
    }

    /** A worker with nothing in flight that nobody reads, or null. Lock held. */
    private Worker idleWorker() {
        for (Worker w : workers) {
            if (!w.readerActive && isIdle(w)) {
                return w;
            }
        }
        return null;
    }

    /** Whether the worker has nothing in flight and takes tasks (its reader may still be about to wait). Lock held. */
    boolean isIdle(Worker w) {
        return w.inFlight.isEmpty() && !w.borrowed && !w.retiring && !w.stopSent && !w.dead && !w.exited
                && w.protocolViolation == null
                && (config.maxTasksPerChild() == 0 || w.sent < config.maxTasksPerChild());
    }

    /** @param command the runnable given to execute() that {@code target} was defined from, or null */
    private TaskRecord newTask(Definition target, CallMode mode, Object arg, Runnable command) {
        byte[] argument = switch (mode) {
            case APPLY -> childCodec.encode(arg);
            case CHUNK -> encodeList((List<?>) arg);
            case CALL, RUN -> new byte[0];
        };
        TaskFuture<Object> future = new TaskFuture<>();
        future.owner(this);
        TaskRecord task = new TaskRecord(ids.incrementAndGet(), mode, (ProcessDefinition) target, argument, future,
                command);
        future.canceller(mayInterrupt -> cancel(task, mayInterrupt), true);
        return task;
    }

    /** Lock held. */
    private void rejectUnlessRunning() {
        if (state != State.RUNNING) {
            throw new RejectedExecutionException(broken != null
                    ? "the pool is broken: " + broken.getMessage() : "the pool is shut down", broken);
        }
    }

    /**
     * @throws ChunkItemEncodingException if an item cannot travel: that item's own failure, with its index (the
     *                                    chunk's would name an array, with a path counted within the chunk)
     */
    private byte[] encodeList(List<?> items) {
        ByteSink sink = new ByteSink(16);
        try {
            ListCodec.write(items, sink, childCodec);
        } catch (EncodingException chunkFailure) {
            for (int i = 0; i < items.size(); i++) {
                try {
                    childCodec.encode(items.get(i));
                } catch (EncodingException itemFailure) {
                    throw new ChunkItemEncodingException(i, itemFailure);
                }
            }
            throw chunkFailure; // no item fails alone
        }
        return sink.size() == sink.array().length ? sink.array() : sink.toByteArray();
    }

    /** Sends a definition's FORGET to every worker that holds it (the end of a map or imap). */
    void forget(ProcessDefinition definition) {
        List<Worker> touched = new ArrayList<>();
        lock.lock();
        try {
            for (Worker w : workers) {
                if (w.defined.remove(definition.id)) {
                    w.post(FrameType.FORGET, definition.id, new byte[0]);
                    touched.add(w);
                }
            }
        } finally {
            lock.unlock();
        }
        flush(touched);
    }

    // ------------------------------------------------------------------------------------------ dispatch

    /**
     * Hands pending tasks to workers with room. Call with the lock held; then flush the touched workers.
     *
     * <p>Only workers whose frames are written now get tasks: those in {@code touched} (the worker whose
     * outcomes the caller is handling, and those this call has already given work) and idle ones. A busy
     * worker that is not reporting gets nothing: its next outcome, or another worker going idle, takes the
     * tasks, and a caller submitting thousands of tasks still pays no system call for each (the thread
     * that handles each batch of outcomes writes the next batch of tasks in one).
     */
    void dispatchLocked(List<Worker> touched) {
        assert lock.isHeldByCurrentThread();
        while (!pending.isEmpty()) {
            Worker w = leastLoaded(touched);
            if (w == null) {
                return;
            }
            TaskRecord task = pending.pollFirst();
            if (task.future.isDone()) {
                continue; // cancelled while it waited
            }
            boolean idle = w.inFlight.isEmpty();
            send(task, w);
            if (idle && !touched.contains(w)) {
                touched.add(w);
            }
        }
    }

    /** The worker with the fewest tasks among those idle or in {@code touched} that have room, or null. */
    private Worker leastLoaded(List<Worker> touched) {
        int prefetch = config.prefetch() != WorkerConfig.ADAPTIVE_PREFETCH ? config.prefetch()
                : averageRunNanos < 200_000 ? 128 : averageRunNanos < 2_000_000 ? 4 : 0;
        Worker best = null;
        for (Worker w : workers) {
            if (!w.inFlight.isEmpty() && !touched.contains(w)) {
                continue; // busy, and nobody writes to it now: see dispatchLocked
            }
            // in longs: 1 + prefetch(Integer.MAX_VALUE) overflows to a negative room, and no task would ever be sent
            long room = 1L + prefetch - w.inFlight.size();
            if (config.maxTasksPerChild() > 0) {
                room = Math.min(room, config.maxTasksPerChild() - w.sent);
            }
            // A worker caught breaking the protocol is about to be killed (the reader that caught it may first run
            // the callbacks of the outcomes it read before, and they may submit work): a task sent to it would fail.
            if (w.retiring || w.stopSent || w.dead || w.exited || w.protocolViolation != null || room <= 0) {
                continue;
            }
            if (w.reclaimedFrom != null && w.reclaimedFrom == w.inFlight.peekFirst()) {
                continue; // its queue was just taken back from behind its long task: queue nothing there again
            }
            if (best == null || w.inFlight.size() < best.inFlight.size()) {
                best = w;
            }
        }
        return best;
    }

    private void send(TaskRecord task, Worker w) {
        ProcessDefinition target = task.target;
        if (!w.defined.contains(target.id)) {
            w.post(FrameType.DEFINE, target.id, target.bytes);
            if (!target.oneShot) {
                w.defined.add(target.id);
            }
        }
        w.postCall(task.id, task.mode, target.oneShot, target.id, task.argument);
        task.worker = w;
        task.reclaimRequested = false;
        w.inFlight.addLast(task);
        w.sent++;
        if (config.maxTasksPerChild() > 0 && w.sent >= config.maxTasksPerChild()) {
            w.retiring = true;
        }
        if (w.inFlight.size() == 1) {
            started(task, System.nanoTime());
            if (!w.borrowed) {
                w.readable.signal(); // a borrowing caller reads for itself: waking the reader would be in vain
            }
        }
    }

    /** The task became the head of its worker's queue: its clock starts. */
    void started(TaskRecord task, long now) {
        task.startNanos = now;
        int start = ++task.starts;
        if (config.taskTimeout() != null) {
            // saturated: a timeout too long for a long of nanoseconds (ChronoUnit.FOREVER) never fires
            task.timeout = timer.schedule(() -> timedOut(task, start), TimeUnit.NANOSECONDS.convert(config.taskTimeout()));
        }
        if (task.stopIfStarted) {
            timer.schedule(() -> startedDespiteCancel(task), CANCEL_GRACE.toNanos());
        }
    }

    /**
     * Writes the touched workers' outboxes: right here, for the lowest latency, unless this is a reader
     * thread (a future completed there runs its callbacks there, and they may submit more work), which
     * must never block in a write.
     */
    static void flush(List<Worker> touched) {
        boolean reader = READER.get() != null;
        for (Worker w : touched) {
            if (reader) {
                w.flushInBackground();
            } else {
                w.flush();
            }
        }
    }

    /** Stops a worker that should stop and has nothing left to do. Lock held. */
    void stopIfDoneLocked(Worker w, List<Worker> touched) {
        boolean draining = state == State.SHUTDOWN && pending.isEmpty();
        if ((w.retiring || draining) && w.inFlight.isEmpty() && !w.stopSent && !w.dead) {
            w.stopSent = true;
            w.post(FrameType.STOP, 0, new byte[0]);
            touched.add(w);
            Duration grace = stopGrace;
            w.killAfterStop = timer.schedule(() -> killIfStillAlive(w, grace), grace.toNanos());
            if (w.retiring && state == State.RUNNING) {
                turnover.bootReplacementLocked();
            }
        }
    }

    /** A worker that has not exited {@code grace} after its STOP: a shutdown hook hangs, say. */
    private static void killIfStillAlive(Worker w, Duration grace) {
        if (w.child.process().isAlive()) {
            LOG.log(Level.WARNING, "{0} has not exited {1} s after it was stopped (a shutdown hook that does not"
                    + " return?); killing it", w, grace.toSeconds());
            w.child.killTree();
        }
    }

    /**
     * Kills the replacements still booting, and cancels those that wait to be tried again (a retry's pause, see
     * WorkerTurnover), once the pool is shut down and no task waits for a worker: none would get work (they
     * would be stopped as soon as they are ready), and one whose initializer hangs would keep {@code close()}
     * waiting for ever. A task that a crash sends back to the queue boots a replacement
     * of its own. Lock held.
     */
    void dropUnneededBootsLocked() {
        if (state == State.SHUTDOWN && pending.isEmpty() && booting > 0) {
            turnover.cancelDueBootsLocked();
            turnover.dropBootsLocked();
        }
    }

    // ------------------------------------------------------------------------ timeouts and cancellation

    /**
     * The task's deadline passed. If it is still running, its worker is killed, even when its future is
     * already done: a task cancelled without interrupt (as {@code imap}'s {@code close()} and a failed
     * {@code map} cancel the rest) still runs, and would otherwise hold its worker for good.
     */
    private void timedOut(TaskRecord task, int start) {
        Worker victim = null;
        lock.lock();
        try {
            // Still the same run: a timeout that fired as its worker died (too late for the crash path to cancel
            // it) must not cut short the run the task got on another worker since.
            if (task.starts == start && task.worker != null && task.worker.inFlight.peekFirst() == task) {
                victim = task.worker;
                victim.killedFor = task;
                delivering();
            }
        } finally {
            lock.unlock();
        }
        if (victim != null) {
            // A cancel may have completed the future already: then the task still runs, and is killed all the
            // same. Always killing once killedFor is set also keeps the mark from outliving this timeout.
            // Kill first: completing the future runs its plain callbacks on this thread, and one that waits for
            // the pool (close(), say) would otherwise wait for a worker nobody kills. The crash path leaves the
            // future of the task a worker was killed for alone, so it fails with this exception, not a crash; the
            // pool does not terminate before it has (delivering).
            try {
                victim.child.killTree();
                task.future.completeExceptionally(new TaskTimeoutException("the task ran longer than "
                        + config.taskTimeout() + " (" + task + "); its worker pid " + victim.pid() + " was killed",
                        config.taskTimeout()));
            } finally {
                delivered();
            }
        }
    }

    /**
     * A task that cancel(true) reached while it was queued, and that has become the head of its worker's queue
     * since. A worker skips a task it has been told to cancel, and says so right after the outcome of the task
     * before it: if nothing has come by now, the CANCEL arrived after the worker had started the task, which runs
     * on (a worker answers no CANCEL of its running task: the outcome does), and the worker is killed as for a
     * running task (the tasks queued behind it run elsewhere).
     */
    private void startedDespiteCancel(TaskRecord task) {
        Worker victim = null;
        lock.lock();
        try {
            Worker w = task.worker;
            if (w != null && !w.dead && w.inFlight.peekFirst() == task) {
                victim = w;
                w.killedFor = task;
            }
        } finally {
            lock.unlock();
        }
        if (victim != null) {
            LOG.log(Level.DEBUG, "{0} started {1} before its cancel arrived; killing it", victim, task);
            victim.child.killTree();
        }
    }

    private void cancel(TaskRecord task, boolean mayInterrupt) {
        Worker victim = null;
        Worker notify = null;
        lock.lock();
        try {
            if (pending.remove(task)) {
                return;
            }
            Worker w = task.worker;
            if (w == null || w.dead) {
                return;
            }
            if (w.inFlight.peekFirst() == task) {
                if (mayInterrupt) {
                    victim = w;
                    w.killedFor = task;
                }
            } else if (w.inFlight.contains(task)) {
                task.stopIfStarted |= mayInterrupt;
                task.cancelRequested = true;
                w.post(FrameType.CANCEL, task.id, new byte[0]);
                notify = w;
            }
        } finally {
            lock.unlock();
        }
        if (notify != null) {
            flush(List.of(notify));
        }
        if (victim != null) {
            victim.child.killTree();
        }
    }

    // -------------------------------------------------------------------------------------- lifecycle

    @Override
    public void shutdown() {
        List<Worker> touched = new ArrayList<>();
        lock.lock();
        try {
            if (state == State.RUNNING) {
                state = State.SHUTDOWN;
            }
            if (state == State.SHUTDOWN) {
                for (Worker w : workers) {
                    stopIfDoneLocked(w, touched);
                }
                dropUnneededBootsLocked();
            }
            checkTerminatedLocked();
        } finally {
            lock.unlock();
        }
        flush(touched);
    }

    @Override
    public List<Runnable> shutdownNow() {
        List<TaskRecord> queued;
        int unsent;
        lock.lock();
        try {
            if (state == State.TERMINATED) {
                return List.of();
            }
            state = State.STOPPING;
            turnover.cancelDueBootsLocked(); // a retry's pause does not hold up the termination
            queued = new ArrayList<>(pending);
            unsent = queued.size();
            pending.clear();
            for (Worker w : workers) {
                // Tasks queued on a worker behind the running one never started either, as far as the pool knows:
                // the worker may have run some of them just before it was killed, their outcomes still on the way.
                while (w.inFlight.size() > 1) {
                    queued.add(w.inFlight.pollLast());
                }
            }
            delivering(); // the pool terminates once the futures below are cancelled, not before
        } finally {
            lock.unlock();
        }
        List<Runnable> neverStarted = new ArrayList<>();
        try {
            killAll();
            for (int i = 0; i < queued.size(); i++) {
                TaskRecord t = queued.get(i);
                if (t.future.completeExceptionally(new CancellationException("the pool was terminated before the task started"))) {
                    // A runnable given to execute() that no worker can have run is listed as itself, for the caller
                    // to run, as a ThreadPoolExecutor lists it; one sent ahead to a worker, or queued again after
                    // its worker died running it, may have run: the caller must not run it again.
                    neverStarted.add(i < unsent && t.command != null && !t.mayHaveRun ? t.command
                            : new NeverStarted(t.toString()));
                }
            }
        } finally {
            delivered();
        }
        return neverStarted;
    }

    void killAll() {
        List<Worker> all;
        lock.lock();
        try {
            all = new ArrayList<>(workers);
        } finally {
            lock.unlock();
        }
        for (Worker w : all) {
            w.child.killTree();
        }
        boot.killBooting();
    }

    /**
     * Some futures are about to be completed outside the lock: the pool does not terminate before
     * {@link #delivered()} says they are. Lock held.
     */
    void delivering() {
        assert lock.isHeldByCurrentThread();
        delivering++;
        int[] mine = deliveringHere.get();
        if (mine == null) {
            deliveringHere.set(mine = new int[1]);
        }
        mine[0]++;
    }

    /** The futures announced by {@link #delivering()} are completed: the pool may terminate now. */
    void delivered() {
        int[] mine = deliveringHere.get();
        lock.lock();
        try {
            if (mine != null && mine[0] > 0) { // else given up by a callback that waited for termination (awaitTermination)
                mine[0]--;
                delivering--;
                checkTerminatedLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    void checkTerminatedLocked() {
        if (state != State.RUNNING && state != State.TERMINATED && workers.isEmpty() && booting == 0
                && delivering == 0) {
            state = State.TERMINATED;
            terminatedCondition.signalAll();
            timer.shutdown();
        }
    }

    @Override
    public boolean stopsForSure() {
        return true;
    }

    @Override
    public boolean isShutdown() {
        lock.lock();
        try {
            return state != State.RUNNING;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isTerminated() {
        lock.lock();
        try {
            return state == State.TERMINATED;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean awaitTermination(long nanos) throws InterruptedException {
        int[] mine = deliveringHere.get();
        lock.lock();
        int given = mine == null ? 0 : mine[0];
        try {
            // A callback of a future that this thread is completing (close() in it, say) would wait for itself:
            // what it still has to deliver no longer holds up the pool while it waits.
            if (given > 0) {
                delivering -= given;
                mine[0] = 0;
                checkTerminatedLocked();
            }
            while (state != State.TERMINATED) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = terminatedCondition.awaitNanos(nanos);
            }
            return true;
        } finally {
            if (given > 0 && state != State.TERMINATED) {
                delivering += given; // it timed out: this thread delivers on
                mine[0] += given;
            }
            lock.unlock();
        }
    }

    /** The pids of the live workers (tests, diagnostics). */
    public Set<Long> workerPids() {
        lock.lock();
        try {
            Set<Long> pids = new HashSet<>();
            for (Worker w : workers) {
                pids.add(w.pid());
            }
            return pids;
        } finally {
            lock.unlock();
        }
    }
}

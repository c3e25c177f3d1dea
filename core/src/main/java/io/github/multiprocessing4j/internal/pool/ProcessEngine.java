package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.internal.bytes.MalformedDataException;
import io.github.multiprocessing4j.internal.codec.ListCodec;
import io.github.multiprocessing4j.internal.codec.StandardCodec;
import io.github.multiprocessing4j.internal.codec.ThrowableCodec;
import io.github.multiprocessing4j.internal.launch.ExitStatus;
import io.github.multiprocessing4j.internal.wire.Frame;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.pool.TaskTimeoutException;
import io.github.multiprocessing4j.pool.WorkerCrashedException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.nio.channels.ClosedByInterruptException;
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
 * none above, so a long task never has much work stuck behind it while another worker idles.
 *
 * Crash attribution. A worker writes each task's outcome before it starts the next, and a dead process's
 * last writes can still be read from the socket. So when a worker's connection ends, every task with an
 * outcome has been completed, the head of inFlight is the task that was running (it fails with
 * WorkerCrashedException, or runs again if retries allow), and the tasks behind it never started: they go
 * back to the front of `pending`. A replacement worker boots. Other workers are not touched.
 *
 * Timeouts and cancellation. A task's clock starts when it becomes the head. At the deadline, or on
 * cancel(true) of a running task, the task's future completes at once and its worker is killed, which
 * then goes down the crash path above. cancel of a task still queued on a worker sends CANCEL; the
 * worker answers SKIPPED instead of running it.
 *
 * Recycling. After maxTasksPerChild tasks, or when a result reports more resident memory than
 * maxMemoryPerChild, a worker is sent nothing more; when its queue is empty it gets STOP and exits, and
 * a replacement boots at once.
 *
 * States: RUNNING -> SHUTDOWN (no new tasks; queued ones finish; idle workers are stopped) ->
 * TERMINATED (no workers left). shutdownNow/terminate go to STOPPING: queued tasks are cancelled and
 * workers killed. A pool whose replacements keep failing to start (3 in a row) is BROKEN: queued tasks
 * fail with the reason, new ones are rejected.
 *
 * Locking. One lock guards the queues and worker states. Frames are appended to a worker's outbox under
 * it and written outside it (Worker.flush). Futures are completed outside it, so user callbacks never run
 * under the lock. A reader thread never blocks in a write (Worker.flushInBackground): the worker may be
 * blocked writing its results to us, and a reader stuck writing to it would stop reading them.
 */

/**
 * The engine of a {@code ProcessPool}: worker JVMs, the task queue, dispatch, crash recovery, timeouts and
 * recycling (see the overview comment in the source).
 *
 * <p>Thread-safe.
 */
public final class ProcessEngine implements PoolEngine {
    private static final System.Logger LOG = System.getLogger(ProcessEngine.class.getName());
    private static final int MAX_CONSECUTIVE_START_FAILURES = 3;
    private static final long EXIT_WAIT_MILLIS = 2000;
    /** True on reader threads, which must never block in a write. */
    private static final ThreadLocal<Boolean> READER = ThreadLocal.withInitial(() -> false);

    private enum State { RUNNING, SHUTDOWN, STOPPING, TERMINATED }

    private final WorkerConfig config;
    private final WorkerBoot boot;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Class<?>, ProcessDefinition> stateless = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition terminatedCondition = lock.newCondition();
    /** Guarded by lock. */
    private final ArrayDeque<TaskRecord> pending = new ArrayDeque<>();
    /** Live workers, ready to serve; guarded by lock. */
    private final List<Worker> workers = new ArrayList<>();
    /** Workers being booted; guarded by lock. */
    private int booting;
    /** Guarded by lock. */
    private State state = State.RUNNING;
    /** Why the pool cannot go on, or null; guarded by lock. */
    private Throwable broken;
    /** Guarded by lock. */
    private int consecutiveStartFailures;
    /** Moving average of task run times, for the prefetch depth; guarded by lock. */
    private long averageRunNanos = 1_000_000;
    private final PoolTimer timer = new PoolTimer();

    private ProcessEngine(WorkerConfig config) {
        this.config = config;
        this.boot = new WorkerBoot(config, lock);
    }

    /**
     * Starts a pool: boots every worker in parallel and waits until all have run the initializer.
     *
     * @throws IllegalStateException if a worker's initializer fails (with its exception as the cause)
     * @throws io.github.multiprocessing4j.process.ProcessStartException if a worker JVM cannot start
     */
    public static ProcessEngine start(WorkerConfig config) throws InterruptedException {
        ProcessEngine engine = new ProcessEngine(config);
        List<Worker> started = engine.boot.bootAll(config.processes());
        engine.lock.lock();
        try {
            engine.workers.addAll(started);
        } finally {
            engine.lock.unlock();
        }
        for (Worker w : started) {
            engine.startReader(w);
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
                    c -> new ProcessDefinition(this, ids.incrementAndGet(), Codec.standard().encode(target), false, true));
        }
        return new ProcessDefinition(this, ids.incrementAndGet(), Codec.standard().encode(target), !reusable, false);
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
    @SuppressWarnings("unchecked")
    public <V> TaskFuture<V> call(Definition target, CallMode mode, Object arg) {
        TaskRecord task = newTask(target, mode, arg);
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
        TaskRecord task = newTask(target, mode, arg);
        Worker borrowed = null;
        List<Worker> touched = new ArrayList<>(2);
        lock.lock();
        try {
            rejectUnlessRunning();
            borrowed = pending.isEmpty() ? idleWorker() : null;
            if (borrowed != null) {
                borrowed.borrowed = true;
                send(task, borrowed);
            } else {
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
            readUntilDone(borrowed, task);
        }
        try {
            return (V) task.future.get();
        } catch (InterruptedException e) {
            task.future.cancel(true);
            throw e;
        }
    }

    /** A worker with nothing in flight that nobody reads, or null. Lock held. */
    private Worker idleWorker() {
        for (Worker w : workers) {
            if (w.inFlight.isEmpty() && !w.readerActive && !w.borrowed && !w.retiring && !w.dead
                    && (config.maxTasksPerChild() == 0 || w.sent < config.maxTasksPerChild())) {
                return w;
            }
        }
        return null;
    }

    /** The borrowing caller reads the worker's outcomes until its own task is done, then hands back. */
    private void readUntilDone(Worker w, TaskRecord task) throws InterruptedException {
        boolean ended = false;
        boolean interrupted = false;
        boolean wasReader = READER.get();
        READER.set(true);
        try {
            while (!task.future.isDone()) {
                if (!readOnce(w)) {
                    ended = true;
                    break;
                }
            }
        } catch (ClosedByInterruptException e) {
            // interrupted while blocked in the read: the JDK closed the connection, so the worker is lost
            ended = true;
            interrupted = true;
        } catch (IOException | MalformedDataException e) {
            LOG.log(Level.DEBUG, "connection to {0} ended: {1}", w, e.getMessage());
            ended = true;
        } finally {
            READER.set(wasReader);
            lock.lock();
            try {
                w.borrowed = false;
                if (!w.inFlight.isEmpty()) {
                    w.readable.signal(); // tasks queued behind ours: the reader thread takes over
                }
            } finally {
                lock.unlock();
            }
        }
        if (interrupted) {
            Thread.interrupted();
            task.future.cancel(false);
        }
        if (ended) {
            workerExited(w);
        }
        if (interrupted) {
            throw new InterruptedException();
        }
    }

    private TaskRecord newTask(Definition target, CallMode mode, Object arg) {
        byte[] argument = switch (mode) {
            case APPLY -> Codec.standard().encode(arg);
            case CHUNK -> encodeList((List<?>) arg);
            case CALL, RUN -> new byte[0];
        };
        TaskFuture<Object> future = new TaskFuture<>();
        TaskRecord task = new TaskRecord(ids.incrementAndGet(), mode, (ProcessDefinition) target, argument, future);
        future.canceller(mayInterrupt -> cancel(task, mayInterrupt));
        return task;
    }

    /** Lock held. */
    private void rejectUnlessRunning() {
        if (state != State.RUNNING) {
            throw new RejectedExecutionException(broken != null
                    ? "the pool is broken: " + broken.getMessage() : "the pool is shut down", broken);
        }
    }

    private static byte[] encodeList(List<?> items) {
        ByteSink sink = new ByteSink(16);
        ListCodec.write(items, sink);
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
     * <p>A worker that is already busy is not touched: its frames wait in its outbox, and the thread that
     * handles its next outcome writes them, many per system call. The worker could not start them any
     * sooner, and this way a caller submitting thousands of tasks does not pay a system call for each.
     */
    private void dispatchLocked(List<Worker> touched) {
        assert lock.isHeldByCurrentThread();
        while (!pending.isEmpty()) {
            Worker w = leastLoaded();
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

    private Worker leastLoaded() {
        int prefetch = averageRunNanos < 200_000 ? 128 : averageRunNanos < 2_000_000 ? 4 : 0;
        Worker best = null;
        for (Worker w : workers) {
            int room = 1 + prefetch - w.inFlight.size();
            if (config.maxTasksPerChild() > 0) {
                room = Math.min(room, config.maxTasksPerChild() - w.sent);
            }
            if (w.retiring || w.dead || room <= 0) {
                continue;
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
        w.inFlight.addLast(task);
        w.sent++;
        if (config.maxTasksPerChild() > 0 && w.sent >= config.maxTasksPerChild()) {
            w.retiring = true;
        }
        if (w.inFlight.size() == 1) {
            started(task, System.nanoTime());
            w.readable.signal();
        }
    }

    /** The task became the head of its worker's queue: its clock starts. */
    private void started(TaskRecord task, long now) {
        task.startNanos = now;
        if (config.taskTimeout() != null) {
            task.timeout = timer.schedule(() -> timedOut(task), config.taskTimeout().toNanos());
        }
    }

    /**
     * Writes the touched workers' outboxes: right here, for the lowest latency, unless this is a reader
     * thread (a future completed there runs its callbacks there, and they may submit more work), which
     * must never block in a write.
     */
    private static void flush(List<Worker> touched) {
        boolean reader = READER.get();
        for (Worker w : touched) {
            if (reader) {
                w.flushInBackground();
            } else {
                w.flush();
            }
        }
    }

    // ---------------------------------------------------------------------------------------- outcomes

    private void startReader(Worker w) {
        w.startWriter();
        Thread.ofPlatform().daemon().name("mp4j-pool-reader-" + w.pid()).stackSize(256 * 1024).start(() -> {
            READER.set(true);
            readLoop(w);
        });
        // An idle worker's connection is read by nobody: its death is noticed through its process instead.
        w.child.process().onExit().thenRunAsync(() -> processExited(w), r -> Thread.ofVirtual().start(r));
    }

    private void processExited(Worker w) {
        boolean someoneReads;
        lock.lock();
        try {
            someoneReads = w.readerActive || w.borrowed;
        } finally {
            lock.unlock();
        }
        if (!someoneReads) {
            workerExited(w);
        }
    }

    /**
     * Waits until the reader thread should read: the worker has tasks in flight and no caller has borrowed
     * it. Returns false once the worker is dead.
     */
    private boolean awaitReadable(Worker w) {
        lock.lock();
        try {
            while (!w.dead && (w.borrowed || w.inFlight.isEmpty())) {
                w.readerActive = false;
                w.readable.awaitUninterruptibly();
            }
            w.readerActive = !w.dead;
            return !w.dead;
        } finally {
            lock.unlock();
        }
    }

    private void readLoop(Worker w) {
        try {
            while (awaitReadable(w)) {
                if (!readOnce(w)) {
                    break;
                }
            }
        } catch (IOException | MalformedDataException e) {
            LOG.log(Level.DEBUG, "connection to {0} ended: {1}", w, e.getMessage());
        }
        lock.lock();
        try {
            w.readerActive = false;
        } finally {
            lock.unlock();
        }
        workerExited(w);
    }

    /**
     * Reads the worker's next outcomes (all that are already buffered) and handles them. For the thread
     * that reads the connection: the reader, or a borrowing caller.
     *
     * @return false at the end of the connection, or after a protocol violation (the worker is then killed)
     */
    private boolean readOnce(Worker w) throws IOException {
        Frame frame = w.receive();
        if (frame == null) {
            return false;
        }
        List<Frame> batch = new ArrayList<>();
        batch.add(frame);
        while (w.connection.hasBufferedFrame() && batch.size() < 256) {
            batch.add(w.receive());
        }
        List<TaskRecord> tasks = new ArrayList<>(batch.size());
        if (!outcomes(w, batch, tasks)) {
            w.child.kill();
            return false;
        }
        for (int i = 0; i < batch.size(); i++) {
            complete(tasks.get(i), batch.get(i), w);
        }
        return true;
    }

    /**
     * Takes the tasks that {@code frames} answer off the worker's queue, under one lock, and hands out
     * more work; the caller completes the futures afterwards, outside the lock.
     *
     * @return false if a frame is not an outcome of the task at the head of the worker's queue (a protocol
     *         violation: the worker is killed)
     */
    private boolean outcomes(Worker w, List<Frame> frames, List<TaskRecord> tasks) {
        List<Worker> touched = new ArrayList<>(2);
        touched.add(w);
        lock.lock();
        try {
            for (Frame frame : frames) {
                byte type = frame.type();
                TaskRecord task = w.inFlight.peekFirst();
                if ((type != FrameType.RESULT && type != FrameType.ERROR && type != FrameType.SKIPPED)
                        || task == null || task.id != frame.id()) {
                    LOG.log(Level.WARNING, "{0} sent {1} while {2} was running; killing it", w, frame, task);
                    return false;
                }
                w.inFlight.pollFirst();
                tasks.add(task);
                if (task.timeout != null) {
                    task.timeout.cancel(false);
                }
                long now = System.nanoTime();
                if (type != FrameType.SKIPPED) {
                    averageRunNanos += (now - task.startNanos - averageRunNanos) / 8;
                    long rss = frame.body().getLong();
                    if (config.maxMemoryPerChild() > 0 && rss > config.maxMemoryPerChild() && !w.retiring) {
                        LOG.log(Level.DEBUG, "{0} uses {1} bytes, more than {2}: recycling it", w, rss,
                                config.maxMemoryPerChild());
                        w.retiring = true;
                    }
                }
                TaskRecord next = w.inFlight.peekFirst();
                if (next != null) {
                    started(next, now);
                }
            }
            stopIfDoneLocked(w, touched);
            dispatchLocked(touched);
        } finally {
            lock.unlock();
        }
        flush(touched);
        return true;
    }

    private static void complete(TaskRecord task, Frame frame, Worker w) {
        if (frame.type() == FrameType.SKIPPED || task.future.isDone()) {
            return;
        }
        ByteSource body = frame.body();
        body.getLong(); // resident set size, read under the lock
        try {
            if (frame.type() == FrameType.RESULT) {
                task.future.complete(task.mode == CallMode.CHUNK ? ListCodec.read(body) : StandardCodec.INSTANCE.read(body));
            } else {
                int index = body.getInt();
                Throwable failure = ThrowableCodec.read(body, "pool worker " + w);
                task.future.completeExceptionally(task.mode == CallMode.CHUNK ? new ChunkFailedException(index, failure) : failure);
            }
        } catch (DecodingException | MalformedDataException e) {
            task.future.completeExceptionally(e instanceof DecodingException d ? d
                    : new DecodingException("malformed outcome from " + w + ": " + e.getMessage(), e));
        }
    }

    /** Stops a worker that should stop and has nothing left to do. Lock held. */
    private void stopIfDoneLocked(Worker w, List<Worker> touched) {
        boolean draining = state == State.SHUTDOWN && pending.isEmpty();
        if ((w.retiring || draining) && w.inFlight.isEmpty() && !w.stopSent && !w.dead) {
            w.stopSent = true;
            w.post(FrameType.STOP, 0, new byte[0]);
            touched.add(w);
            if (w.retiring && state == State.RUNNING) {
                bootReplacementLocked();
            }
        }
    }

    // -------------------------------------------------------------------------------- worker lifecycle

    /** The worker exited after STOP, or died. Whoever notices first handles it; later calls do nothing. */
    private void workerExited(Worker w) {
        if (!w.exitHandled.compareAndSet(false, true)) {
            return;
        }
        Process process = w.child.process();
        try {
            if (!process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                w.child.kill();
                process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        w.child.awaitOutputDrained();
        int exit = process.isAlive() ? -1 : process.exitValue();
        List<TaskRecord> failed = new ArrayList<>();
        List<TaskRecord> cancelled = new ArrayList<>();
        List<Worker> touched = new ArrayList<>();
        lock.lock();
        try {
            w.dead = true;
            workers.remove(w);
            TaskRecord head = w.inFlight.pollFirst();
            if (head != null && head.timeout != null) {
                head.timeout.cancel(false);
            }
            if (state == State.STOPPING) {
                if (head != null) {
                    cancelled.add(head);
                }
                cancelled.addAll(w.inFlight);
            } else {
                for (Iterator<TaskRecord> it = w.inFlight.descendingIterator(); it.hasNext(); ) {
                    requeueLocked(it.next());
                }
                if (head != null && !head.future.isDone()) {
                    if (head.attempts < config.retries()) {
                        head.attempts++;
                        LOG.log(Level.DEBUG, "{0} died running {1}; running it again (attempt {2})", w, head, head.attempts + 1);
                        requeueLocked(head);
                    } else {
                        failed.add(head);
                    }
                }
                if (!w.stopSent || head != null) {
                    LOG.log(Level.DEBUG, "{0} died: {1}", w, ExitStatus.describe(exit));
                }
                if (state == State.RUNNING || (state == State.SHUTDOWN && !pending.isEmpty())) {
                    if (!w.stopSent || w.retiring) {
                        bootReplacementLocked();
                    }
                }
                dispatchLocked(touched);
            }
            w.inFlight.clear();
            w.readable.signalAll();
            checkTerminatedLocked();
        } finally {
            lock.unlock();
        }
        w.connection.close();
        w.stopWriter();
        flush(touched);
        if (!failed.isEmpty()) {
            String tail = w.child.stderrTail(20);
            int signal = ExitStatus.signal(exit);
            for (TaskRecord t : failed) {
                t.future.completeExceptionally(new WorkerCrashedException(
                        "worker " + w + " died while running a task: " + ExitStatus.describe(exit)
                                + (tail.isEmpty() ? "" : ". Last lines of its stderr:\n" + tail),
                        w.pid(), exit, signal, tail));
            }
        }
        for (TaskRecord t : cancelled) {
            t.future.completeExceptionally(new CancellationException("the pool was terminated"));
        }
    }

    private void requeueLocked(TaskRecord task) {
        task.worker = null;
        task.startNanos = 0;
        if (!task.future.isDone()) {
            pending.addFirst(task);
        }
    }

    /** Boots a replacement worker in the background, unless enough are running or booting. Lock held. */
    private void bootReplacementLocked() {
        long live = workers.stream().filter(x -> !x.retiring && !x.dead).count();
        if (live + booting >= config.processes() || broken != null) {
            return;
        }
        booting++;
        Thread.ofVirtual().name("mp4j-pool-boot").start(() -> {
            Worker w = null;
            Throwable failure = null;
            try {
                w = boot.bootOne();
            } catch (InterruptedException e) {
                failure = e;
            } catch (RuntimeException e) {
                failure = e;
            }
            replacementBooted(w, failure);
        });
    }

    private void replacementBooted(Worker w, Throwable failure) {
        List<Worker> touched = new ArrayList<>();
        List<TaskRecord> doomed = new ArrayList<>();
        boolean keep = false;
        lock.lock();
        try {
            booting--;
            if (w != null && (state == State.RUNNING || state == State.SHUTDOWN)) {
                consecutiveStartFailures = 0;
                workers.add(w);
                keep = true;
                stopIfDoneLocked(w, touched);
                dispatchLocked(touched);
            } else if (failure != null && state != State.STOPPING && state != State.TERMINATED) {
                LOG.log(Level.WARNING, "a replacement worker failed to start: " + failure.getMessage());
                if (++consecutiveStartFailures >= MAX_CONSECUTIVE_START_FAILURES) {
                    broken = failure;
                    state = State.STOPPING;
                    doomed.addAll(pending);
                    pending.clear();
                } else {
                    bootReplacementLocked();
                }
            }
            checkTerminatedLocked();
        } finally {
            lock.unlock();
        }
        if (w != null) {
            if (keep) {
                startReader(w);
                flush(touched);
            } else {
                w.child.kill();
            }
        }
        for (TaskRecord t : doomed) {
            t.future.completeExceptionally(new IllegalStateException("the pool is broken: " + MAX_CONSECUTIVE_START_FAILURES
                    + " replacement workers in a row failed to start; the last failure: " + failure.getMessage(), failure));
        }
        if (!doomed.isEmpty() || broken != null && w == null) {
            killAll();
        }
    }

    // ------------------------------------------------------------------------ timeouts and cancellation

    private void timedOut(TaskRecord task) {
        Worker victim = null;
        lock.lock();
        try {
            if (task.worker != null && task.worker.inFlight.peekFirst() == task && !task.future.isDone()) {
                victim = task.worker;
            }
        } finally {
            lock.unlock();
        }
        if (victim != null && task.future.completeExceptionally(new TaskTimeoutException("the task ran longer than "
                + config.taskTimeout() + " (" + task + "); its worker pid " + victim.pid() + " was killed", config.taskTimeout()))) {
            victim.child.kill();
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
                }
            } else if (w.inFlight.contains(task)) {
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
            victim.child.kill();
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
        lock.lock();
        try {
            if (state == State.TERMINATED) {
                return List.of();
            }
            state = State.STOPPING;
            queued = new ArrayList<>(pending);
            pending.clear();
            for (Worker w : workers) {
                // Tasks queued on a worker behind the running one never started either.
                while (w.inFlight.size() > 1) {
                    queued.add(w.inFlight.pollLast());
                }
            }
            checkTerminatedLocked();
        } finally {
            lock.unlock();
        }
        killAll();
        List<Runnable> neverStarted = new ArrayList<>();
        for (TaskRecord t : queued) {
            if (t.future.completeExceptionally(new CancellationException("the pool was terminated before the task started"))) {
                neverStarted.add(new NeverStarted(t.toString()));
            }
        }
        return neverStarted;
    }

    private void killAll() {
        List<Worker> all;
        lock.lock();
        try {
            all = new ArrayList<>(workers);
        } finally {
            lock.unlock();
        }
        for (Worker w : all) {
            w.child.kill();
        }
    }

    private void checkTerminatedLocked() {
        if (state != State.RUNNING && state != State.TERMINATED && workers.isEmpty() && booting == 0) {
            state = State.TERMINATED;
            terminatedCondition.signalAll();
            timer.shutdown();
        }
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
        lock.lock();
        try {
            while (state != State.TERMINATED) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = terminatedCondition.awaitNanos(nanos);
            }
            return true;
        } finally {
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

    /** Stands for a task cancelled by {@link #shutdownNow()} before it started. */
    private record NeverStarted(String description) implements Runnable {
        @Override
        public void run() {
            throw new CancellationException(description + " was cancelled by shutdownNow()");
        }
    }
}

package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.pool.TaskTimeoutException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The engine of a {@code ThreadPool} (a fixed set of platform threads) and of a {@code VirtualThreadPool}
 * (a virtual thread per task, or N virtual threads sharing a queue). Nothing is serialized: tasks run in
 * this JVM.
 *
 * <p>A task timeout, or {@code cancel(true)}, interrupts the task's thread and then completes its future;
 * a task that ignores the interrupt keeps its thread until it returns (only a process can be killed). The
 * interrupt comes first because completing the future runs its plain callbacks, and one that waits for the
 * pool ({@code close()}, say) would otherwise wait for a task nobody has interrupted yet; the timeout or
 * cancel claims the task's outcome before it interrupts, so the task's own outcome, which the interrupt may
 * hasten, is dropped; the task's thread waits for that completion before it leaves, so the pool never terminates
 * with such a future pending. The interrupt never leaks into the next task run by the same thread.
 *
 * <p>Thread-safe.
 */
public final class ThreadEngine implements PoolEngine {
    /** The engine whose task the current thread runs, with the callbacks its completion runs. */
    private static final ScopedValue<ThreadEngine> RUNNING = ScopedValue.newInstance();

    private final ExecutorService executor;
    private final int parallelism;
    private final Duration taskTimeout;
    private final PoolTimer timer = PoolTimer.onFirstUse();
    /**
     * The threads in {@link #shutdownNow()}, or in a cancel that has taken its task out of the queue (one entry per
     * call, as a callback may call it again), completing futures, which the pool's termination waits for; guarded by
     * itself.
     */
    private final List<Thread> delivering = new ArrayList<>();

    private ThreadEngine(ExecutorService executor, int parallelism, Duration taskTimeout) {
        this.executor = executor;
        this.parallelism = parallelism;
        this.taskTimeout = taskTimeout;
    }

    /**
     * A fixed pool of {@code threads} daemon platform threads named {@code name-N}, at the normal priority and with
     * no inheritable thread-local values: a thread is started by whichever caller submits a task while there are
     * fewer, and must not keep that caller's priority (as {@code Executors.defaultThreadFactory()}'s threads do not)
     * or its {@link InheritableThreadLocal}s (a request's user, say) for every later task of every caller.
     */
    public static ThreadEngine platform(int threads, String name, Duration taskTimeout) {
        ThreadPoolExecutor tpe = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                sharedThreads(Thread.ofPlatform().daemon().priority(Thread.NORM_PRIORITY).name(name + "-", 1)));
        return new ThreadEngine(tpe, threads, taskTimeout);
    }

    /**
     * Threads that run the tasks of every caller: they inherit no {@link InheritableThreadLocal}s, but, as before,
     * the context class loader of the thread that starts them (a builder that inherits no thread-locals would give
     * them the system class loader instead, and a task that looks up a web application's services through it would
     * no longer find them).
     */
    private static ThreadFactory sharedThreads(Thread.Builder builder) {
        ThreadFactory factory = builder.inheritInheritableThreadLocals(false).factory();
        return task -> {
            Thread thread = factory.newThread(task);
            thread.setContextClassLoader(Thread.currentThread().getContextClassLoader());
            return thread;
        };
    }

    /**
     * A virtual thread per task named {@code name}, which inherits its submitter's {@link InheritableThreadLocal}s
     * as any new thread does; with a positive {@code maxConcurrency}, that many virtual threads take tasks from a
     * queue instead, so tasks beyond the limit wait in order (and {@link #shutdownNow()} can return them), and,
     * as a platform pool's, they run the tasks of every caller, so they inherit none.
     */
    public static ThreadEngine virtual(int maxConcurrency, String name, Duration taskTimeout) {
        if (maxConcurrency > 0) {
            return new ThreadEngine(new ThreadPoolExecutor(maxConcurrency, maxConcurrency, 0, TimeUnit.MILLISECONDS,
                    new LinkedBlockingQueue<>(), sharedThreads(Thread.ofVirtual().name(name + "-", 1))),
                    maxConcurrency, taskTimeout);
        }
        return new ThreadEngine(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name + "-", 1).factory()),
                0, taskTimeout);
    }

    @Override
    public Definition define(Object target, boolean reusable) {
        return new LocalDefinition(target);
    }

    private record LocalDefinition(Object target) implements Definition {
        @Override
        public void close() {
            // nothing travelled, nothing to forget
        }
    }

    @Override
    public <V> TaskFuture<V> call(Definition target, CallMode mode, Object arg) {
        Object argument = mode == CallMode.CHUNK ? new ArrayList<>((List<?>) arg) : arg;
        return queue(target, mode, argument, false);
    }

    /** The command is the target itself: {@link #shutdownNow()} lists it if it takes the call off the queue. */
    @Override
    public TaskFuture<?> callCommand(Definition target, Runnable command) {
        return queue(target, CallMode.RUN, null, true);
    }

    @SuppressWarnings("unchecked")
    private <V> TaskFuture<V> queue(Definition target, CallMode mode, Object argument, boolean command) {
        TaskFuture<Object> future = new TaskFuture<>();
        Job job = new Job(((LocalDefinition) target).target(), mode, argument, future, command);
        future.canceller(job::cancelled, true);
        try {
            executor.execute(job);
        } catch (RejectedExecutionException e) {
            if (executor.isShutdown()) {
                // the executor's own message names neither the pool nor the reason ("Task ...$Job@1b2c rejected from
                // ...ThreadPoolExecutor@5e48[Terminated...]", or none at all): say it as the process pool does
                throw new RejectedExecutionException("the pool is shut down", e);
            }
            throw e;
        }
        return (TaskFuture<V>) future;
    }

    @Override
    public int parallelism() {
        return parallelism;
    }

    /**
     * A task of this pool (or a callback its end runs) that waited for the pool to terminate would wait for
     * itself: the pool cannot terminate while the task runs. Waiting for another task's future is fine.
     */
    @Override
    public void refuseToAwaitTerminationHere() {
        if (RUNNING.isBound() && RUNNING.get() == this) {
            throw new IllegalStateException("close() or join() in a task of this pool, or in a callback that one"
                    + " of its tasks runs, would wait for itself: call shutdown() there, and close() or join()"
                    + " elsewhere");
        }
    }

    /** One task on its way through the executor. */
    private final class Job implements Runnable {
        private static final Object NOT_STARTED = new Object();
        private static final Object FINISHED = new Object();
        private static final int OPEN = 0;
        private static final int BY_TASK = 1;
        private static final int BY_STOP = 2;
        private static final VarHandle OUTCOME;

        static {
            try {
                OUTCOME = MethodHandles.lookup().findVarHandle(Job.class, "outcome", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Object target;
        private final CallMode mode;
        private final Object arg;
        private final TaskFuture<Object> future;
        /** Whether the target is a runnable given to execute(), which shutdownNow() lists if it drains this job. */
        private final boolean command;
        /** NOT_STARTED, the running Thread, or FINISHED; guarded by this. */
        private Object runner = NOT_STARTED;
        /**
         * Who completes the future: OPEN until claimed, BY_TASK (its result or exception) or BY_STOP (a timeout
         * or cancel, which interrupts the task before it completes the future). A field with a VarHandle, not
         * an AtomicInteger: a pool may run a million short tasks a second, and each would allocate one.
         */
        private volatile int outcome = OPEN;

        Job(Object target, CallMode mode, Object arg, TaskFuture<Object> future, boolean command) {
            this.target = target;
            this.mode = mode;
            this.arg = arg;
            this.future = future;
            this.command = command;
        }

        @Override
        public void run() {
            boolean start;
            synchronized (this) {
                start = runner == NOT_STARTED && outcome != BY_STOP && !future.isDone();
                if (start) {
                    runner = Thread.currentThread();
                }
            }
            if (!start) {
                awaitStopped(); // a cancel of the queued task may not have completed its future yet
                return;
            }
            // Every completion on this thread, the one of a task that could not start too, is in the scope: its
            // callbacks run here, and one that called close() or join() would wait for this thread to leave.
            ScopedValue.where(RUNNING, ThreadEngine.this).run(this::runWithDeadline);
        }

        /** Sets the task's deadline, runs it, and completes its future. */
        private void runWithDeadline() {
            ScheduledFuture<?> deadline = null;
            int[] at = {-1};
            try {
                if (taskTimeout != null) {
                    try {
                        deadline = scheduleTimeout();
                    } catch (Throwable t) {
                        // No thread for the timer (OutOfMemoryError: the thread limit): the task does not run. Said so,
                        // with the Error as the cause, as a process pool says what it could not start (the type its
                        // tasks fail with when the pool cannot go on: IllegalStateException)
                        throw new IllegalStateException("the task did not run: the pool could not set its timeout"
                                + " (taskTimeout " + taskTimeout + "): " + t, t);
                    }
                }
                runTask(at);
            } catch (Throwable t) {
                if (OUTCOME.compareAndSet(this, OPEN, BY_TASK)) {
                    future.completeExceptionally(t); // the timeout could not be set up: the task did not run
                }
            } finally {
                if (deadline != null) {
                    deadline.cancel(false);
                }
                synchronized (this) {
                    runner = FINISHED;
                }
                awaitStopped();
                Thread.interrupted(); // an interrupt meant for this task must not reach the next one
            }
        }

        /**
         * A timeout or cancel claims the outcome and interrupts the task before it completes the future, and the
         * task may end in between: its thread waits for that completion, so that the pool does not terminate (and
         * close() return) with the future still pending. Only a moment (no user code runs in between), and only
         * until the future is done, not until its callbacks have run: one of them may wait for the pool (close(),
         * say), that is, for this thread to leave.
         */
        private void awaitStopped() {
            if (outcome == BY_STOP) {
                while (!future.isDone()) {
                    Thread.yield();
                }
            }
        }

        /** Runs the task and completes its future (whose plain callbacks run here too). */
        private void runTask(int[] at) {
            Object result;
            try {
                result = mode.invoke(target, arg, at);
            } catch (Throwable t) {
                if (OUTCOME.compareAndSet(this, OPEN, BY_TASK)) {
                    future.completeExceptionally(mode == CallMode.CHUNK ? new ChunkFailedException(at[0], t)
                            : TaskFuture.taskFailure(t));
                }
                return;
            }
            if (OUTCOME.compareAndSet(this, OPEN, BY_TASK)) {
                future.complete(result);
            }
        }

        /** The timer of this task's timeout, or null if the timer was stopped (only once the pool has terminated). */
        private ScheduledFuture<?> scheduleTimeout() {
            try {
                return timer.schedule(this::timedOut, TimeUnit.NANOSECONDS.convert(taskTimeout)); // FOREVER saturates
            } catch (RejectedExecutionException stopped) {
                return null; // the task runs without a deadline rather than not at all, and still completes
            }
        }

        private void timedOut() {
            if (OUTCOME.compareAndSet(this, OPEN, BY_STOP)) {
                interruptRunner();
                future.completeExceptionally(new TaskTimeoutException("the task ran longer than " + taskTimeout
                        + "; its thread was interrupted", taskTimeout));
            }
        }

        /**
         * Called by {@code cancel} before it completes the future. A task that has not started never will (it leaves
         * the queue at once, see {@link #dequeue()}); one
         * that runs is interrupted with {@code mayInterrupt}, even if an earlier cancel without interrupt claimed
         * it, but not one that has completed its future itself.
         */
        void cancelled(boolean mayInterrupt) {
            int was = (int) OUTCOME.compareAndExchange(this, OPEN, BY_STOP);
            if (was == OPEN && dequeue()) {
                return;
            }
            if (was != BY_TASK && mayInterrupt) {
                interruptRunner();
            }
        }

        /**
         * Takes this task, which the cancel has just claimed, out of the executor's queue if it is still there, and
         * completes its future as cancelled: left queued until a thread reached it, it held its target and argument
         * (a loop of timed applies behind a long task would keep every argument it gave up on). The future completes
         * here, not in {@code cancel} right after, as the queue may now be empty and the pool terminate before; this
         * thread is among the {@link #delivering} ones meanwhile, as {@link #shutdownNow()}'s is, so the pool does not
         * terminate with the future pending. Removal scans the queue, as {@code ThreadPoolExecutor.remove} and a
         * {@code ScheduledThreadPoolExecutor} removing cancelled tasks do.
         */
        private boolean dequeue() {
            if (!(executor instanceof ThreadPoolExecutor queued)) {
                return false; // a thread per task: it starts at once, and queues nothing
            }
            synchronized (this) {
                if (runner != NOT_STARTED) {
                    return false;
                }
            }
            Thread me = Thread.currentThread();
            synchronized (delivering) {
                delivering.add(me);
            }
            try {
                if (!queued.remove(this)) {
                    return false; // a thread has just taken it (and will not start it), or shutdownNow() drained it
                }
                future.completeExceptionally(new CancellationException());
                return true;
            } finally {
                synchronized (delivering) {
                    delivering.remove(me);
                    delivering.notifyAll();
                }
            }
        }

        private synchronized void interruptRunner() {
            if (runner instanceof Thread t) {
                t.interrupt();
            }
        }
    }

    @Override
    public void shutdown() {
        executor.shutdown();
        stopTimerIfTerminated();
    }

    @Override
    public List<Runnable> shutdownNow() {
        Thread me = Thread.currentThread();
        synchronized (delivering) {
            delivering.add(me); // before the executor can terminate: see isTerminated()
        }
        try {
            // One entry per task this call cancels, as a process pool's: the executor may also drain a task whose
            // cancel has claimed it but not yet taken it out of the queue. A drained job never runs, so a runnable
            // given to execute() is listed as itself, for the caller to run, as a ThreadPoolExecutor lists it (a
            // CompletableFuture stage whose executor is the pool completes only so); its future is cancelled all
            // the same, so that the pool terminates with every future done.
            List<Runnable> neverStarted = new ArrayList<>();
            for (Runnable r : executor.shutdownNow()) {
                if (r instanceof Job job && job.future.completeExceptionally(
                        new CancellationException("the pool was terminated before the task started"))) {
                    neverStarted.add(job.command ? (Runnable) job.target
                            : new NeverStarted("a task (" + job.mode + ", queued)"));
                }
            }
            // Not the timer: a running task that ignores its interrupt still times out, its future failed at the
            // deadline. The timer stops once the pool has terminated, or its thread when idle.
            stopTimerIfTerminated();
            return neverStarted;
        } finally {
            synchronized (delivering) {
                delivering.remove(me);
                delivering.notifyAll();
            }
        }
    }

    /**
     * Whether a thread other than this one is in {@link #shutdownNow()} or a cancel, completing the futures of the
     * tasks it took from the queue. Called with the monitor of {@link #delivering} held.
     */
    private boolean othersDelivering() {
        for (Thread t : delivering) {
            if (t != Thread.currentThread()) {
                return true;
            }
        }
        return false;
    }

    private void stopTimerIfTerminated() {
        if (executor.isTerminated()) {
            timer.shutdown();
        }
    }

    @Override
    public boolean isShutdown() {
        return executor.isShutdown();
    }

    /**
     * The executor has terminated and no {@link #shutdownNow()} or cancel is still completing the futures of the
     * tasks it took from the queue, so every future is done. (A thread in shutdownNow() itself, running a callback of one of those
     * futures, does not wait for itself.)
     */
    @Override
    public boolean isTerminated() {
        if (!executor.isTerminated()) {
            return false;
        }
        synchronized (delivering) {
            return !othersDelivering();
        }
    }

    @Override
    public boolean awaitTermination(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        if (!executor.awaitTermination(nanos, TimeUnit.NANOSECONDS)) {
            return false;
        }
        synchronized (delivering) {
            while (othersDelivering()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(delivering, left);
            }
        }
        stopTimerIfTerminated();
        return true;
    }
}

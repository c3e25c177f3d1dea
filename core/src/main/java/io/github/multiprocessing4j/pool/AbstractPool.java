package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.function.SerializableBiFunction;
import io.github.multiprocessing4j.function.SerializableCallable;
import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.internal.codec.ThrowableCodec;
import io.github.multiprocessing4j.internal.pool.CallMode;
import io.github.multiprocessing4j.internal.pool.ChunkFailedException;
import io.github.multiprocessing4j.internal.pool.ChunkItemEncodingException;
import io.github.multiprocessing4j.internal.pool.Pair;
import io.github.multiprocessing4j.internal.pool.PoolEngine;
import io.github.multiprocessing4j.internal.pool.TaskFuture;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link Pool} API on top of a {@link PoolEngine}: what {@code apply}, {@code map}, {@code imap},
 * {@code starmap} and the {@code ExecutorService} contract mean, the same for every engine.
 */
abstract class AbstractPool extends AbstractExecutorService implements Pool {
    private static final System.Logger LOG = System.getLogger(Pool.class.getName());
    private static final long TERMINATE_WAIT_SECONDS = 30;

    final PoolEngine engine;

    AbstractPool(PoolEngine engine) {
        this.engine = engine;
    }

    // ------------------------------------------------------------------------------------ single calls

    @Override
    public <T, R> R apply(SerializableFunction<? super T, ? extends R> fn, T arg)
            throws InterruptedException, ExecutionException {
        Objects.requireNonNull(fn, "fn");
        return engine.callAndWait(engine.define(fn, false), CallMode.APPLY, arg);
    }

    @Override
    public <T, R> R apply(SerializableFunction<? super T, ? extends R> fn, T arg, java.time.Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        engine.refuseToWaitOnOwnReader(); // before the task is sent: the wait would be refused, the task left running
        return Pool.super.apply(fn, arg, timeout);
    }

    @Override
    public <T, R> CompletableFuture<R> applyAsync(SerializableFunction<? super T, ? extends R> fn, T arg) {
        Objects.requireNonNull(fn, "fn");
        return engine.call(engine.define(fn, false), CallMode.APPLY, arg);
    }

    @Override
    public <V> CompletableFuture<V> submit(SerializableCallable<V> task) {
        return submit((Callable<V>) task);
    }

    @Override
    public CompletableFuture<?> submit(SerializableRunnable task) {
        return submit((Runnable) task);
    }

    @Override
    public <V> CompletableFuture<V> submit(Callable<V> task) {
        Objects.requireNonNull(task, "task");
        return engine.call(engine.define(task, false), CallMode.CALL, null);
    }

    @Override
    public CompletableFuture<?> submit(Runnable task) {
        Objects.requireNonNull(task, "task");
        return engine.call(engine.define(task, false), CallMode.RUN, null);
    }

    @Override
    public <V> CompletableFuture<V> submit(Runnable task, V result) {
        @SuppressWarnings("unchecked")
        TaskFuture<Object> ran = (TaskFuture<Object>) submit(task);
        TaskFuture<V> withResult = new TaskFuture<>();
        withResult.owner(engine);
        withResult.canceller(ran::cancel, true); // stop the task before this future's callbacks run, as ran does
        ran.whenComplete((v, e) -> {
            if (e == null) {
                withResult.complete(result);
            } else {
                // unwrapped, but not a CancellationException the task threw: that fails the task, it does not cancel it
                withResult.completeExceptionally(e instanceof CompletionException c
                        && !(c.getCause() instanceof CancellationException) ? c.getCause() : e);
            }
        });
        return withResult;
    }

    /**
     * A task whose future nobody holds: its failure must not vanish. Queued as the command itself, which
     * shutdownNow() gives back if it takes it off a queue before anything ran it, as a JDK executor does.
     */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        engine.callCommand(engine.define(command, false), command).whenComplete((v, e) -> {
            if (e != null && !(e instanceof CancellationException)) {
                LOG.log(Level.WARNING, "a task given to execute() failed", e);
            }
        });
    }

    // ---------------------------------------------------------------------------------------------- map

    @Override
    public <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> args)
            throws InterruptedException, ExecutionException {
        List<? extends T> items = toList(args);
        return map(fn, items, defaultChunkSize(items.size()));
    }

    @Override
    public <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> args,
                              int chunkSize) throws InterruptedException, ExecutionException {
        List<? extends T> items = toList(args);
        requirePositive(chunkSize);
        rejectIfShutdown(); // an empty input submits nothing, and would not be refused
        engine.refuseToWaitOnOwnReader(); // before any chunk is sent: the wait below would be refused anyway
        try (PoolEngine.Definition function = engine.define(Objects.requireNonNull(fn, "fn"), true)) {
            List<TaskFuture<List<Object>>> chunks = submitChunks(function, items, chunkSize);
            List<List<Object>> results = new ArrayList<>(chunks.size());
            for (int c = 0; c < chunks.size(); c++) {
                try {
                    results.add(chunks.get(c).get());
                } catch (ExecutionException e) {
                    cancelAll(chunks, false);
                    throw itemFailed(c * chunkSize, e.getCause());
                } catch (InterruptedException e) {
                    cancelAll(chunks, true);
                    throw e;
                }
            }
            return new ChunkedList<>(results, chunkSize, items.size());
        }
    }

    @Override
    public <T, R> CompletableFuture<List<R>> mapAsync(SerializableFunction<? super T, ? extends R> fn,
                                                      Iterable<? extends T> args, int chunkSize) {
        List<? extends T> items = toList(args);
        requirePositive(chunkSize);
        rejectIfShutdown(); // an empty input submits nothing, and would not be refused
        // The size now, as the chunks are copied now: the caller may reuse its list once this returns.
        int size = items.size();
        PoolEngine.Definition function = engine.define(Objects.requireNonNull(fn, "fn"), true);
        List<TaskFuture<List<Object>>> chunks;
        try {
            chunks = submitChunks(function, items, chunkSize);
        } catch (RuntimeException e) {
            function.close();
            throw e;
        }
        TaskFuture<List<R>> all = new TaskFuture<>();
        all.owner(engine);
        // Chunks stopped before callbacks run. While cancel() stops them, a chunk's end does not complete `all`
        // (cancel does, right after): that would run its callbacks, and cancel the other chunks without interrupt,
        // before they are stopped.
        AtomicBoolean cancelling = new AtomicBoolean();
        all.canceller(mayInterrupt -> {
            cancelling.set(true);
            cancelAll(chunks, mayInterrupt);
        }, true);
        AtomicInteger left = new AtomicInteger(chunks.size());
        if (chunks.isEmpty()) {
            function.close();
            all.complete(new ChunkedList<>(List.of(), chunkSize, 0));
            return all;
        }
        for (TaskFuture<List<Object>> chunk : chunks) {
            chunk.whenComplete((ignored, failure) -> {
                if (failure != null) {
                    // the first failure ends it at once, as in map(): the task's exception is the cause of get()'s
                    if (!cancelling.get() && all.completeExceptionally(unwrap(failure))) {
                        cancelAll(chunks, false);
                    }
                    function.close(); // idempotent: each failing chunk may close it
                } else if (left.decrementAndGet() == 0) {
                    List<List<Object>> results = new ArrayList<>(chunks.size());
                    for (TaskFuture<List<Object>> c : chunks) {
                        results.add(c.resultNow());
                    }
                    function.close();
                    all.complete(new ChunkedList<>(results, chunkSize, size));
                }
            });
        }
        return all;
    }

    /** A chunk's failure as the task threw it (a CancellationException it threw itself fails, not cancels, the result). */
    private static Throwable unwrap(Throwable failure) {
        Throwable f = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
        return f instanceof ChunkFailedException chunk ? TaskFuture.taskFailure(chunk.getCause()) : f;
    }

    private List<TaskFuture<List<Object>>> submitChunks(PoolEngine.Definition function, List<?> items, int chunkSize) {
        int n = items.size();
        List<TaskFuture<List<Object>>> chunks = new ArrayList<>(n / chunkSize + (n % chunkSize == 0 ? 0 : 1));
        int from = 0;
        try {
            for (int to; from < n; from = to) {
                to = from + Math.min(chunkSize, n - from); // never past n, so never past Integer.MAX_VALUE
                chunks.add(engine.call(function, CallMode.CHUNK, items.subList(from, to)));
            }
        } catch (RuntimeException e) {
            cancelAll(chunks, false);
            throw e instanceof ChunkItemEncodingException item ? item.inInput(from) : e;
        }
        return chunks;
    }

    /** The failure of the item at {@code chunkStart + its index in the chunk}, named as such. */
    private static ExecutionException itemFailed(int chunkStart, Throwable failure) {
        Throwable cause = failure;
        String which;
        if (failure instanceof ChunkFailedException chunk) {
            cause = chunk.getCause();
            which = chunk.indexInChunk() >= 0 ? "item " + (chunkStart + chunk.indexInChunk())
                    : "the chunk starting at item " + chunkStart;
        } else {
            which = "the chunk starting at item " + chunkStart;
        }
        return new ExecutionException(which + " failed: " + ThrowableCodec.describe(cause), cause);
    }

    private static void cancelAll(List<? extends Future<?>> futures, boolean mayInterrupt) {
        for (Future<?> f : futures) {
            f.cancel(mayInterrupt);
        }
    }

    // --------------------------------------------------------------------------------------------- imap

    @Override
    public <T, R> ResultIterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> args) {
        return imap(fn, args, 1);
    }

    @Override
    public <T, R> ResultIterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> args,
                                         int chunkSize) {
        return lazily(fn, args, chunkSize, true);
    }

    @Override
    public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn,
                                                  Iterable<? extends T> args) {
        return imapUnordered(fn, args, 1);
    }

    @Override
    public <T, R> ResultIterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn,
                                                  Iterable<? extends T> args, int chunkSize) {
        return lazily(fn, args, chunkSize, false);
    }

    private <T, R> ResultIterator<R> lazily(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> args,
                                            int chunkSize, boolean ordered) {
        requirePositive(chunkSize);
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(args, "args");
        // as every other way to submit (and Python's imap) refuses at the call; a shutdown after this ends the
        // iteration instead, once the tasks already submitted have delivered (see ImapIterator)
        rejectIfShutdown();
        Iterator<? extends T> input = args.iterator();
        return new ImapResults<>(new ImapIterator<>(engine, engine.define(fn, true), input, chunkSize,
                ordered, window()));
    }

    /** How many tasks imap keeps in flight ahead of its consumer: 8 to 4096. */
    private int window() {
        return Math.max(8, 4 * workers());
    }

    // ------------------------------------------------------------------------------------------ starmap

    @Override
    public <T, U, R> List<R> starmap(SerializableBiFunction<? super T, ? super U, ? extends R> fn,
                                     Iterable<? extends Map.Entry<? extends T, ? extends U>> args)
            throws InterruptedException, ExecutionException {
        Objects.requireNonNull(fn, "fn"); // the pairs' function is never null: a null fn would fail each item in the pool
        List<Pair> pairs = pairs(args);
        return map(Pair.spread(fn), pairs, defaultChunkSize(pairs.size()));
    }

    @Override
    public <T, U, R> List<R> starmap(SerializableBiFunction<? super T, ? super U, ? extends R> fn,
                                     Iterable<? extends Map.Entry<? extends T, ? extends U>> args, int chunkSize)
            throws InterruptedException, ExecutionException {
        Objects.requireNonNull(fn, "fn");
        return map(Pair.spread(fn), pairs(args), chunkSize);
    }

    @Override
    public <T, U, R> CompletableFuture<List<R>> starmapAsync(
            SerializableBiFunction<? super T, ? super U, ? extends R> fn,
            Iterable<? extends Map.Entry<? extends T, ? extends U>> args, int chunkSize) {
        Objects.requireNonNull(fn, "fn");
        return mapAsync(Pair.spread(fn), pairs(args), chunkSize);
    }

    private static List<Pair> pairs(Iterable<? extends Map.Entry<?, ?>> args) {
        List<Pair> pairs = new ArrayList<>();
        for (Map.Entry<?, ?> e : args) {
            pairs.add(Pair.of(e));
        }
        return pairs;
    }

    // ------------------------------------------------------------------------------ ExecutorService bulk

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        engine.refuseToWaitOnOwnReader(); // before any task is sent, as map() does
        List<Future<T>> futures = submitAll(tasks);
        try {
            for (Future<T> f : futures) {
                awaitQuietly(f);
            }
        } catch (InterruptedException e) {
            cancelAll(futures, true);
            throw e;
        }
        return futures;
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        engine.refuseToWaitOnOwnReader(); // before any task is sent, as map() does
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        List<Future<T>> futures = submitAll(tasks);
        try {
            for (Future<T> f : futures) {
                try {
                    f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException | CancellationException e) {
                    // reported by the future itself
                } catch (TimeoutException e) {
                    cancelAll(futures, true);
                    break;
                }
            }
        } catch (InterruptedException e) {
            cancelAll(futures, true);
            throw e;
        }
        return futures;
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return invokeAny(tasks, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no timeout was given", e);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("no tasks");
        }
        engine.refuseToWaitOnOwnReader(); // before any task is sent: waiting for one here would wait for good
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        List<Future<T>> futures = submitAll(tasks);
        BlockingQueue<Future<T>> done = new LinkedBlockingQueue<>();
        for (Future<T> f : futures) {
            ((CompletableFuture<T>) f).whenComplete((v, e) -> done.add(f));
        }
        try {
            ExecutionException last = null;
            for (int i = 0; i < futures.size(); i++) {
                long left = deadline - System.nanoTime();
                Future<T> f = timeout == Long.MAX_VALUE && unit == TimeUnit.NANOSECONDS ? done.take()
                        : done.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
                if (f == null) {
                    throw new TimeoutException("no task completed successfully within " + unit.toMillis(timeout) + " ms");
                }
                try {
                    return f.get();
                } catch (ExecutionException e) {
                    last = e;
                } catch (CancellationException e) {
                    last = new ExecutionException(e);
                }
            }
            throw last;
        } finally {
            cancelAll(futures, true);
        }
    }

    private <T> List<Future<T>> submitAll(Collection<? extends Callable<T>> tasks) {
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> task : tasks) {
                futures.add(submit(task));
            }
        } catch (RuntimeException e) {
            cancelAll(futures, true);
            throw e;
        }
        return futures;
    }

    private static void awaitQuietly(Future<?> f) throws InterruptedException {
        try {
            f.get();
        } catch (ExecutionException | CancellationException e) {
            // reported by the future itself
        }
    }

    // ---------------------------------------------------------------------------------------- lifecycle

    @Override
    public void shutdown() {
        engine.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return engine.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return engine.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return engine.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return engine.awaitTermination(unit.toNanos(timeout));
    }

    @Override
    public void join() throws InterruptedException {
        if (!isShutdown()) {
            throw new IllegalStateException("join() waits for a pool that was shut down: call close(), shutdown() or"
                    + " terminate() first");
        }
        refuseToWaitForItself();
        while (!awaitTermination(1, TimeUnit.DAYS)) {
            // keep waiting
        }
    }

    @Override
    public void terminate() {
        engine.shutdownNow();
        if (!engine.stopsForSure()) {
            return; // threads have been interrupted; one that ignores it cannot be waited for
        }
        if (engine.isOwnReaderThread()) {
            return; // a callback on a process pool's result thread: the workers are killed, their end is handled after it
        }
        try {
            engine.awaitTermination(TimeUnit.SECONDS.toNanos(TERMINATE_WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown();
        refuseToWaitForItself();
        try {
            while (!awaitTermination(1, TimeUnit.DAYS)) {
                // keep waiting
            }
        } catch (InterruptedException e) {
            terminate();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A thread the pool itself needs cannot wait for the pool to terminate: a process pool's thread that
     * delivers results (running a plain callback of a pool future), whose worker ends only once that thread
     * reads on, or a thread pool's thread running one of its tasks (or a callback that task's end runs).
     * Refuse with a clear error rather than wait forever.
     */
    private void refuseToWaitForItself() {
        if (!isTerminated()) {
            engine.refuseToAwaitTerminationHere();
        }
    }

    @Override
    public int parallelism() {
        return engine.parallelism();
    }

    /**
     * Workers to size chunks and windows by: the parallelism, or {@value #UNBOUNDED_WORKERS} for an unbounded
     * (virtual-thread) pool, whose tasks are I/O-bound: the cores would allow only a few dozen blocking calls in
     * flight, where the pool is for thousands. A limit above that counts as no limit: imap's window must not grow
     * with it (a limit of {@code Integer.MAX_VALUE} would read an endless input without bound).
     */
    private int workers() {
        int p = engine.parallelism();
        return p > 0 ? Math.min(p, UNBOUNDED_WORKERS) : UNBOUNDED_WORKERS;
    }

    private static final int UNBOUNDED_WORKERS = 1024;

    /** Python's default: {@code ceil(n / (4 * workers))}, at least 1. */
    int defaultChunkSize(int n) {
        return Math.max(1, (int) Math.ceil(n / (4.0 * workers())));
    }

    /**
     * The arguments as a list to cut into chunks: a list with random access as it is, anything else copied, a
     * {@link java.util.LinkedList} too (each chunk's {@code subList} would walk it from its head: quadratic).
     */
    private static <T> List<? extends T> toList(Iterable<? extends T> args) {
        Objects.requireNonNull(args, "args");
        if (args instanceof List<? extends T> list && list instanceof RandomAccess) {
            return list;
        }
        List<T> list = new ArrayList<>();
        args.forEach(list::add);
        return list;
    }

    /**
     * Refuses a map or imap after shutdown even if its input is empty, as Python's {@code Pool} does ("Pool not
     * running"): an empty input submits no task, and so would not be refused by the engine.
     */
    private void rejectIfShutdown() {
        if (engine.isShutdown()) {
            throw new RejectedExecutionException("the pool is shut down");
        }
    }

    private static void requirePositive(int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize < 1: " + chunkSize);
        }
    }
}

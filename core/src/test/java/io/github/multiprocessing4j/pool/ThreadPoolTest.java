package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.Delays;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** What the thread engines do where processes would kill: they interrupt, and never leak the interrupt. */
class ThreadPoolTest {

    @Test
    void aTimeout_interruptsTheTasksThread_andTheInterruptDoesNotReachTheNextTask() throws Exception {
        try (ThreadPool pool = ThreadPool.builder().threads(1).taskTimeout(Delays.millis(300)).build()) {
            AtomicBoolean sawInterrupt = new AtomicBoolean();
            CompletableFuture<Integer> slow = pool.applyAsync(x -> {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    sawInterrupt.set(true);
                }
                return x;
            }, 1);
            assertThatThrownBy(() -> slow.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(TaskTimeoutException.class).hasMessageContaining("interrupted");
            assertThat(pool.<Boolean, Boolean>apply(x -> Thread.currentThread().isInterrupted(), true)).isFalse();
            assertThat(sawInterrupt).isTrue();
        }
    }

    /**
     * What the ThreadPool and VirtualThreadPool javadoc promise of a thread that runs one task after another: an
     * interrupt meant for a task (its own, one its callback sets, a cancel(true) it ignored) never reaches the next
     * task, while a ThreadLocal it set does (as in any ThreadPoolExecutor, and Python's pools); a virtual-thread
     * pool without a limit starts each task on a new thread.
     */
    @Test
    void aThreadRunningTaskAfterTask_clearsTheInterruptStatus_butKeepsThreadLocals() throws Exception {
        ThreadLocal<Integer> local = new ThreadLocal<>();
        for (Pool pool : new Pool[] {ThreadPool.create(1), VirtualThreadPool.builder().maxConcurrency(1).build()}) {
            try {
                pool.submit(() -> Thread.currentThread().interrupt()).get(10, TimeUnit.SECONDS);
                assertThat(pool.submit(() -> Thread.currentThread().isInterrupted()).get(10, TimeUnit.SECONDS))
                        .as("%s: after a task interrupted itself", pool).isFalse();

                CountDownLatch registered = new CountDownLatch(1);
                CompletableFuture<Object> withCallback = pool.submit(() -> {
                    registered.await();
                    return null;
                });
                CompletableFuture<Void> callback = withCallback.thenRun(() -> Thread.currentThread().interrupt());
                CompletableFuture<Boolean> afterCallback = pool.submit(() -> Thread.currentThread().isInterrupted());
                registered.countDown();
                callback.get(10, TimeUnit.SECONDS);
                assertThat(afterCallback.get(10, TimeUnit.SECONDS)).as("%s: after a callback interrupted its thread", pool)
                        .isFalse();

                AtomicBoolean release = new AtomicBoolean();
                CountDownLatch started = new CountDownLatch(1);
                CompletableFuture<Object> deaf = pool.submit(() -> {
                    started.countDown();
                    while (!release.get()) {
                        Thread.onSpinWait(); // deaf to interrupts
                    }
                    return null;
                });
                CompletableFuture<Boolean> afterCancel = pool.submit(() -> Thread.currentThread().isInterrupted());
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(deaf.cancel(true)).isTrue();
                release.set(true);
                assertThat(afterCancel.get(10, TimeUnit.SECONDS)).as("%s: after cancel(true) of a task that ignored it", pool)
                        .isFalse();

                pool.submit(() -> local.set(42)).get(10, TimeUnit.SECONDS);
                assertThat(pool.submit(local::get).get(10, TimeUnit.SECONDS)).as("%s: the same thread's ThreadLocal", pool)
                        .isEqualTo(42);
            } finally {
                pool.terminate();
            }
        }
        try (VirtualThreadPool pool = VirtualThreadPool.create()) {
            pool.submit(() -> local.set(42)).get(10, TimeUnit.SECONDS);
            assertThat(pool.submit(local::get).get(10, TimeUnit.SECONDS)).as("a new thread per task").isNull();
        }
    }

    /**
     * A pool's threads are started by whichever caller submits while there are fewer than {@code threads}: they must
     * not take that caller's priority for good (as Executors.defaultThreadFactory's take the normal one), or one
     * low-priority caller would slow every later task of every caller.
     */
    @Test
    void thePoolsThreads_runAtTheNormalPriority_whateverThePriorityOfTheCallerThatStartedThem() throws Exception {
        try (ThreadPool pool = ThreadPool.create(2)) {
            AtomicReference<Object> seen = new AtomicReference<>();
            Thread lowPriorityCaller = Thread.ofPlatform().priority(Thread.MIN_PRIORITY).start(() -> {
                try {
                    seen.set(pool.submit(() -> Thread.currentThread().getPriority()).get(10, TimeUnit.SECONDS));
                } catch (Exception e) {
                    seen.set(e);
                }
            });
            lowPriorityCaller.join(Delays.seconds(30));
            assertThat(seen.get()).as("the priority of a thread the low-priority caller started").isEqualTo(Thread.NORM_PRIORITY);
        }
    }

    /**
     * Likewise, a thread that one caller's submission starts must not keep that caller's InheritableThreadLocals for
     * every later task of every caller: a request's user, kept in one (as Spring Security's inheritable mode keeps
     * it), was seen by the tasks another caller submitted afterwards. A pool whose threads run task after task
     * (a ThreadPool, a VirtualThreadPool with a limit) starts them with none; one without a limit starts each task on
     * a thread of its own, which inherits its submitter's, as any new thread does. The context class loader stays
     * what it was: that of the thread that started the pool's thread, as with Executors.defaultThreadFactory (a
     * thread that inherits no thread-locals would otherwise get the system class loader).
     */
    @Test
    void aThreadTheFirstCallerStarted_doesNotHandItsInheritableThreadLocals_toTheTasksOfLaterCallers() throws Exception {
        try (Pool pool = ThreadPool.create(1)) {
            assertThat(usersSeenByTheTasksOf("alice", "bob", pool)).as("%s", pool).containsExactly("null", "null");
        }
        try (Pool pool = VirtualThreadPool.builder().maxConcurrency(1).build()) {
            assertThat(usersSeenByTheTasksOf("alice", "bob", pool)).as("%s", pool).containsExactly("null", "null");
        }
        for (Pool pool : new Pool[] {ThreadPool.create(1), VirtualThreadPool.builder().maxConcurrency(1).build()}) {
            try (pool; java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[0])) {
                AtomicReference<Object> got = new AtomicReference<>();
                Thread caller = Thread.ofPlatform().start(() -> {
                    Thread.currentThread().setContextClassLoader(loader);
                    try {
                        got.set(pool.submit(() -> Thread.currentThread().getContextClassLoader())
                                .get(30, TimeUnit.SECONDS));
                    } catch (Exception e) {
                        got.set(e);
                    }
                });
                caller.join(Delays.seconds(60));
                assertThat(got.get()).as("%s: the context class loader of a task", pool).isSameAs(loader);
            }
        }
        try (Pool pool = VirtualThreadPool.create()) {
            assertThat(usersSeenByTheTasksOf("alice", "bob", pool)).as("%s", pool).containsExactly("alice", "bob");
        }
    }

    private static final InheritableThreadLocal<String> USER = new InheritableThreadLocal<>();

    /**
     * imap reads the input and submits the tasks on a feeder thread of its own, which inherited nothing of its caller:
     * the input was read, and a pool without a limit ran each task (on a thread the feeder started), with the system
     * class loader as context class loader and none of the caller's InheritableThreadLocals, where the same function
     * given to submit or map ran with the caller's (a web application's services, looked up through the context
     * class loader, were found by map and not by imap). The feeder works for its caller: it inherits as a thread the
     * caller started would.
     */
    @Test
    void imap_readsTheInputAndRunsTheTasks_inTheCallersContext_asMapDoes() throws Exception {
        try (VirtualThreadPool pool = VirtualThreadPool.create();
             java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[0])) {
            List<Object> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            Iterable<Integer> input = () -> IntStream.range(0, 3).peek(i -> seen.add(context("input")))
                    .boxed().iterator();
            AtomicReference<Object> got = new AtomicReference<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                Thread.currentThread().setContextClassLoader(loader);
                USER.set("carol");
                try (ResultIterator<String> it = pool.imap(x -> context("task"), input)) {
                    List<String> results = new ArrayList<>();
                    it.forEachRemaining(results::add);
                    got.set(results);
                } catch (RuntimeException e) {
                    got.set(e);
                }
            });
            caller.join(Delays.seconds(60));
            String expected = "carol " + loader;
            assertThat(got.get()).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                    .containsExactly("task: " + expected, "task: " + expected, "task: " + expected);
            assertThat(seen).containsOnly("input: " + expected);
        }
    }

    /** The user and the context class loader the current thread has, for {@code what}. */
    private static String context(String what) {
        return what + ": " + USER.get() + " " + Thread.currentThread().getContextClassLoader();
    }


    /** What a task sees of {@link #USER}, submitted by a caller of each user in turn, each in a thread of its own. */
    private static List<String> usersSeenByTheTasksOf(String first, String second, Pool pool) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        for (String caller : List.of(first, second)) {
            AtomicReference<Object> got = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> {
                USER.set(caller);
                try {
                    got.set(pool.submit(USER::get).get(30, TimeUnit.SECONDS));
                } catch (Exception e) {
                    got.set(e);
                }
            });
            t.join(Delays.seconds(60));
            seen.add(String.valueOf(got.get()));
        }
        return seen;
    }

    @Test
    void twoPoolsWithTheDefaultName_nameTheirThreadsApart_andAGivenNameKeepsItsForm() throws Exception {
        // Both pools named their first thread "mp4j-pool-1" (virtual: "mp4j-vpool-1"): a thread dump or a log line
        // could not tell which pool a thread was in. As Executors.defaultThreadFactory's "pool-N-thread-M".
        List<Function<String, Pool>> kinds = List.of(
                name -> (name == null ? ThreadPool.builder() : ThreadPool.builder().name(name)).threads(1).build(),
                name -> (name == null ? VirtualThreadPool.builder() : VirtualThreadPool.builder().name(name))
                        .maxConcurrency(1).build(),
                name -> (name == null ? VirtualThreadPool.builder() : VirtualThreadPool.builder().name(name)).build());
        for (Function<String, Pool> kind : kinds) {
            try (Pool first = kind.apply(null); Pool second = kind.apply(null); Pool named = kind.apply("thumbs")) {
                String a = first.submit(() -> Thread.currentThread().getName()).get(30, TimeUnit.SECONDS);
                String b = second.submit(() -> Thread.currentThread().getName()).get(30, TimeUnit.SECONDS);
                assertThat(a).as("%s", first).matches("mp4j-v?pool-\\d+-thread-1").isNotEqualTo(b);
                assertThat(b).as("%s", second).matches("mp4j-v?pool-\\d+-thread-1");
                assertThat(named.submit(() -> Thread.currentThread().getName()).get(30, TimeUnit.SECONDS))
                        .isEqualTo("thumbs-1");
            }
        }
    }

    @Test
    void aQueuedTaskThatIsCancelled_leavesTheQueueAtOnce_andTheArgumentItHeldCanBeCollected() throws Exception {
        // A cancelled queued task stayed in the executor's queue, holding its argument, until a thread reached it:
        // a loop of timed applies behind a long task kept every argument it gave up on.
        List<Function<Integer, Pool>> kinds = List.of(
                ThreadPool::create,
                n -> VirtualThreadPool.builder().maxConcurrency(n).build());
        for (Function<Integer, Pool> kind : kinds) {
            Pool pool = kind.apply(1);
            CountDownLatch release = new CountDownLatch(1);
            try {
                cancelQueuedTasksBehindABlockedOne(pool, release);
            } finally {
                release.countDown();
                pool.close();
            }
        }
    }

    private static void cancelQueuedTasksBehindABlockedOne(Pool pool, CountDownLatch release) throws Exception {
        CompletableFuture<?> blocker = pool.submit(() -> {
            release.await();
            return null;
        });
        List<WeakReference<byte[]>> arguments = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] argument = new byte[64 * 1024];
            arguments.add(new WeakReference<>(argument));
            CompletableFuture<Integer> queued = pool.applyAsync((byte[] a) -> a.length, argument);
            assertThat(queued.cancel(true)).isTrue();
            assertThat(queued).isCancelled();
        }
        Awaitility.await().atMost(Delays.seconds(60)).pollInterval(Delays.millis(100)).untilAsserted(() -> {
            System.gc();
            assertThat(arguments).as("%s: the arguments of the cancelled queued tasks", pool)
                    .allMatch(ref -> ref.get() == null);
        });
        CompletableFuture<Integer> after = pool.applyAsync((Integer x) -> x + 1, 1);
        pool.shutdown();
        assertThat(pool.awaitTermination(100, TimeUnit.MILLISECONDS)).as("a task still runs").isFalse();
        release.countDown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("%s terminates", pool).isTrue();
        assertThat(blocker).isCompleted();
        assertThat(after.get()).as("the task queued after the cancelled ones").isEqualTo(2);
    }

    /**
     * A task may stop its own pool at once (Python's ThreadPool hangs when a task calls terminate(), as terminate
     * joins the task's own thread): shutdownNow() cancels the queued tasks and returns them, interrupts the running
     * ones, the caller among them, and returns; the calling task then ends as it chooses and the pool terminates.
     */
    @Test
    void shutdownNowOrTerminate_inATaskOfTheSamePool_returns_andThePoolTerminates() throws Exception {
        for (boolean terminate : new boolean[] {false, true}) {
            for (Pool pool : new Pool[] {ThreadPool.create(1), VirtualThreadPool.builder().maxConcurrency(1).build()}) {
                try {
                    CountDownLatch queuedFirst = new CountDownLatch(1);
                    CompletableFuture<String> stopper = pool.submit(() -> {
                        queuedFirst.await();
                        if (terminate) {
                            pool.terminate();
                            return "terminated, interrupted: " + Thread.currentThread().isInterrupted();
                        }
                        return pool.shutdownNow().size() + " cancelled, interrupted: " + Thread.currentThread().isInterrupted();
                    });
                    CompletableFuture<Integer> queued = pool.applyAsync(x -> x, 1);
                    queuedFirst.countDown();
                    assertThat(stopper.get(10, TimeUnit.SECONDS)).as("%s, terminate: %s", pool, terminate)
                            .isEqualTo(terminate ? "terminated, interrupted: true" : "1 cancelled, interrupted: true");
                    assertThat(queued.isCancelled()).isTrue();
                    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
                } finally {
                    pool.terminate();
                }
            }
        }
    }

    @Test
    void closeOrJoin_inATaskOfTheSamePool_orInACallbackItRuns_failsWithAClearError_insteadOfWaitingForItself()
            throws Exception {
        for (Pool pool : new Pool[] {ThreadPool.create(2), VirtualThreadPool.create(), VirtualThreadPool.builder()
                .maxConcurrency(2).build()}) {
            try {
                CountDownLatch callbackRegistered = new CountDownLatch(1);
                CompletableFuture<Object> inTask = pool.submit(() -> {
                    callbackRegistered.await();
                    pool.close();
                    return "closed";
                });
                CompletableFuture<Object> inCallback = inTask.handle((r, e) -> {
                    pool.shutdown();
                    try {
                        pool.join();
                        return "joined";
                    } catch (InterruptedException x) {
                        throw new AssertionError(x);
                    }
                });
                callbackRegistered.countDown();
                // Wait on the callback's future first: a thread waiting on inTask itself may run inTask's pending
                // callbacks (CompletableFuture lets waiters help), and then the callback would not run on the task's
                // thread.
                assertThat(inCallback).failsWithin(Delays.seconds(10)).withThrowableOfType(ExecutionException.class)
                        .havingCause().isInstanceOf(IllegalStateException.class);
                assertThat(inTask).failsWithin(Delays.seconds(10)).withThrowableOfType(ExecutionException.class)
                        .havingCause().isInstanceOf(IllegalStateException.class).withMessageContaining("wait for itself");
                assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).as("shut down by the refused close()").isTrue();
                // from outside the pool's tasks, and from a task of another pool, waiting is fine
                try (ThreadPool other = ThreadPool.create(1)) {
                    assertThat(other.submit(() -> {
                        pool.join();
                        return "joined from elsewhere";
                    }).get(10, TimeUnit.SECONDS)).isEqualTo("joined from elsewhere");
                }
            } finally {
                pool.terminate();
            }
        }
    }

    @Test
    void cancelWithInterrupt_interruptsARunningTask_onVirtualThreadsToo() throws Exception {
        try (VirtualThreadPool pool = VirtualThreadPool.create()) {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch interrupted = new CountDownLatch(1);
            CompletableFuture<?> task = pool.submit(() -> {
                running.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(task.cancel(true)).isTrue();
            assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(task::join).isInstanceOf(CancellationException.class);
        }
    }

    @Test
    void cancelWithInterrupt_ofAMapAsync_interruptsEveryRunningChunk() throws Exception {
        ThreadPool pool = ThreadPool.create(2);
        try {
            CountDownLatch running = new CountDownLatch(2);
            CountDownLatch interrupted = new CountDownLatch(2);
            CompletableFuture<java.util.List<Integer>> all = pool.mapAsync(x -> {
                running.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
                return x;
            }, java.util.List.of(1, 2), 1);
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(all.cancel(true)).isTrue();
            assertThat(all.isCancelled()).isTrue();
            assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("both chunks' threads interrupted").isTrue();
        } finally {
            pool.terminate();
        }
    }

    /**
     * As a ThreadPoolExecutor does, shutdownNow() gives back the runnables given to execute() that it took off the
     * queue, themselves: the pool never runs them, the caller may. A stage of supplyAsync(s, pool) queued behind a
     * busy thread then completes once the caller runs the list, as with a JDK executor; it never completed when the
     * list held placeholders, which could not run the stage's task.
     */
    @Test
    void shutdownNow_givesBackTheRunnablesGivenToExecute_soRunningThemCompletesAQueuedSupplyAsyncStage()
            throws Exception {
        for (Pool pool : new Pool[] {ThreadPool.create(1), VirtualThreadPool.builder().maxConcurrency(1).build()}) {
            CountDownLatch release = new CountDownLatch(1);
            try {
                CountDownLatch running = new CountDownLatch(1);
                pool.execute(() -> {
                    running.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        // shutdownNow() interrupts it: it ends
                    }
                });
                assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
                AtomicInteger runs = new AtomicInteger();
                Runnable counted = runs::incrementAndGet;
                pool.execute(counted);
                CompletableFuture<Integer> stage = CompletableFuture.supplyAsync(() -> 42, pool);

                List<Runnable> listed = pool.shutdownNow();
                assertThat(listed).as("%s: the queued runnables", pool).hasSize(2);
                assertThat(listed.get(0)).as("%s: the runnable given to execute(), itself", pool).isSameAs(counted);
                assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
                assertThat(runs).as("%s: the pool never ran what it listed", pool).hasValue(0);
                assertThat(stage).isNotDone();

                listed.forEach(Runnable::run);
                assertThat(runs).as("%s: run once, by the caller", pool).hasValue(1);
                assertThat(stage).as("%s: the stage, its task run by the caller", pool).isCompletedWithValue(42);
            } finally {
                release.countDown();
                pool.terminate();
            }
        }
    }

    @Test
    void threadPools_needNoSerializableTasks() throws Exception {
        Object notSerializable = new Object();
        try (ThreadPool pool = ThreadPool.create(2)) {
            assertThat(pool.submit(() -> notSerializable.hashCode()).get()).isEqualTo(notSerializable.hashCode());
        }
    }

    @Test
    void aVirtualThreadPoolWithoutLimit_runsThousandsOfBlockingTasksAtOnce() throws Exception {
        try (VirtualThreadPool pool = VirtualThreadPool.create()) {
            CountDownLatch all = new CountDownLatch(2000);
            CountDownLatch release = new CountDownLatch(1);
            for (int i = 0; i < 2000; i++) {
                pool.submit(() -> {
                    all.countDown();
                    release.await();
                    return null;
                });
            }
            assertThat(all.await(30, TimeUnit.SECONDS)).as("all 2000 tasks blocked at once").isTrue();
            release.countDown();
            assertThat(pool.parallelism()).isZero();
        }
    }

    /**
     * A timeout or {@code cancel(true)} interrupts a task before it completes the task's future, and the
     * interrupted task may end first: its thread must not let the pool terminate before the future is done,
     * or {@code close()} returns with a future still pending (as a process pool's never does). The window is
     * short, so each kind of pool is tried many times.
     */
    @Test
    void everyFuture_isDone_onceCloseReturns_evenThatOfATaskATimeoutOrCancelHasJustInterrupted() throws Exception {
        Duration timeout = Duration.ofMillis(1);
        List<Function<Boolean, Pool>> kinds = List.of(
                timed -> timed ? ThreadPool.builder().threads(1).taskTimeout(timeout).build() : ThreadPool.create(1),
                timed -> (timed ? VirtualThreadPool.builder().taskTimeout(timeout) : VirtualThreadPool.builder())
                        .maxConcurrency(1).build(),
                timed -> timed ? VirtualThreadPool.builder().taskTimeout(timeout).build() : VirtualThreadPool.create());
        for (Function<Boolean, Pool> kind : kinds) {
            for (int round = 0; round < 100; round++) {
                Pool pool = kind.apply(true);
                CompletableFuture<Integer> timedOut = pool.applyAsync(ThreadPoolTest::parkUntilInterrupted, round);
                pool.close();
                assertThat(timedOut).as("%s, round %d: the timed-out task's future", pool, round).isDone();
            }
            for (int round = 0; round < 100; round++) {
                Pool pool = kind.apply(false);
                CountDownLatch started = new CountDownLatch(1);
                CompletableFuture<Integer> cancelled = pool.applyAsync(x -> {
                    started.countDown();
                    return parkUntilInterrupted(x);
                }, round);
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                Thread canceller = Thread.ofPlatform().start(() -> cancelled.cancel(true));
                pool.close();
                assertThat(cancelled).as("%s, round %d: the cancelled task's future", pool, round).isDone();
                canceller.join();
            }
        }
    }

    /**
     * {@code shutdownNow()} (or {@code terminate()}) takes the queued tasks out of the pool and then cancels their
     * futures: a thread waiting in {@code close()} or {@code awaitTermination()} at the same time must not be let go
     * in between, with those futures still pending.
     */
    @Test
    void closeInAnotherThread_returnsOnlyOnceShutdownNowHasCancelledTheQueuedTasksFutures() throws Exception {
        List<Function<Integer, Pool>> kinds = List.of(ThreadPool::create,
                n -> VirtualThreadPool.builder().maxConcurrency(n).build());
        for (Function<Integer, Pool> kind : kinds) {
            for (int round = 0; round < 50; round++) {
                Pool pool = kind.apply(1);
                CountDownLatch started = new CountDownLatch(1);
                pool.applyAsync(x -> {
                    started.countDown();
                    return parkUntilInterrupted(x);
                }, 0);
                List<CompletableFuture<Integer>> queued = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    queued.add(pool.applyAsync(x -> x, i));
                }
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                AtomicLong pendingAfterClose = new AtomicLong(-1);
                Thread closer = Thread.ofPlatform().start(() -> {
                    pool.close();
                    pendingAfterClose.set(queued.stream().filter(f -> !f.isDone()).count());
                });
                // Most rounds, shutdownNow() comes while close() waits; either way, close() must see every future done.
                long until = System.nanoTime() + Delays.seconds(10).toNanos();
                while (closer.getState() != Thread.State.WAITING && closer.getState() != Thread.State.TIMED_WAITING
                        && System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                assertThat(pool.shutdownNow()).hasSize(20);
                closer.join(Delays.seconds(30).toMillis());
                assertThat(pendingAfterClose.get()).as("%s, round %d: futures pending when close() returned", pool, round)
                        .isZero();
            }
        }
    }

    private static int parkUntilInterrupted(int x) {
        while (!Thread.currentThread().isInterrupted()) {
            LockSupport.park();
        }
        return x;
    }

    @Test
    void terminate_returnsAtOnce_evenIfATaskIgnoresItsInterrupt() throws Exception {
        ThreadPool pool = ThreadPool.create(1);
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        pool.submit(() -> {
            started.countDown();
            while (!stop.get()) {
                Thread.onSpinWait(); // deaf to interrupts
            }
            return null;
        });
        try {
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            long t0 = System.nanoTime();
            pool.terminate();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Delays.seconds(5));
        } finally {
            stop.set(true);
        }
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * The task timeout bounds the wait for a task's future, even for a task that ignores its interrupt. terminate()
     * (and shutdownNow(), and a close() interrupted while it waits) shut the pool's timer down, dropping the pending
     * timeouts of the tasks still running: the future of one that ignored the interrupt then waited for the task
     * itself, for good if it never ends, where the same pool not terminated fails it at the deadline.
     */
    @Test
    void aTaskIgnoringItsInterrupt_stillTimesOut_afterTerminate() throws Exception {
        Pool[] pools = {
            ThreadPool.builder().threads(1).taskTimeout(Delays.millis(300)).build(),
            VirtualThreadPool.builder().maxConcurrency(1).taskTimeout(Delays.millis(300)).build(),
            VirtualThreadPool.builder().taskTimeout(Delays.millis(300)).build()};
        for (Pool pool : pools) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Object> deaf = pool.submit(() -> {
                started.countDown();
                while (release.getCount() > 0) {
                    try {
                        release.await(); // deaf to interrupts
                    } catch (InterruptedException e) {
                        // ignored
                    }
                }
                return "done";
            });
            try {
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                pool.terminate();
                assertThatThrownBy(() -> deaf.get(30, TimeUnit.SECONDS)).as(pool.toString())
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TaskTimeoutException.class);
            } finally {
                release.countDown();
            }
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * map and mapAsync cut their input into chunks with subList: over a list without random access (a LinkedList),
     * each chunk's copy walked the list from its head to the chunk's start, so a map with small chunks took time
     * quadratic in the input (100,000 items in chunks of 1: 6.7 s, against 0.5 s for the same items in an ArrayList).
     * The list's positioning is counted here: it must stay linear.
     */
    @Test
    void mapOverAListWithoutRandomAccess_walksItOnce_notOncePerChunk() throws Exception {
        AtomicLong walked = new AtomicLong();
        List<Integer> linked = new java.util.LinkedList<>() {
            @Override
            public java.util.ListIterator<Integer> listIterator(int index) {
                walked.addAndGet(index); // the nodes a LinkedList steps over to get there
                return super.listIterator(index);
            }
        };
        IntStream.range(0, 2_000).forEach(linked::add);
        try (ThreadPool pool = ThreadPool.create(2)) {
            assertThat(pool.map(x -> x + 1, linked, 1)).hasSize(2_000).startsWith(1, 2).endsWith(2_000);
            assertThat(pool.mapAsync(x -> x + 1, linked, 1).get(30, TimeUnit.SECONDS)).hasSize(2_000)
                    .endsWith(2_000);
        }
        assertThat(walked.get()).as("list elements stepped over to position its iterators").isLessThanOrEqualTo(2 * 2_000);
    }

    /**
     * A timeout that fires completes its task's future on a thread of its own. That was a virtual thread, which needs
     * a carrier of the virtual-thread scheduler: CPU-bound tasks of a VirtualThreadPool, as many as there are
     * carriers, are never preempted, so the timeout waited for them to end (here, a task that ignores its interrupt
     * and spins until released ended with its result, not a TaskTimeoutException, long after its deadline).
     */
    @Test
    void aTaskTimeout_firesOnTime_evenWhileTheVirtualThreadPoolsTasksHoldEveryCarrier() throws Exception {
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        AtomicBoolean release = new AtomicBoolean();
        long giveUp = System.nanoTime() + Delays.seconds(60).toNanos(); // never spin for good, whatever happens
        try (VirtualThreadPool pool = VirtualThreadPool.builder().taskTimeout(Delays.millis(300)).build()) {
            List<CompletableFuture<Object>> spinning = new ArrayList<>();
            try {
                for (int i = 0; i < carriers; i++) {
                    spinning.add(pool.submit(() -> {
                        while (!release.get() && System.nanoTime() - giveUp < 0) {
                            Thread.onSpinWait(); // CPU-bound, deaf to interrupts: holds its carrier
                        }
                        return "ended";
                    }));
                }
                assertThatThrownBy(() -> spinning.getFirst().get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TaskTimeoutException.class);
            } finally {
                release.set(true);
            }
        }
    }

    @Test
    void anUnboundedVirtualThreadPool_mapsWithHundredsOfCallsInFlight_byDefault() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        // Each call blocks until 250 are in flight, or until a deadline after the first call began: a pool that
        // runs fewer at once ends soon after it (and fails below), while on a slow machine a pool that runs them
        // all does not depend on starting 250 of them within a fixed blocking time.
        AtomicLong deadline = new AtomicLong();
        long wait = Delays.seconds(10).toNanos();
        try (VirtualThreadPool pool = VirtualThreadPool.create()) {
            pool.map(x -> {
                deadline.compareAndSet(0, System.nanoTime() + wait);
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                while (most.get() < 250 && System.nanoTime() - deadline.get() < 0) {
                    LockSupport.parkNanos(10_000_000L); // a blocking call
                }
                running.decrementAndGet();
                return x;
            }, IntStream.range(0, 500).boxed().toList());
        }
        assertThat(most.get()).as("calls in flight at once").isGreaterThanOrEqualTo(250);
    }

    /**
     * imap keeps four tasks per worker in flight; for a limit so large that four times it is past an int, that
     * count overflowed and imap kept only its minimum of 8 in flight: a pool limited to Integer.MAX_VALUE tasks ran
     * far fewer at once than one with no limit.
     */
    @Test
    void imap_onAVirtualThreadPoolWithAHugeLimit_keepsAsManyCallsInFlightAsWithoutALimit() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        // Each call blocks until 64 are in flight, or until a deadline after the first call began (see above).
        AtomicLong deadline = new AtomicLong();
        long wait = Delays.seconds(10).toNanos();
        try (VirtualThreadPool pool = VirtualThreadPool.builder().maxConcurrency(Integer.MAX_VALUE).build();
             ResultIterator<Integer> it = pool.imapUnordered(x -> {
                 deadline.compareAndSet(0, System.nanoTime() + wait);
                 most.accumulateAndGet(running.incrementAndGet(), Math::max);
                 while (most.get() < 64 && System.nanoTime() - deadline.get() < 0) {
                     LockSupport.parkNanos(10_000_000L); // a blocking call
                 }
                 running.decrementAndGet();
                 return x;
             }, IntStream.range(0, 128).boxed().toList())) {
            it.forEachRemaining(x -> { });
        }
        assertThat(most.get()).as("calls in flight at once").isGreaterThanOrEqualTo(64);
    }

    @Test
    void imap_onAPoolWithAHugeLimit_readsAnEndlessInputNoFurtherThanWithoutALimit() throws Exception {
        AtomicInteger read = new AtomicInteger();
        Iterable<Integer> endless = () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                return read.getAndIncrement();
            }
        };
        try (VirtualThreadPool pool = VirtualThreadPool.builder().maxConcurrency(Integer.MAX_VALUE).build();
             ResultIterator<Integer> it = pool.imap(x -> x, endless)) {
            assertThat(it.next()).isZero();
            Thread.sleep(Delays.millis(1000).toMillis()); // time for a feeder without bound to read millions
            assertThat(read.get()).as("elements read ahead of the consumer").isLessThanOrEqualTo(4 * 1024 + 1);
        }
    }

    @Test
    void timedApply_interruptedWhileWaiting_cancelsTheTask_asApplyDoes() throws Exception {
        ThreadPool pool = ThreadPool.create(1);
        try {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch taskInterrupted = new CountDownLatch(1);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    pool.apply(x -> {
                        started.countDown();
                        try {
                            Thread.sleep(Delays.seconds(60));
                        } catch (InterruptedException e) {
                            taskInterrupted.countDown();
                        }
                        return x;
                    }, 1, Duration.ofMinutes(10));
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            caller.interrupt();
            caller.join(Delays.seconds(10));
            assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
            assertThat(taskInterrupted.await(10, TimeUnit.SECONDS)).as("the task was cancelled with an interrupt").isTrue();
        } finally {
            pool.terminate();
        }
    }
}

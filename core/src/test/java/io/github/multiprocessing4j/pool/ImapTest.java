package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.function.SerializableCallable;
import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.internal.pool.CallMode;
import io.github.multiprocessing4j.internal.pool.PoolEngine;
import io.github.multiprocessing4j.internal.pool.TaskFuture;
import io.github.multiprocessing4j.pool.fixtures.FirstMadeImapCleanerMain;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.TestJvm;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code imap} and {@code imapUnordered} when something goes wrong: the input fails, the pool is shut down
 * under the iterator, a chunk fails, the iterator is abandoned. Python's {@code Pool.imap} is the model:
 * every result of an element read before a failure is delivered, in order, and the failure surfaces at the
 * position where it happened.
 */
class ImapTest {

    /** An input of {@code 0, 1, 2, ...} whose {@code next()} throws when asked for element {@code failAt}. */
    static Iterable<Integer> failingAt(int failAt) {
        return failingAt(failAt, () -> new IllegalStateException("input broke at " + failAt));
    }

    /** An input of {@code 0, 1, 2, ...} whose {@code next()} throws {@code failure}'s exception for element {@code failAt}. */
    static Iterable<Integer> failingAt(int failAt, java.util.function.Supplier<RuntimeException> failure) {
        return () -> new Iterator<>() {
            int next;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                if (next == failAt) {
                    throw failure.get();
                }
                return next++;
            }
        };
    }

    /** Drains the iterator: results (or the failures' messages, as "!message") in the order seen. */
    static List<Object> drain(ResultIterator<?> it) {
        List<Object> seen = new ArrayList<>();
        while (it.hasNext()) {
            try {
                seen.add(it.next());
            } catch (CompletionException e) {
                seen.add("!" + e.getMessage());
            }
        }
        return seen;
    }

    /** How many tasks of the shutdownNow test have started sleeping (thread pools run them in this JVM). */
    static final AtomicInteger SLEEPERS_STARTED = new AtomicInteger();

    static List<Integer> upTo(int n) {
        return PoolContract.range(n);
    }

    static int sleep(long millis) {
        return PoolContract.sleep(millis);
    }

    // ------------------------------------------------------------------------------ the input fails

    @Test
    void imap_overAnInputThatThrows_deliversEveryEarlierResultInOrder_thenTheInputsFailure_thenEnds() {
        try (ThreadPool pool = ThreadPool.create(2);
             ResultIterator<Integer> it = pool.imap(x -> x * 10, failingAt(20))) {
            List<Integer> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                results.add(it.next());
            }
            assertThat(results).isEqualTo(upTo(20).stream().map(x -> x * 10).toList());

            assertThat(it.hasNext()).as("the input's failure is still to come").isTrue();
            assertThatThrownBy(it::next).isInstanceOf(CompletionException.class)
                    .hasMessageContaining("the input failed after 20 elements")
                    .cause().isInstanceOf(IllegalStateException.class).hasMessage("input broke at 20");
            assertThat(it.hasNext()).isFalse();
            assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
        }
    }

    @Test
    void imap_overAnInputThatThrowsAnExceptionWhoseToStringThrows_stillDeliversThatException_atItsPosition() {
        // The message quoting the input's failure called its toString(), which threw: imap() (or next()) threw that
        // IllegalStateException in place of the CompletionException caused by the input's own exception, lost.
        Iterable<Integer> input = failingAt(3, io.github.multiprocessing4j.testing.UnprintableException::new);
        try (ThreadPool pool = ThreadPool.create(2);
             ResultIterator<Integer> it = pool.imap(x -> x * 10, input)) {
            List<Integer> results = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                results.add(it.next());
            }
            assertThat(results).containsExactly(0, 10, 20);
            assertThatThrownBy(it::next).isInstanceOf(CompletionException.class)
                    .hasMessageContaining("the input failed after 3 elements")
                    .hasMessageContaining(io.github.multiprocessing4j.testing.UnprintableException.class.getName())
                    .cause().isInstanceOf(io.github.multiprocessing4j.testing.UnprintableException.class);
            assertThat(it.hasNext()).isFalse();
        }
    }

    @Test
    void imapUnordered_overAnInputThatThrows_deliversEveryEarlierResult_beforeTheInputsFailure() {
        try (ThreadPool pool = ThreadPool.create(2);
             ResultIterator<Integer> it = pool.imapUnordered(x -> x, failingAt(20))) {
            Set<Integer> results = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                results.add(it.next());
            }
            assertThat(results).isEqualTo(new HashSet<>(upTo(20)));
            assertThatThrownBy(it::next).isInstanceOf(CompletionException.class)
                    .hasMessageContaining("after 20 elements").cause().hasMessage("input broke at 20");
            assertThat(it.hasNext()).isFalse();
        }
    }

    @Test
    void imap_withChunks_overAnInputThatThrowsMidChunk_stillComputesTheElementsReadBeforeIt() {
        try (ThreadPool pool = ThreadPool.create(2);
             ResultIterator<Integer> it = pool.imap(x -> x + 1, failingAt(20), 3)) {
            assertThat(drain(it)).containsExactlyElementsOf(concat(
                    upTo(20).stream().map(x -> x + 1).toList(),
                    "!the input failed after 20 elements: java.lang.IllegalStateException: input broke at 20"));
        }
    }

    @Test
    void imap_overAnInputThatThrowsWhileTheFirstWindowIsRead_doesNotThrowFromImap_butAtTheFailuresPosition() {
        try (ThreadPool pool = ThreadPool.create(2)) {
            ResultIterator<Integer> it = pool.imap(x -> x * x, failingAt(3));
            assertThat(drain(it)).containsExactly(0, 1, 4,
                    "!the input failed after 3 elements: java.lang.IllegalStateException: input broke at 3");
            assertThat(drain(pool.imap(x -> x, failingAt(0)))).as("an input that fails at once")
                    .containsExactly("!the input failed after 0 elements: java.lang.IllegalStateException: input broke at 0");
        }
    }

    /** A PoolEngine that hands every call to a real one and counts how often its definition is closed. */
    static final class CountingEngine implements PoolEngine {
        final PoolEngine real;
        final AtomicInteger closes = new AtomicInteger();
        final List<TaskFuture<?>> calls = new CopyOnWriteArrayList<>();

        CountingEngine(Pool pool) {
            this.real = ((AbstractPool) pool).engine;
        }

        record Counted(PoolEngine.Definition real, AtomicInteger closes) implements PoolEngine.Definition {
            @Override
            public void close() {
                closes.incrementAndGet();
                real.close();
            }
        }

        Definition define(SerializableFunction<?, ?> fn) {
            return new Counted(real.define(fn, true), closes);
        }

        @Override
        public Definition define(Object target, boolean reusable) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <V> TaskFuture<V> call(Definition target, CallMode mode, Object arg) {
            TaskFuture<V> f = real.call(((Counted) target).real(), mode, arg);
            calls.add(f);
            return f;
        }

        @Override
        public TaskFuture<?> callCommand(Definition target, Runnable command) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int parallelism() {
            return real.parallelism();
        }

        @Override
        public void shutdown() {
            real.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            return real.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return real.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return real.isTerminated();
        }

        @Override
        public boolean awaitTermination(long nanos) throws InterruptedException {
            return real.awaitTermination(nanos);
        }
    }

    @Test
    void anInputFailingInTheFirstWindow_leavesNoTaskUnreachable_andTheFunctionIsReleasedExactlyOnce() {
        ThreadPool pool = ThreadPool.create(2);
        try {
            CountingEngine engine = new CountingEngine(pool);
            SerializableFunction<Integer, Integer> slow = x -> sleep(x == 0 ? 0 : 60_000);
            ImapIterator<Integer, Integer> it = new ImapIterator<>(engine, engine.define(slow), failingAt(5).iterator(),
                    1, true, 8);
            Awaitility.await().atMost(Delays.seconds(30)).untilAsserted(() -> // by the feeder
                    assertThat(engine.calls).as("the elements read before the failure were submitted").hasSize(5));
            assertThat(it.next()).isZero();
            assertThat(engine.closes).hasValue(0);

            it.close(); // abandoned while four tasks still run or wait
            it.close();
            assertThat(engine.closes).as("definition closes").hasValue(1);
            assertThat(engine.calls.subList(1, 5)).allMatch(TaskFuture::isCancelled);
            assertThat(it.hasNext()).isFalse();
        } finally {
            pool.terminate(); // the two tasks that had started still sleep
        }
    }

    @Test
    void aFeederThatCannotBeStarted_failsTheCall_andReleasesTheFunction() {
        ThreadPool pool = ThreadPool.create(2);
        try {
            CountingEngine engine = new CountingEngine(pool);
            ImapIterator.failFeederStarts(new OutOfMemoryError("unable to create native thread: a test's"), 1);
            assertThatThrownBy(() -> new ImapIterator<>(engine, engine.define(x -> x), List.of(1, 2).iterator(), 1,
                    true, 8)).isInstanceOf(OutOfMemoryError.class).hasMessageContaining("a test's");
            assertThat(engine.closes).as("definition closes").hasValue(1);
            assertThat(engine.calls).as("nothing was submitted").isEmpty();
        } finally {
            ImapIterator.failFeederStarts(null, 0);
            pool.terminate();
        }
    }

    @Test
    void aHandleThatCannotBeRegisteredWithTheCleaner_failsTheCall_andClosesItsIterator() {
        ThreadPool pool = ThreadPool.create(2);
        try {
            CountingEngine engine = new CountingEngine(pool);
            SerializableFunction<Integer, Integer> slow = x -> sleep(60_000);
            ImapIterator<Integer, Integer> it = new ImapIterator<>(engine, engine.define(slow), upTo(1000).iterator(),
                    1, true, 8);
            Awaitility.await().atMost(Delays.seconds(30)).untilAsserted(() -> // the feeder fills its window
                    assertThat(engine.calls).hasSize(8));
            ImapResults.failRegistrations(new OutOfMemoryError("a test's"), 1);
            assertThatThrownBy(() -> new ImapResults<>(it))
                    .isInstanceOf(OutOfMemoryError.class).hasMessageContaining("a test's");
            // nobody holds the iterator now: had it stayed open, its feeder would wait for room, and its tasks run,
            // for as long as the pool lives
            assertThat(engine.closes).as("definition closes").hasValue(1);
            assertThat(engine.calls).allMatch(TaskFuture::isCancelled);
            assertThat(it.hasNext()).isFalse();
        } finally {
            ImapResults.failRegistrations(null, 0);
            pool.terminate();
        }
    }

    /**
     * The iterator closed because its registration with the cleaner failed may fail to close as well: its failure went
     * to imap's caller in place of the registration's Error (an OutOfMemoryError reported as whatever close threw).
     * The Error goes on, with the close's failure suppressed in it.
     */
    @Test
    void aHandleThatCannotBeRegistered_norItsIteratorClosed_failsWithTheRegistrationsError() {
        IllegalStateException closeFailed = new IllegalStateException("close failed too");
        ResultIterator<Integer> unclosable = new ResultIterator<>() {
            @Override
            public boolean hasNext() {
                return false;
            }

            @Override
            public Integer next() {
                throw new NoSuchElementException();
            }

            @Override
            public Integer next(java.time.Duration timeout) {
                throw new NoSuchElementException();
            }

            @Override
            public void close() {
                throw closeFailed;
            }
        };
        try {
            ImapResults.failRegistrations(new OutOfMemoryError("a test's"), 1);
            assertThatThrownBy(() -> new ImapResults<>(unclosable))
                    .isInstanceOf(OutOfMemoryError.class).hasMessageContaining("a test's")
                    .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(closeFailed));
        } finally {
            ImapResults.failRegistrations(null, 0);
        }
    }

    // ------------------------------------------------------------------------- the pool shuts down

    @Test
    void aPoolShutDownMidIteration_deliversTheResultsOfTheSubmittedTasks_thenTheRejectionOnce() {
        ThreadPool pool = ThreadPool.create(2); // a window of 8 tasks
        Set<Integer> started = ConcurrentHashMap.newKeySet();
        try (ResultIterator<Integer> it = pool.imap(x -> {
            started.add(x);
            sleep(5);
            return x;
        }, upTo(1000))) {
            for (int i = 0; i < 5; i++) {
                assertThat(it.next()).isEqualTo(i);
            }
            // the feeder fills the window again (items 5..12) in the background; item 13 waits for room
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> started.contains(12));
            pool.shutdown(); // items 5..12 are in the pool, and finish
            List<Integer> results = new ArrayList<>();
            List<Throwable> failures = new ArrayList<>();
            while (it.hasNext()) {
                try {
                    results.add(it.next());
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
            assertThat(results).isEqualTo(upTo(13).subList(5, 13));
            assertThat(failures).hasSize(1);
            assertThat(failures.getFirst()).isInstanceOf(CompletionException.class)
                    .hasMessageStartingWith("could not submit item 13: ")
                    .cause().isInstanceOf(RejectedExecutionException.class);
        } finally {
            pool.terminate();
        }
    }

    @Test
    void shutdownNow_underAnOrderedImap_failsTheCancelledTasksWithCompletionException_notARawCancellation() throws Exception {
        ThreadPool pool = ThreadPool.create(1);
        CountDownLatch firstSleeperRuns = new CountDownLatch(1);
        CountDownLatch inputRead = new CountDownLatch(1);
        Iterable<Integer> five = () -> new Iterator<>() {
            final Iterator<Integer> items = upTo(5).iterator();

            @Override
            public boolean hasNext() {
                boolean more = items.hasNext();
                if (!more) {
                    inputRead.countDown(); // asked once item 4 is submitted
                }
                return more;
            }

            @Override
            public Integer next() {
                return items.next();
            }
        };
        try (ResultIterator<Integer> it = pool.imap(x -> {
            if (x == 0) {
                return 0;
            }
            try {
                firstSleeperRuns.countDown();
                Thread.sleep(60_000);
                return x;
            } catch (InterruptedException e) {
                return -1;
            }
        }, five)) { // all five fit in the window: nothing is submitted after the shutdown
            assertThat(it.next()).isZero();
            // task 1 runs, 2..4 wait, once the feeder (a thread of its own) has submitted them
            assertThat(firstSleeperRuns.await(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(inputRead.await(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            pool.shutdownNow();
            assertThat(it.next()).as("the running task, interrupted").isEqualTo(-1);
            for (int item = 2; item < 5; item++) {
                assertThat(catchThrowable(it::next)).isInstanceOf(CompletionException.class)
                        .hasMessageStartingWith("item " + item + " was cancelled")
                        .cause().isInstanceOf(CancellationException.class);
            }
            assertThat(it.hasNext()).isFalse();
        } finally {
            pool.terminate();
        }
    }

    @Test
    void shutdownNow_underAnImapUnordered_failsTheCancelledTasksWithCompletionException() throws Exception {
        ThreadPool pool = ThreadPool.create(1);
        SLEEPERS_STARTED.set(0);
        SerializableFunction<Integer, Integer> fn = x -> {
            if (x == 0) {
                return 0;
            }
            SLEEPERS_STARTED.incrementAndGet();
            return sleep(60_000);
        };
        try (ResultIterator<Integer> it = pool.imapUnordered(fn, upTo(100))) {
            assertThat(it.next()).isZero();
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> SLEEPERS_STARTED.get() == 1);
            // The feeder submits on its own thread: the queued tasks shutdownNow() finds are counted, not assumed.
            int queued = pool.shutdownNow().size();
            assertThat(queued).isBetween(1, 7);
            int failures = 0;
            while (it.hasNext()) {
                assertThat(catchThrowable(it::next)).isInstanceOf(CompletionException.class);
                failures++;
            }
            assertThat(failures).as("the cancelled, the one interrupted, the next submission rejected")
                    .isEqualTo(queued + 2);
        } finally {
            pool.terminate();
        }
    }

    // ------------------------------------------------------------------------------- a chunk fails

    @Test
    void aFailedChunk_namesTheFailingItemsPositionInTheInput_losesTheChunksOtherResults_andGoesOn() {
        SerializableFunction<Integer, Integer> failOn4 = x -> {
            if (x == 4) {
                throw new IllegalArgumentException("no 4");
            }
            return x;
        };
        try (ThreadPool pool = ThreadPool.create(2)) {
            ResultIterator<Integer> it = pool.imap(failOn4, upTo(10), 3);
            assertThat(it.next()).isEqualTo(0);
            assertThat(it.next()).isEqualTo(1);
            assertThat(it.next()).isEqualTo(2);
            assertThatThrownBy(it::next).isInstanceOf(CompletionException.class)
                    .hasMessageStartingWith("item 4 failed: ")
                    .cause().isInstanceOf(IllegalArgumentException.class).hasMessage("no 4");
            assertThat(drain(it)).as("items 3 and 5 went down with their chunk").containsExactly(6, 7, 8, 9);

            List<Object> unordered = drain(pool.imapUnordered(failOn4, upTo(10), 3));
            assertThat(unordered).hasSize(8).contains("!item 4 failed: java.lang.IllegalArgumentException: no 4");
        }
    }

    @Test
    void aFailedTask_namesItsItem_evenWithoutChunks() {
        try (ThreadPool pool = ThreadPool.create(2)) {
            assertThat(drain(pool.imap(x -> 10 / x, List.of(1, 0, 5))))
                    .containsExactly(10, "!item 1 failed: java.lang.ArithmeticException: / by zero", 2);
        }
    }

    // ------------------------------------------------------------------------------ process pools

    /** Remembers, in the worker JVM, every copy of itself that was deserialized. */
    static final class TrackedFunction implements SerializableFunction<Integer, Integer> {
        @Serial
        private static final long serialVersionUID = 1L;
        static final List<WeakReference<TrackedFunction>> COPIES = new CopyOnWriteArrayList<>();

        @SuppressWarnings("unused")
        private final int tag = 1; // an instance field: the pool does not cache it as a stateless function

        @Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            COPIES.add(new WeakReference<>(this));
        }

        @Override
        public Integer apply(Integer x) {
            return x + 100;
        }

        /** How many deserialized copies are still reachable in this JVM, after collecting garbage. */
        static int liveCopies() {
            int live = COPIES.size();
            for (int i = 0; i < 20 && live > 0; i++) {
                System.gc();
                live = (int) COPIES.stream().filter(r -> r.get() != null).count();
                if (live > 0) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
            }
            return live;
        }
    }

    @Test
    void processPool_anInputFailingInTheFirstWindow_stillDeliversTheEarlierResults_andTheWorkerForgetsTheFunction()
            throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            ResultIterator<Integer> it = pool.imap(new TrackedFunction(), failingAt(3));
            assertThat(drain(it)).containsExactly(100, 101, 102,
                    "!the input failed after 3 elements: java.lang.IllegalStateException: input broke at 3");

            SerializableCallable<Integer> copies = () -> TrackedFunction.COPIES.size();
            SerializableCallable<Integer> live = TrackedFunction::liveCopies;
            assertThat(pool.submit(copies).get(30, TimeUnit.SECONDS)).as("copies sent to the worker").isEqualTo(1);
            assertThat(pool.submit(live).get(30, TimeUnit.SECONDS)).as("copies the worker still holds").isZero();
        }
    }

    @Test
    void processPool_anItemThatCannotTravel_inAChunk_isNamedByItsPlaceInTheInput_notByItsChunksArray() {
        // The chunk went as one array: the error named "a value of [Ljava.lang.Object;" with a path counted within
        // the chunk ("[7]" for item 37 in chunks of 10)
        List<Object> items = new ArrayList<>(upTo(50));
        items.set(37, new Object());
        SerializableFunction<Object, Object> same = o -> o;
        try (ProcessPool pool = ProcessPool.create(1)) {
            assertThatThrownBy(() -> pool.map(same, items, 10)).isInstanceOf(EncodingException.class)
                    .hasMessageStartingWith("item 37 of the input cannot be sent: java.lang.Object is not Serializable")
                    .hasMessageNotContaining("[Ljava.lang.Object;")
                    .satisfies(e -> assertThat(((EncodingException) e).offendingClass()).isEqualTo("java.lang.Object"));
            assertThat(drain(pool.imap(same, items, 10))).hasSize(41).element(30).asString()
                    .startsWith("!the chunk of items 30..39 failed: " + EncodingException.class.getName()
                            + ": item 37 of the input cannot be sent");
        }
    }

    @Test
    void processPool_aResultThatCannotTravelBack_inAChunk_isNamedByItsItem_notByItsChunksArray() {
        // The worker sent the chunk's results as one array: the error named "the chunk starting at item 10" and
        // "[Ljava.lang.Object;", with a path counted within the chunk
        SerializableFunction<Integer, Object> resultOf = x -> x == 13 ? new Object() : x;
        try (ProcessPool pool = ProcessPool.create(1)) {
            assertThatThrownBy(() -> pool.map(resultOf, upTo(20), 5))
                    .hasMessageContaining("item 13 failed")
                    .hasMessageContaining("java.lang.Object is not Serializable")
                    .hasMessageNotContaining("[Ljava.lang.Object;");
            assertThatThrownBy(() -> pool.map(resultOf, upTo(20), 5)).hasMessageContaining("its result cannot be sent back");
            assertThat(drain(pool.imap(resultOf, upTo(20), 5))).as("a failed chunk is one element").hasSize(16)
                    .element(10).asString().startsWith("!").contains("item 13").contains("its result cannot be sent back")
                    .doesNotContain("[Ljava.lang.Object;");
        }
    }

    @Test
    void processPool_aChunkFailure_orAnArgumentThatCannotTravel_failsOnlyItsOwnTask_namingTheItem() {
        try (ProcessPool pool = ProcessPool.create(1)) {
            SerializableFunction<Object, String> name = o -> o.getClass().getSimpleName();
            assertThat(drain(pool.imap(name, List.of("a", new Object(), 3))))
                    .hasSize(3).startsWith("String").endsWith("Integer")
                    .element(1).asString().startsWith("!item 1 failed: " + EncodingException.class.getName());

            SerializableFunction<Integer, Integer> failOn7 = x -> {
                if (x == 7) {
                    throw new IllegalArgumentException("no 7");
                }
                return x;
            };
            assertThat(drain(pool.imap(failOn7, upTo(10), 4)))
                    .containsExactly(0, 1, 2, 3, "!item 7 failed: java.lang.IllegalArgumentException: no 7", 8, 9);
        }
    }

    // ------------------------------------------------------------------- the input is read by a feeder

    static Pool pool(String kind) {
        return switch (kind) {
            case "thread" -> ThreadPool.create(2);
            case "virtual" -> VirtualThreadPool.create();
            case "process" -> ProcessPool.create(1);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** An input of {@code n} elements, each taken from {@code items} when asked for (it blocks until put). */
    static Iterable<Integer> fromQueue(BlockingQueue<Integer> items, int n) {
        return () -> new Iterator<>() {
            int taken;

            @Override
            public boolean hasNext() {
                return taken < n;
            }

            @Override
            public Integer next() {
                try {
                    Integer item = items.take();
                    taken++;
                    return item;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"thread", "virtual", "process"})
    void imap_returnsAtOnce_andDeliversAReadyResult_whileTheInputBlocks(String kind) {
        BlockingQueue<Integer> items = new LinkedBlockingQueue<>();
        try (Pool pool = pool(kind)) {
            assertTimeoutPreemptively(Delays.seconds(60), () -> {
                try (ResultIterator<Integer> it = pool.imap(x -> x * 10, fromQueue(items, 3))) {
                    items.put(1);
                    assertThat(it.next()).as("delivered while the input waits for its second element").isEqualTo(10);
                    assertThatThrownBy(() -> it.next(Delays.millis(100))).isInstanceOf(TimeoutException.class);
                    items.put(2);
                    items.put(3);
                    assertThat(drain(it)).as("still usable after the timeout").containsExactly(20, 30);
                    assertThat(it.hasNext()).isFalse();
                }
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"thread", "virtual"})
    void imap_overAnInputThatWaitsForTheResultsOfThisIteration_completes(String kind) {
        BlockingQueue<Integer> feedback = new LinkedBlockingQueue<>(List.of(0));
        try (Pool pool = pool(kind)) {
            assertTimeoutPreemptively(Delays.seconds(60), () -> {
                try (ResultIterator<Integer> it = pool.imap(x -> x + 1, fromQueue(feedback, 5))) {
                    List<Integer> results = new ArrayList<>();
                    while (it.hasNext()) {
                        int result = it.next();
                        results.add(result);
                        feedback.put(result); // the input's next element is this result
                    }
                    assertThat(results).containsExactly(1, 2, 3, 4, 5);
                }
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"thread", "virtual"})
    void close_whileTheInputBlocks_returnsPromptly_interruptsTheReader_andSubmitsNothingMore(String kind)
            throws Exception {
        BlockingQueue<Integer> items = new LinkedBlockingQueue<>(List.of(0));
        AtomicReference<Thread> reader = new AtomicReference<>();
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch waitsForSecond = new CountDownLatch(1);
        Iterator<Integer> input = new Iterator<>() { // endless; ignores interrupts, as some inputs do
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                reader.set(Thread.currentThread());
                if (items.isEmpty()) {
                    waitsForSecond.countDown();
                }
                long deadline = System.nanoTime() + Delays.seconds(60).toNanos();
                while (System.nanoTime() < deadline) {
                    try {
                        Integer item = items.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                        if (item != null) {
                            // an interrupt that came as the element did may be handed back as the status only
                            // (the queue's condition was signalled first), not as InterruptedException
                            interrupted.compareAndSet(false, Thread.currentThread().isInterrupted());
                            return item;
                        }
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                    }
                }
                throw new IllegalStateException("no element came");
            }
        };
        Pool pool = pool(kind);
        try {
            CountingEngine engine = new CountingEngine(pool);
            assertTimeoutPreemptively(Delays.seconds(60), () -> {
                ImapIterator<Integer, Integer> it = new ImapIterator<>(engine, engine.define(x -> x), input, 1, true, 8);
                assertThat(it.next()).isZero();
                assertThat(waitsForSecond.await(30, TimeUnit.SECONDS)).isTrue();
                it.close();
            });
            assertThat(engine.closes).hasValue(1);
            items.put(1); // the reader gets an element after all: it must not become a task
            reader.get().join(Delays.seconds(30));
            assertThat(reader.get().isAlive()).isFalse();
            assertThat(interrupted).as("the reader was interrupted").isTrue();
            assertThat(engine.calls).as("tasks submitted").hasSize(1);
        } finally {
            pool.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"thread", "process"})
    void anIteratorDroppedUnclosed_isClosedOnceCollected_endingItsFeeder(String kind) throws Exception {
        AtomicReference<Thread> reader = new AtomicReference<>();
        AtomicInteger read = new AtomicInteger();
        Iterable<Integer> endless = () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                reader.set(Thread.currentThread());
                return true;
            }

            @Override
            public Integer next() {
                return read.getAndIncrement();
            }
        };
        try (Pool pool = pool(kind)) {
            readOneAndDrop(pool, endless);
            Awaitility.await().atMost(Delays.seconds(60)).pollInterval(Delays.millis(100)).until(() -> {
                System.gc();
                return !reader.get().isAlive();
            });
            int before = read.get();
            int two = pool.apply((Integer x) -> x + 1, 1);
            assertThat(two).as("the pool still works").isEqualTo(2);
            assertThat(read.get()).as("nothing read after the feeder ended").isEqualTo(before);
        }
    }

    /** Reads one result of an imap over {@code input} and drops the iterator without closing it. */
    private static void readOneAndDrop(Pool pool, Iterable<Integer> input) {
        assertThat(pool.imap(x -> x, input).next()).isZero();
    }

    @Test
    void aVirtualMachineErrorOfTheInput_surfacesFromNext_andClosesTheIterator() {
        ThreadPool pool = ThreadPool.create(2);
        try {
            CountingEngine engine = new CountingEngine(pool);
            Iterator<Integer> input = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public Integer next() {
                    throw new StackOverflowError("the input's own");
                }
            };
            ImapIterator<Integer, Integer> it = new ImapIterator<>(engine, engine.define(x -> x), input, 1, true, 8);
            assertThat(it.hasNext()).isTrue();
            assertThatThrownBy(it::next).isInstanceOf(StackOverflowError.class).hasMessage("the input's own");
            assertThat(it.hasNext()).isFalse();
            assertThat(engine.closes).as("definition closes").hasValue(1);
        } finally {
            pool.terminate();
        }
    }

    private static List<Object> concat(List<?> results, Object... more) {
        List<Object> all = new ArrayList<>(results);
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void theThreadThatClosesImapsLeftUnread_runsAtTheNormalPriority_inTheLibrarysGroup_whoeverMadeIt()
            throws Exception {
        // One for the JVM, made by the first caller of imap (a background request's, at the lowest priority): it had
        // that caller's group and priority for the life of the JVM
        try (TestJvm jvm = TestJvm.start(FirstMadeImapCleanerMain.class, List.of())) {
            assertThat(jvm.nextLineStartingWith("RESULTS ", 60)).isEqualTo("RESULTS [2, 4]");
            assertThat(jvm.nextLineStartingWith("CLEANER ", 60)).isEqualTo("CLEANER 5 mp4j");
        }
    }
}

package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.multiprocessing4j.function.SerializableBiFunction;
import io.github.multiprocessing4j.function.SerializableCallable;
import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.LogCapture;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link Pool} contract, run against every engine (JCTools' QueueSanityTest style): one subclass per
 * engine supplies the pools. Most tests share one pool of two workers; lifecycle tests make their own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PoolContract {

    /** A pool of {@code workers} workers (ignored by an unbounded engine) with an optional task timeout. */
    abstract Pool newPool(int workers, Duration taskTimeout);

    /**
     * A bound on the items imap may have read after 100 results with chunks of {@code chunkSize}: far below the
     * 10M-item input. A pool with a limit keeps a window of a few tasks (5,000 items covers it).
     */
    long imapReadAheadBound(int chunkSize) {
        return 5_000;
    }

    /** Whether the pool queues tasks beyond its workers (a virtual-thread pool without a limit runs each at once). */
    boolean queues() {
        return true;
    }

    Pool shared;

    @BeforeAll
    void startSharedPool() {
        shared = newPool(2, null);
    }

    @AfterAll
    void stopSharedPool() {
        shared.close();
    }

    static SerializableFunction<Integer, Integer> square() {
        return x -> x * x;
    }

    static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    @Test
    void apply_returnsTheResult() throws Exception {
        assertThat(shared.apply(square(), 12)).isEqualTo(144);
        int offset = 1000;
        SerializableFunction<Integer, Integer> plusOffset = x -> x + offset;
        assertThat(shared.apply(plusOffset, 1)).isEqualTo(1001);
    }

    @Test
    void apply_ofAFailingFunction_throwsExecutionExceptionCausedByItsException() {
        assertThatThrownBy(() -> shared.apply(x -> {
            throw new IllegalArgumentException("bad input " + x);
        }, 7)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessage("bad input 7");
    }

    /** A serializable exception whose {@code getMessage()} (and so {@code toString()}) throws. */
    static final class MessageFailsException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage() is broken");
        }
    }

    @Test
    void apply_ofAFunctionThrowingAnExceptionWhoseMessageThrows_failsWithThatException_andTheWorkerGoesOn()
            throws Exception {
        SerializableFunction<Integer, Integer> broken = x -> {
            throw new MessageFailsException();
        };
        assertThatThrownBy(() -> shared.apply(broken, 1)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(MessageFailsException.class);
        assertThat(shared.apply(square(), 3)).as("the pool still serves").isEqualTo(9);
    }

    @Test
    void mapAndImap_ofAFunctionThrowingAnExceptionWhoseMessageThrows_failWithThatException_namingTheItem() {
        // The message that names the item quoted the exception's toString(), which threw: map() threw that
        // IllegalStateException in place of an ExecutionException (the task's exception lost), and so did next().
        SerializableFunction<Integer, Integer> broken = x -> {
            if (x == 2) {
                throw new MessageFailsException();
            }
            return x;
        };
        for (int chunkSize : new int[] {1, 2}) {
            assertThatThrownBy(() -> shared.map(broken, List.of(1, 2, 3), chunkSize)).as("chunks of %d", chunkSize)
                    .isInstanceOf(ExecutionException.class).hasMessageStartingWith("item 1 failed: ")
                    .hasMessageContaining(MessageFailsException.class.getName())
                    .cause().isInstanceOf(MessageFailsException.class);
            for (boolean ordered : new boolean[] {true, false}) {
                List<Object> outcomes = new ArrayList<>();
                try (ResultIterator<Integer> it = ordered ? shared.imap(broken, List.of(1, 2, 3), chunkSize)
                        : shared.imapUnordered(broken, List.of(1, 2, 3), chunkSize)) {
                    while (it.hasNext()) {
                        try {
                            outcomes.add(it.next());
                        } catch (CompletionException e) {
                            assertThat(e).as("chunks of %d, ordered: %s", chunkSize, ordered)
                                    .hasMessageStartingWith("item 1 failed: ")
                                    .cause().isInstanceOf(MessageFailsException.class);
                            outcomes.add("failed");
                        }
                    }
                }
                assertThat(outcomes).as("chunks of %d, ordered: %s", chunkSize, ordered)
                        .containsExactlyInAnyOrderElementsOf(chunkSize == 1 ? List.of(1, "failed", 3) : List.of("failed", 3));
            }
        }
    }

    @Test
    void apply_withATimeoutThatExpires_throwsTimeoutAndCancels(@TempDir Path dir) throws Exception {
        Pool pool = newPool(1, null);
        try {
            assertThat(pool.apply(square(), 2)).as("the worker is up").isEqualTo(4);
            // The task must have started when its timeout expires; on a slow machine it may not have within the
            // first timeout (cancelled while still queued, which proves nothing here): try again with longer ones.
            boolean startedInTime = false;
            for (int round = 0; round < 3 && !startedInTime; round++) {
                String started = dir.resolve("started-" + round).toString();
                Duration timeout = Delays.seconds(2 * Math.pow(4, round)); // 2, 8, 32 s
                assertThatThrownBy(() -> pool.apply(x -> {
                    touch(started);
                    return sleep(60_000);
                }, 1, timeout)).isInstanceOf(TimeoutException.class);
                startedInTime = Files.exists(Path.of(started));
            }
            assertThat(startedInTime).as("the task had started before its timeout").isTrue();
            // The only worker is free again only if the 60 s task was stopped.
            assertThat(pool.apply(square(), 7, Delays.seconds(30))).isEqualTo(49);
        } finally {
            pool.terminate();
        }
    }

    @Test
    void apply_withATimeoutThatExpires_saysWhichTimeoutAndThatTheTaskWasCancelled() throws Exception {
        // The TimeoutException of CompletableFuture.get had no message at all (printed: "java.util.concurrent.
        // TimeoutException"), where the library's other timeouts say what elapsed and what became of the call.
        Pool pool = newPool(1, null);
        try {
            for (Duration timeout : List.of(Duration.ZERO, Duration.ofMillis(50))) {
                assertThatThrownBy(() -> pool.apply(x -> sleep(60_000), 1, timeout)).as("%s", timeout)
                        .isInstanceOf(TimeoutException.class)
                        .hasMessageContaining("within " + timeout).hasMessageContaining("cancelled");
            }
        } finally {
            pool.terminate();
        }
    }

    @Test
    void timeoutsTooLongForALongOfNanoseconds_meanNoTimeout_asTheJdksDurationMethodsDo(@TempDir Path dir)
            throws Exception {
        Duration forever = ChronoUnit.FOREVER.getDuration();
        assertThat(shared.apply(square(), 4, forever)).isEqualTo(16);
        try (ResultIterator<Integer> it = shared.imap(square(), List.of(5, 6))) {
            assertThat(it.next(forever)).isEqualTo(25);
        }
        try (ResultIterator<Integer> it = shared.imapUnordered(square(), List.of(7))) {
            assertThat(it.next(forever)).isEqualTo(49);
        }
        Pool pool = newPool(1, forever);
        try {
            assertThat(pool.applyAsync(square(), 3).get(30, TimeUnit.SECONDS)).as("a pool whose task timeout is FOREVER")
                    .isEqualTo(9);
            assertThat(pool.mapAsync(square(), List.of(1, 2, 3), 2).get(30, TimeUnit.SECONDS)).containsExactly(1, 4, 9);
            // A missing timeout is refused before the task is sent, not after (it would run with nobody to get it).
            String ran = dir.resolve("ran").toString();
            assertThatThrownBy(() -> pool.apply(x -> {
                touch(ran);
                return x;
            }, 1, null)).isInstanceOf(NullPointerException.class);
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Path.of(ran)).as("the marker of the task given a null timeout").doesNotExist();
        } finally {
            pool.terminate();
        }
    }

    @Test
    void applyAsync_completesTheFuture() {
        CompletableFuture<Integer> f = shared.applyAsync(square(), 9);
        assertThat(f.join()).isEqualTo(81);
        int zero = 0;
        assertThat(shared.applyAsync(x -> x / zero, 1)).failsWithin(Delays.seconds(30))
                .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(ArithmeticException.class);
    }

    @Test
    void applyAsync_givesAFutureOfASupertypeOfTheResult_asCompletableFutureThenApplyDoes() {
        // thenApply takes a Function<? super T, ? extends U>, so a stage may be typed by a supertype of the
        // function's result. Before, these did not compile (SerializableFunction<T, R>: R = String and R = Object).
        SerializableFunction<Object, String> describe = o -> o.getClass().getSimpleName() + ":" + o;
        List<CompletableFuture<Object>> futures = new ArrayList<>();
        futures.add(shared.applyAsync(describe, 8));
        futures.add(shared.applyAsync(square(), 9));
        assertThat(futures.stream().map(CompletableFuture::join).toList()).containsExactly("Integer:8", 81);
        CompletableFuture<Number> number = shared.applyAsync(square(), 4);
        assertThat(number.join()).isEqualTo(16);
    }

    @Test
    void map_keepsTheInputOrder_forEveryChunkSize() throws Exception {
        List<Integer> input = range(1000);
        List<Integer> expected = input.stream().map(x -> x * x).toList();
        assertThat(shared.map(square(), input)).isEqualTo(expected);
        assertThat(shared.map(square(), input, 1)).isEqualTo(expected);
        assertThat(shared.map(square(), input, 7)).isEqualTo(expected);
        assertThat(shared.map(square(), input, 5000)).isEqualTo(expected);
        assertThat(shared.map(square(), List.of())).isEmpty();
        assertThat(shared.map(square(), List.of(1, 2), Integer.MAX_VALUE)).containsExactly(1, 4);
        assertThat(shared.mapAsync(square(), List.of(), 3).join()).isEmpty();
    }

    @Test
    void map_overStringsAndRecords_roundTrips() throws Exception {
        assertThat(shared.map(String::length, List.of("a", "bb", "", "caf\u00e9"))).containsExactly(1, 2, 0, 4);
        assertThat(shared.map(p -> new Point(p.y(), p.x()), List.of(new Point(1, 2), new Point(3, 4))))
                .containsExactly(new Point(2, 1), new Point(4, 3));
    }

    record Point(int x, int y) implements Serializable {
    }

    @Test
    void mapAndImap_takeAFunctionOfASupertype_overAnInputOfASubtype_asStreamMapDoes() throws Exception {
        // Stream.map takes a Function<? super T, ? extends R>: a function of Number applies to a List<Integer>. Before,
        // none of these calls compiled (Iterable<T> and SerializableFunction<T, R>: T = Number and T = Integer).
        SerializableFunction<Number, Long> twice = n -> n.longValue() * 2;
        SerializableFunction<Object, String> describe = o -> o.getClass().getSimpleName() + ":" + o;
        List<Integer> ints = List.of(1, 2, 3);
        assertThat(shared.map(describe, ints)).containsExactly("Integer:1", "Integer:2", "Integer:3");
        assertThat(shared.map(twice, ints, 2)).containsExactly(2L, 4L, 6L);
        assertThat(shared.mapAsync(twice, ints, 1).get()).containsExactly(2L, 4L, 6L);
        assertThat(shared.imap(twice, ints).stream().toList()).containsExactly(2L, 4L, 6L);
        assertThat(shared.imap(describe, ints, 2).stream().toList()).containsExactly("Integer:1", "Integer:2", "Integer:3");
        try (ResultIterator<Long> it = shared.imapUnordered(twice, ints)) {
            assertThat(it.stream().toList()).containsExactlyInAnyOrder(2L, 4L, 6L);
        }
        try (ResultIterator<Long> it = shared.imapUnordered(twice, ints, 2)) {
            assertThat(it.stream().toList()).containsExactlyInAnyOrder(2L, 4L, 6L);
        }
        // the results as a list of a supertype, and a generic helper that hands on a Function<? super T, ? extends R>
        List<Number> numbers = shared.map(twice, ints);
        assertThat(numbers).containsExactly(2L, 4L, 6L);
        assertThat(mapVia(shared, describe, List.of("a", "b"))).containsExactly("String:a", "String:b");
    }

    /** A helper written as against the JDK's functional methods. */
    private static <T, R> List<R> mapVia(Pool pool, SerializableFunction<? super T, ? extends R> fn, List<T> items)
            throws InterruptedException, ExecutionException {
        List<R> all = new ArrayList<>(pool.map(fn, items));
        try (ResultIterator<R> it = pool.imap(fn, items)) {
            assertThat(it.stream().toList()).isEqualTo(all);
        }
        return all;
    }

    @Test
    void map_rethrowsTheFirstFailure_namingTheItemsIndex() {
        SerializableFunction<Integer, Integer> failOn37 = x -> {
            if (x == 37) {
                throw new IllegalStateException("no 37");
            }
            return x;
        };
        assertThatThrownBy(() -> shared.map(failOn37, range(100), 10))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("item 37 failed")
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("no 37");
        assertThat(shared.mapAsync(failOn37, range(100), 10)).failsWithin(Delays.seconds(30))
                .withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(IllegalStateException.class).withMessage("no 37");
    }

    @Test
    void mapAsync_givesTheResultsOfTheInputAsItWasWhenCalled_thoughTheCallerReusesItsListAfterwards(@TempDir Path dir)
            throws Exception {
        // Python's map_async copies its iterable at the call: the caller may refill its buffer for the next batch.
        String gate = dir.resolve("gate").toString();
        List<Integer> batch = new ArrayList<>(List.of(1, 2, 3, 4, 5));
        CompletableFuture<List<Integer>> cleared = shared.mapAsync(waitingFor(gate), batch, 2);
        batch.clear();
        List<Integer> grown = new ArrayList<>(List.of(6, 7, 8));
        CompletableFuture<List<Integer>> refilled = shared.mapAsync(waitingFor(gate), grown, 2);
        grown.addAll(List.of(9, 10));
        touch(gate);
        assertThat(cleared.get(30, TimeUnit.SECONDS)).containsExactly(1, 2, 3, 4, 5);
        assertThat(refilled.get(30, TimeUnit.SECONDS)).containsExactly(6, 7, 8);
    }

    @Test
    void mapAsync_failsAsSoonAsAnItemFails_withoutWaitingForTheOtherChunks() {
        SerializableFunction<Integer, Integer> firstFails = x -> {
            if (x == 0) {
                throw new IllegalStateException("item 0 fails at once");
            }
            return sleep(20_000);
        };
        Pool pool = newPool(2, null);
        try {
            assertThat(pool.mapAsync(firstFails, range(4), 1)).failsWithin(Delays.seconds(10))
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOf(IllegalStateException.class).withMessage("item 0 fails at once");
        } finally {
            pool.terminate();
        }
    }

    @Test
    void mapAsync_andStarmap_giveTheResultsInOrder() throws Exception {
        assertThat(shared.mapAsync(square(), range(10), 3).get()).isEqualTo(range(10).stream().map(x -> x * x).toList());
        List<Map.Entry<Integer, Integer>> pairs = List.of(Map.entry(1, 2), Map.entry(3, 4), Map.entry(5, 6));
        assertThat(shared.starmap(Integer::sum, pairs)).containsExactly(3, 7, 11);
        assertThat(shared.starmap((Integer a, Integer b) -> a * b, pairs, 1)).containsExactly(2, 12, 30);
        assertThat(shared.starmapAsync((String a, Integer b) -> a.repeat(b), List.of(Map.entry("ab", 2)), 1).get())
                .containsExactly("abab");
    }

    @Test
    void starmap_takesAFunctionOfSupertypes_overPairsOfSubtypes() throws Exception {
        // pool.starmap(show, counts): a function of (Object, Object) over pairs of String and Integer, as a
        // BiFunction<? super T, ? super U, ? extends R> is taken by the JDK. Before, none of these calls compiled
        // (Iterable<? extends Map.Entry<T, U>>: an Entry<String, Integer> is no Entry<Object, Object>).
        SerializableBiFunction<Object, Object, String> show = (k, v) -> k + "=" + v;
        SerializableBiFunction<Number, Number, Double> product = (a, b) -> a.doubleValue() * b.doubleValue();
        List<Map.Entry<String, Integer>> counts = List.of(Map.entry("a", 1), Map.entry("b", 2));
        List<Map.Entry<Integer, Long>> factors = List.of(Map.entry(2, 3L), Map.entry(4, 5L));
        assertThat(shared.starmap(show, counts)).containsExactly("a=1", "b=2");
        assertThat(shared.starmap(product, factors, 1)).containsExactly(6.0, 20.0);
        assertThat(shared.starmapAsync(show, counts, 1).get()).containsExactly("a=1", "b=2");
        List<Object> shown = shared.starmap(show, counts);
        assertThat(shown).containsExactly("a=1", "b=2");
    }

    @Test
    void aNullFunction_isRefusedAtTheCall_byEveryMapAlike() {
        // starmap wrapped the function in the lambda that spreads each pair, which was never null: a null function
        // travelled, and every item failed in the pool with a NullPointerException (an empty input "succeeded").
        SerializableBiFunction<Integer, Integer, Integer> none = null;
        SerializableFunction<Integer, Integer> noFn = null;
        for (List<Map.Entry<Integer, Integer>> pairs : List.of(List.of(Map.entry(1, 2)), List.<Map.Entry<Integer, Integer>>of())) {
            assertThatThrownBy(() -> shared.starmap(none, pairs)).isInstanceOf(NullPointerException.class).hasMessage("fn");
            assertThatThrownBy(() -> shared.starmap(none, pairs, 1)).isInstanceOf(NullPointerException.class).hasMessage("fn");
            assertThatThrownBy(() -> shared.starmapAsync(none, pairs, 1)).isInstanceOf(NullPointerException.class)
                    .hasMessage("fn");
        }
        assertThatThrownBy(() -> shared.map(noFn, List.of(1))).isInstanceOf(NullPointerException.class).hasMessage("fn");
        assertThatThrownBy(() -> shared.mapAsync(noFn, List.of(1), 1)).isInstanceOf(NullPointerException.class)
                .hasMessage("fn");
        assertThatThrownBy(() -> shared.imap(noFn, List.of(1))).isInstanceOf(NullPointerException.class).hasMessage("fn");
    }

    @Test
    void imap_yieldsInInputOrder_andImapUnorderedYieldsEveryResult() {
        List<Integer> ordered = new ArrayList<>();
        shared.imap(square(), range(50)).forEachRemaining(ordered::add);
        assertThat(ordered).isEqualTo(range(50).stream().map(x -> x * x).toList());

        List<Integer> chunked = new ArrayList<>();
        shared.imap(square(), range(50), 7).forEachRemaining(chunked::add);
        assertThat(chunked).isEqualTo(ordered);

        Set<Integer> unordered = new HashSet<>();
        try (ResultIterator<Integer> it = shared.imapUnordered(square(), range(50), 4)) {
            it.forEachRemaining(unordered::add);
        }
        assertThat(unordered).isEqualTo(new HashSet<>(ordered));
        assertThat(shared.imap(square(), range(5)).stream().toList()).containsExactly(0, 1, 4, 9, 16);
    }

    @Test
    void imap_surfacesAFailureAtItsPosition_andGoesOn() {
        Iterator<Integer> it = shared.imap(x -> 10 / x, List.of(1, 0, 5));
        assertThat(it.next()).isEqualTo(10);
        assertThatThrownBy(it::next).isInstanceOf(CompletionException.class).cause().isInstanceOf(ArithmeticException.class);
        assertThat(it.next()).isEqualTo(2);
        assertThat(it.hasNext()).isFalse();
    }

    @Test
    void imap_nextWithATimeout_throwsTimeoutException_andTheIteratorGoesOn(@TempDir Path dir) throws Exception {
        for (boolean ordered : new boolean[] {true, false}) {
            String gate = dir.resolve("gate-" + ordered).toString();
            SerializableFunction<Integer, Integer> waits = waitingFor(gate);
            try (ResultIterator<Integer> it = ordered ? shared.imap(waits, List.of(1, 2), 2)
                    : shared.imapUnordered(waits, List.of(1, 2), 2)) {
                assertThatThrownBy(() -> it.next(Duration.ofMillis(100))).as("ordered: %s", ordered)
                        .isInstanceOf(TimeoutException.class);
                assertThatThrownBy(() -> it.next(Duration.ofMillis(-1))).isInstanceOf(TimeoutException.class);
                assertThat(it.hasNext()).isTrue();
                touch(gate);
                assertThat(it.next(Delays.seconds(30))).isEqualTo(1);
                assertThat(it.next(Delays.seconds(30))).isEqualTo(2);
                assertThat(it.hasNext()).isFalse();
                assertThatThrownBy(() -> it.next(Delays.seconds(30))).isInstanceOf(NoSuchElementException.class);
            }
        }
    }

    @Test
    void imap_overEmptyInputs_nullElements_andChunksLargerThanTheInput() throws Exception {
        for (int chunkSize : new int[] {1, 2, 1000}) {
            ResultIterator<Integer> empty = shared.imap(square(), List.of(), chunkSize);
            assertThat(empty.hasNext()).isFalse();
            assertThat(empty.hasNext()).isFalse();
            assertThatThrownBy(empty::next).isInstanceOf(NoSuchElementException.class);
            assertThat(shared.imapUnordered(square(), List.<Integer>of(), chunkSize).hasNext()).isFalse();

            SerializableFunction<Integer, String> describe = x -> x == null ? "null" : "<" + x + ">";
            List<Integer> withNulls = java.util.Arrays.asList(null, 1, null, 2);
            assertThat(shared.imap(describe, withNulls, chunkSize).stream().toList())
                    .containsExactly("null", "<1>", "null", "<2>");
            assertThat(shared.imapUnordered(describe, withNulls, chunkSize).stream().toList())
                    .containsExactlyInAnyOrder("null", "<1>", "null", "<2>");
            SerializableFunction<Integer, Integer> toNull = x -> null;
            assertThat(shared.imap(toNull, List.of(1, 2, 3), chunkSize).stream().toList()).containsExactly(null, null, null);
            assertThat(shared.map(toNull, List.of(1, 2, 3), chunkSize)).containsExactly(null, null, null);
            assertThat(shared.starmap((Integer a, Integer b) -> a == null ? b : a,
                    List.of(new java.util.AbstractMap.SimpleEntry<Integer, Integer>(null, 5), Map.entry(6, 7)), chunkSize))
                    .containsExactly(5, 6);
        }
    }

    @Test
    void imap_withAChunkSizeFarLargerThanTheInput_deliversEveryResult_asMapDoes() throws Exception {
        // A chunk size is a bound, not room to set aside: imap made an ArrayList of that capacity for each chunk,
        // which failed with OutOfMemoryError ("Requested array size exceeds VM limit"), where map took it.
        int chunkSize = Integer.MAX_VALUE;
        assertThat(shared.map(square(), List.of(1, 2, 3), chunkSize)).containsExactly(1, 4, 9);
        try (ResultIterator<Integer> it = shared.imap(square(), List.of(1, 2, 3), chunkSize)) {
            assertThat(it.stream().toList()).containsExactly(1, 4, 9);
        }
        try (ResultIterator<Integer> it = shared.imapUnordered(square(), List.of(1, 2, 3), chunkSize)) {
            assertThat(it.stream().toList()).containsExactlyInAnyOrder(1, 4, 9);
        }
    }

    @Test
    void imap_next_endsWhenTheWaitingThreadIsInterrupted() throws Exception {
        Pool pool = newPool(1, null);
        try {
            Iterator<Integer> it = pool.imap(x -> {
                LockSupport.parkNanos(60_000_000_000L);
                return x;
            }, List.of(1));
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread consumer = Thread.ofPlatform().start(() -> {
                try {
                    it.next();
                } catch (RuntimeException e) {
                    thrown.set(e);
                }
            });
            Thread.sleep(300);
            consumer.interrupt();
            consumer.join(Delays.seconds(10).toMillis());

            assertThat(consumer.isAlive()).as("next() still waits").isFalse();
            assertThat(thrown.get()).isInstanceOf(CompletionException.class).cause().isInstanceOf(InterruptedException.class);
        } finally {
            pool.terminate();
        }
    }

    /** 10 million items that count how many have been read. */
    static final class CountingInput implements Iterable<Integer> {
        final AtomicLong read = new AtomicLong();

        @Override
        public Iterator<Integer> iterator() {
            return new Iterator<>() {
                int next;

                @Override
                public boolean hasNext() {
                    return next < 10_000_000;
                }

                @Override
                public Integer next() {
                    read.incrementAndGet();
                    return next++;
                }
            };
        }
    }

    @Test
    void imap_readsItsInputOnlyABoundedWindowAhead() {
        CountingInput input = new CountingInput();
        try (ResultIterator<Integer> it = shared.imap(x -> x + 1, input, 10)) {
            for (int i = 0; i < 100; i++) {
                assertThat(it.next()).isEqualTo(i + 1);
            }
            assertThat(input.read.get()).as("items read from a 10M-item input after 100 results")
                    .isLessThan(imapReadAheadBound(10));
        }
        CountingInput unorderedInput = new CountingInput();
        try (ResultIterator<Integer> it = shared.imapUnordered(x -> x, unorderedInput)) {
            for (int i = 0; i < 100; i++) {
                it.next();
            }
            assertThat(unorderedInput.read.get()).isLessThan(imapReadAheadBound(1));
        }
    }

    @Test
    void submit_callableAndRunnable_andTheExecutorServiceBulkMethods() throws Exception {
        SerializableCallable<String> hello = () -> "hello";
        assertThat(shared.submit(hello).get()).isEqualTo("hello");
        assertThat(shared.submit((Serializable & Runnable) () -> { }).get()).isNull();
        assertThat(shared.submit((Serializable & Runnable) () -> { }, 42).get()).isEqualTo(42);

        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int v = i;
            tasks.add((SerializableCallable<Integer>) () -> v * 10);
        }
        List<Future<Integer>> all = shared.invokeAll(tasks);
        List<Integer> values = new ArrayList<>();
        for (Future<Integer> f : all) {
            values.add(f.get());
        }
        assertThat(values).containsExactly(0, 10, 20, 30, 40, 50);
        assertThat(shared.invokeAny(tasks)).isIn(0, 10, 20, 30, 40, 50);

        List<Callable<Integer>> oneGood = List.of(
                (SerializableCallable<Integer>) () -> {
                    throw new IllegalStateException("bad");
                },
                (SerializableCallable<Integer>) () -> 7);
        assertThat(shared.invokeAny(oneGood)).isEqualTo(7);
        List<Callable<Integer>> allBad = List.of((SerializableCallable<Integer>) () -> {
            throw new IllegalStateException("bad");
        });
        assertThatThrownBy(() -> shared.invokeAny(allBad)).isInstanceOf(ExecutionException.class);
    }

    @Test
    void manyCallerThreads_submittingAtOnce_eachGetTheirOwnResults() throws Exception {
        List<Thread> callers = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 8; t++) {
            int base = t * 1000;
            callers.add(Thread.ofPlatform().start(() -> {
                try {
                    List<CompletableFuture<Integer>> futures = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        futures.add(shared.applyAsync(x -> x + 1, base + i));
                    }
                    for (int i = 0; i < 100; i++) {
                        assertThat(futures.get(i).join()).isEqualTo(base + i + 1);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : callers) {
            t.join();
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void aTaskRunningPastTheTimeout_failsWithTaskTimeoutException_andThePoolGoesOn() throws Exception {
        try (Pool pool = newPool(1, Delays.seconds(1))) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> pool.apply(x -> sleep(60_000), 1))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TaskTimeoutException.class);
            assertThat(System.nanoTime() - started).isLessThan(Delays.seconds(10).toNanos());
            assertThat(pool.apply(square(), 5)).isEqualTo(25);
        }
    }

    @Test
    void close_inACallbackOfATaskThatTimedOut_stillLetsTheOtherRunningTasksTimeOut() throws Exception {
        Pool pool = newPool(2, Delays.seconds(1));
        try {
            // Whichever timeout fires first runs a callback that waits for the pool, which ends only once the other
            // hung task has timed out too: the first callback must not hold up the second timeout.
            List<CompletableFuture<String>> closing = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                closing.add(pool.applyAsync(x -> sleep(600_000), i).handle((r, e) -> {
                    pool.close();
                    return String.valueOf(e);
                }));
            }
            for (CompletableFuture<String> f : closing) {
                assertThat(f.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS))
                        .contains(TaskTimeoutException.class.getSimpleName());
            }
            assertThat(pool.isTerminated()).isTrue();
        } finally {
            pool.terminate();
        }
    }

    @Test
    void close_inACallbackRunByCancelWithInterruptOfARunningTask_returns(@TempDir Path dir) throws Exception {
        String applied = dir.resolve("started-apply").toString();
        closeInACallbackRunByCancel(applied, pool -> pool.applyAsync(x -> {
            touch(applied);
            return sleep(600_000);
        }, 1));
        String mapped = dir.resolve("started-map").toString();
        closeInACallbackRunByCancel(mapped, pool -> pool.mapAsync(x -> {
            touch(mapped);
            return sleep(600_000);
        }, List.of(1), 1));
    }

    /** The callback runs inside cancel(true): the task must be stopped before it, or close() waits for it. */
    private void closeInACallbackRunByCancel(String started, java.util.function.Function<Pool, CompletableFuture<?>> submit)
            throws Exception {
        Pool pool = newPool(1, null);
        try {
            CompletableFuture<?> hung = submit.apply(pool);
            CompletableFuture<String> closing = hung.handle((r, e) -> {
                pool.close();
                return String.valueOf(e);
            });
            awaitStarted(started, hung);
            CompletableFuture<Boolean> cancel = CompletableFuture.supplyAsync(() -> hung.cancel(true),
                    r -> Thread.ofPlatform().daemon().start(r));
            assertThat(cancel.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(closing.getNow("not run")).contains(CancellationException.class.getSimpleName());
            assertThat(hung.isCancelled()).isTrue();
            assertThat(pool.isTerminated()).isTrue();
        } finally {
            pool.terminate();
        }
    }

    @Test
    void cancel_ofAQueuedTask_removesIt(@TempDir Path dir) throws Exception {
        assumeTrue(queues(), "the pool queues no task");
        String gate = dir.resolve("gate").toString();
        String victimRan = dir.resolve("victim-ran").toString();
        Pool pool = newPool(1, null);
        try {
            CompletableFuture<Integer> blocker = pool.applyAsync(waitingFor(gate), 1);
            List<CompletableFuture<Integer>> queued = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                queued.add(pool.applyAsync(x -> x, i));
            }
            CompletableFuture<Integer> victim = pool.applyAsync(x -> {
                touch(victimRan);
                return x * 100;
            }, 3);
            CompletableFuture<Integer> after = pool.applyAsync(x -> x, 42);
            assertThat(victim.cancel(false)).isTrue();
            assertThat(victim).isCancelled();
            touch(gate);
            assertThat(blocker.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            for (int i = 0; i < 5; i++) {
                assertThat(queued.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(i);
            }
            assertThat(after.get(30, TimeUnit.SECONDS)).isEqualTo(42);
            pool.shutdown();
            assertThat(pool.awaitTermination(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(Path.of(victimRan)).as("the marker of the cancelled task").doesNotExist();
        } finally {
            pool.terminate();
        }
    }

    @Test
    void shutdown_rejectsNewWork_finishesQueuedWork_andTerminates() throws Exception {
        Pool pool = newPool(2, null);
        List<CompletableFuture<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            queued.add(pool.applyAsync(x -> sleep(100), i));
        }
        pool.shutdown();
        assertThat(pool.isShutdown()).isTrue();
        assertThatThrownBy(() -> pool.applyAsync(square(), 1)).isInstanceOf(RejectedExecutionException.class);
        assertThat(pool.awaitTermination(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(pool.isTerminated()).isTrue();
        for (CompletableFuture<Integer> f : queued) {
            assertThat(f.get()).isEqualTo(100);
        }
        pool.join();
    }

    @Test
    void everyWayToSubmit_afterShutdown_throwsRejectedExecutionException_atTheCall() throws Exception {
        Pool pool = newPool(1, null);
        pool.shutdown();
        SerializableCallable<Integer> one = () -> 1;
        Runnable nothing = (Serializable & Runnable) () -> { };
        List<Map.Entry<Integer, Integer>> pairs = List.of(Map.entry(1, 2));
        Map<String, Callable<?>> calls = new java.util.LinkedHashMap<>();
        calls.put("submit(Callable)", () -> pool.submit(one));
        calls.put("submit(Runnable)", () -> pool.submit(nothing));
        calls.put("submit(Runnable, result)", () -> pool.submit(nothing, 1));
        calls.put("execute", () -> {
            pool.execute(nothing);
            return null;
        });
        calls.put("apply", () -> pool.apply(square(), 1));
        calls.put("apply(timeout)", () -> pool.apply(square(), 1, Delays.seconds(30)));
        calls.put("applyAsync", () -> pool.applyAsync(square(), 1));
        calls.put("map", () -> pool.map(square(), List.of(1, 2)));
        calls.put("mapAsync", () -> pool.mapAsync(square(), List.of(1, 2), 1));
        calls.put("starmap", () -> pool.starmap(Integer::sum, pairs));
        calls.put("starmapAsync", () -> pool.starmapAsync(Integer::sum, pairs, 1));
        calls.put("imap", () -> pool.imap(square(), List.of(1, 2)));
        calls.put("imap(chunkSize)", () -> pool.imap(square(), List.of(1, 2), 2));
        calls.put("imapUnordered", () -> pool.imapUnordered(square(), List.of(1, 2)));
        // an empty input too, as Python's Pool refuses map(f, []) after close() ('Pool not running'), and imap did
        calls.put("map(empty)", () -> pool.map(square(), List.of()));
        calls.put("map(empty, chunkSize)", () -> pool.map(square(), List.of(), 1));
        calls.put("mapAsync(empty)", () -> pool.mapAsync(square(), List.of(), 1));
        calls.put("starmap(empty)", () -> pool.starmap(Integer::sum, List.<Map.Entry<Integer, Integer>>of()));
        calls.put("starmapAsync(empty)", () -> pool.starmapAsync(Integer::sum, List.<Map.Entry<Integer, Integer>>of(), 1));
        calls.put("imap(empty)", () -> pool.imap(square(), List.of()));
        calls.put("invokeAll", () -> pool.invokeAll(List.of(one)));
        calls.put("invokeAll(timeout)", () -> pool.invokeAll(List.of(one), 30, TimeUnit.SECONDS));
        calls.put("invokeAny", () -> pool.invokeAny(List.of(one)));
        calls.put("invokeAny(timeout)", () -> pool.invokeAny(List.of(one), 30, TimeUnit.SECONDS));
        try {
            for (Map.Entry<String, Callable<?>> call : calls.entrySet()) {
                // the message says why, the same for every engine (not an executor's "Task ...$Job@1b2c rejected")
                assertThat(catchThrowable(() -> call.getValue().call())).as(call.getKey())
                        .isInstanceOf(RejectedExecutionException.class).hasMessage("the pool is shut down");
            }
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.terminate();
        }
    }

    /**
     * A task that throws a {@link CancellationException} itself (say, it joined a future someone cancelled) has
     * failed; its future was not cancelled. {@code FutureTask} ({@code ThreadPoolExecutor.submit}) and
     * {@code CompletableFuture.supplyAsync} say so: {@code get()} throws an {@link ExecutionException} caused by
     * it, and {@code isCancelled()} is false.
     */
    @Test
    void aTaskThatThrowsCancellationExceptionItself_hasFailed_andWasNotCancelled() throws Exception {
        SerializableCallable<Integer> call = () -> {
            throw new CancellationException("the task's own");
        };
        SerializableFunction<Integer, Integer> fn = x -> {
            throw new CancellationException("the task's own");
        };
        Runnable run = (Serializable & Runnable) () -> {
            throw new CancellationException("the task's own");
        };
        Map<String, CompletableFuture<?>> futures = new java.util.LinkedHashMap<>();
        futures.put("submit(Callable)", shared.submit(call));
        futures.put("submit(Runnable)", shared.submit(run));
        futures.put("submit(Runnable, result)", shared.submit(run, 1));
        futures.put("applyAsync", shared.applyAsync(fn, 1));
        futures.put("mapAsync", shared.mapAsync(fn, List.of(1, 2), 1));
        futures.put("starmapAsync", shared.starmapAsync((Integer a, Integer b) -> fn.apply(a), List.of(Map.entry(1, 2)), 1));
        for (Map.Entry<String, CompletableFuture<?>> e : futures.entrySet()) {
            assertThat(e.getValue()).as(e.getKey()).failsWithin(Delays.seconds(30))
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOf(CancellationException.class).withMessage("the task's own");
            assertThat(e.getValue().isCancelled()).as(e.getKey()).isFalse();
            assertThat(e.getValue().state()).as(e.getKey()).isEqualTo(Future.State.FAILED);
        }
        assertThatThrownBy(() -> shared.apply(fn, 1)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(CancellationException.class).hasMessage("the task's own");
        assertThatThrownBy(() -> shared.apply(fn, 1, Delays.seconds(30))).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(CancellationException.class).hasMessage("the task's own");
        List<Future<Integer>> all = shared.invokeAll(List.of(call));
        assertThat(all.get(0).isCancelled()).as("invokeAll's future").isFalse();
    }

    @Test
    void theBulkMethodsOfExecutorService_keepItsContract() throws Exception {
        assertThat(shared.invokeAll(List.<Callable<Integer>>of())).isEmpty();
        assertThat(shared.invokeAll(List.<Callable<Integer>>of(), 1, TimeUnit.SECONDS)).isEmpty();
        assertThatThrownBy(() -> shared.invokeAny(List.<Callable<Integer>>of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> shared.invokeAny(List.<Callable<Integer>>of(), 1, TimeUnit.SECONDS))
                .isInstanceOf(IllegalArgumentException.class);
        List<Callable<Integer>> withNull = java.util.Arrays.asList((SerializableCallable<Integer>) () -> 1, null);
        assertThatThrownBy(() -> shared.invokeAll(withNull)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> shared.invokeAll(withNull, 1, TimeUnit.SECONDS)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> shared.invokeAny(withNull)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> shared.invokeAny(withNull, 1, TimeUnit.SECONDS)).isInstanceOf(NullPointerException.class);

        // invokeAll with a timeout: every future is done on return, and the unfinished ones are cancelled.
        SerializableCallable<Integer> hangs = () -> sleep(600_000);
        SerializableCallable<Integer> quick = () -> 7;
        List<Future<Integer>> timed = shared.invokeAll(List.of(quick, hangs), 2, TimeUnit.SECONDS);
        assertThat(timed).allMatch(Future::isDone);
        assertThat(timed.get(1).isCancelled()).isTrue();
        // quick ran unless the deadline came before it could (a slow machine): then it was cancelled too.
        assertThat(timed.get(0).state()).isIn(Future.State.SUCCESS, Future.State.CANCELLED);

        // invokeAny: the first success wins and the rest are cancelled; all failing gives the last failure. (The
        // quick task goes first: a process pool may queue a task behind a running one on the same worker.)
        assertThat(shared.invokeAny(List.of(quick, hangs))).isEqualTo(7);
        assertThat(shared.invokeAny(List.of(quick, hangs), 30, TimeUnit.SECONDS)).isEqualTo(7);
        assertThatThrownBy(() -> shared.invokeAny(List.of(hangs), 200, TimeUnit.MILLISECONDS))
                .isInstanceOf(TimeoutException.class);
        SerializableCallable<Integer> fails = () -> {
            throw new IllegalStateException("fails");
        };
        assertThatThrownBy(() -> shared.invokeAny(List.of(fails, fails), 30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().hasMessage("fails");
        // The hung tasks were stopped (cancel(true)), or the two workers would still be busy.
        assertThat(shared.apply(square(), 6, Delays.seconds(30))).isEqualTo(36);
    }

    @Test
    void join_beforeShutdown_isRefused() {
        try (Pool pool = newPool(1, null)) {
            assertThatThrownBy(pool::join).isInstanceOf(IllegalStateException.class).hasMessageContaining("close()");
        }
    }

    @Test
    void close_waitsForQueuedWork() throws Exception {
        CompletableFuture<Integer> f;
        try (Pool pool = newPool(1, null)) {
            f = pool.applyAsync(x -> sleep(300), 1);
        }
        assertThat(f).isCompletedWithValue(300);
    }

    @Test
    void shutdownNow_cancelsQueuedTasks_stopsTheRunningOne_andReturnsTheNeverStarted(@TempDir Path dir)
            throws Exception {
        assumeTrue(queues(), "the pool queues no task");
        String started = dir.resolve("started").toString();
        Pool pool = newPool(1, null);
        CompletableFuture<Integer> running = pool.applyAsync(x -> {
            touch(started);
            return sleep(60_000);
        }, 1);
        awaitStarted(started, running);
        List<CompletableFuture<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(pool.applyAsync(square(), i));
        }
        List<Runnable> neverStarted = pool.shutdownNow();
        assertThat(neverStarted).hasSize(3);
        for (CompletableFuture<Integer> f : queued) {
            assertThat(f).isCompletedExceptionally();
            assertThatThrownBy(f::join).isInstanceOf(CancellationException.class);
        }
        assertThat(pool.awaitTermination(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(running).failsWithin(Delays.seconds(10));
    }

    /**
     * The list shutdownNow() returns stands for the tasks it cancelled, the same for every engine: a queued task
     * cancelled before is not in it (a process pool drops it from its queue at once; a thread pool's executor kept
     * it queued, and returned it too), and running an entry does not run its task.
     */
    @Test
    void shutdownNow_returnsThePlaceholdersOfTheTasksItCancelled_notOfTasksCancelledBefore(@TempDir Path dir)
            throws Exception {
        assumeTrue(queues(), "the pool queues no task");
        String started = dir.resolve("started").toString();
        String ran = dir.resolve("ran").toString();
        Pool pool = newPool(1, null);
        try {
            CompletableFuture<Integer> running = pool.applyAsync(x -> {
                touch(started);
                return sleep(60_000);
            }, 1);
            awaitStarted(started, running);
            SerializableFunction<Integer, Integer> marks = x -> {
                touch(ran);
                return x;
            };
            CompletableFuture<Integer> cancelledBefore = pool.applyAsync(marks, 0);
            List<CompletableFuture<Integer>> queued = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                queued.add(pool.applyAsync(marks, i));
            }
            assertThat(cancelledBefore.cancel(false)).isTrue();
            List<Runnable> neverStarted = pool.shutdownNow();
            assertThat(neverStarted).as("one per task shutdownNow() cancelled").hasSize(3);
            for (Runnable r : neverStarted) {
                assertThat(catchThrowable(r::run)).as("a placeholder says it was cancelled; it must not run the task")
                        .isInstanceOf(CancellationException.class).hasMessageContaining("shutdownNow()");
                assertThat(r.toString()).as("names the task, for a log").contains("task").doesNotContain("@");
            }
            assertThat(pool.awaitTermination(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(queued).allMatch(CompletableFuture::isCancelled);
            assertThat(Path.of(ran)).as("the marker of a task shutdownNow() cancelled").doesNotExist();
        } finally {
            pool.terminate();
        }
    }

    /**
     * A runnable given to execute() that shutdownNow() takes off the queue is listed as itself, as a JDK executor
     * lists it (a placeholder could not run it): the pool never runs it, the caller may. Its future, which nobody
     * holds, is cancelled, so execute() logs no failure for it. A task of submit() keeps its placeholder.
     */
    @Test
    void shutdownNow_listsARunnableGivenToExecuteAsItself_andThePoolNeverRunsIt(@TempDir Path dir) throws Exception {
        assumeTrue(queues(), "the pool queues no task");
        String started = dir.resolve("started").toString();
        String ran = dir.resolve("ran").toString();
        String submittedRan = dir.resolve("submitted-ran").toString();
        Pool pool = newPool(1, null);
        try (LogCapture log = LogCapture.of(Pool.class.getName(), null, LogCapture.saying("execute()"))) {
            CompletableFuture<Integer> running = pool.applyAsync(x -> {
                touch(started);
                return sleep(60_000);
            }, 1);
            awaitStarted(started, running);
            Runnable command = (Serializable & Runnable) () -> touch(ran);
            Runnable submitted = (Serializable & Runnable) () -> touch(submittedRan);
            pool.execute(command);
            CompletableFuture<?> submittedFuture = pool.submit(submitted);
            List<Runnable> listed = pool.shutdownNow();
            assertThat(listed).as("one entry per task shutdownNow() cancelled").hasSize(2);
            assertThat(listed.get(0)).as("the runnable given to execute(), itself").isSameAs(command);
            assertThat(listed.get(1)).as("submit()'s task: a placeholder, its future cancelled").isNotSameAs(submitted);
            assertThat(catchThrowable(listed.get(1)::run)).isInstanceOf(CancellationException.class);
            assertThat(submittedFuture).isCancelled();
            assertThat(pool.awaitTermination(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(Path.of(ran)).as("the pool never ran the runnable it listed").doesNotExist();
            listed.get(0).run();
            assertThat(Files.readAllLines(Path.of(ran))).as("run once, by the caller").hasSize(1);
            assertThat(Path.of(submittedRan)).doesNotExist();
            assertThat(log.lines()).as("execute()'s failure log, for a task cancelled").isEmpty();
        } finally {
            pool.terminate();
        }
    }

    /**
     * The JDK idiom: a CompletableFuture stage whose executor is the pool, queued when shutdownNow() comes, completes
     * once the caller runs what the list gives back, as with a ThreadPoolExecutor.
     */
    @Test
    void shutdownNow_thenRunningTheListedRunnables_completesAStageQueuedOnThePool(@TempDir Path dir) throws Exception {
        assumeTrue(queues(), "the pool queues no task");
        String started = dir.resolve("started").toString();
        Pool pool = newPool(1, null);
        try {
            assumeTrue(!(pool instanceof ProcessPool), "a process pool takes Serializable tasks: supplyAsync's is not");
            CompletableFuture<Integer> running = pool.applyAsync(x -> {
                touch(started);
                return sleep(60_000);
            }, 1);
            awaitStarted(started, running);
            CompletableFuture<Integer> stage = CompletableFuture.supplyAsync(() -> 42, pool);
            List<Runnable> listed = pool.shutdownNow();
            assertThat(listed).as("the stage's task").hasSize(1);
            assertThat(pool.awaitTermination(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(stage).as("the pool never ran the stage's task").isNotDone();
            listed.forEach(Runnable::run);
            assertThat(stage).isCompletedWithValue(42);
        } finally {
            pool.terminate();
        }
    }

    /** Waits until a long task has created its marker file {@code started}, so it runs (and is not done). */
    static void awaitStarted(String started, CompletableFuture<?> task) {
        Awaitility.await().atMost(Delays.seconds(30)).until(() -> Files.exists(Path.of(started)));
        assertThat(task).isNotDone();
    }

    /** Creates (or appends to) the marker file {@code file}: a task may run in another JVM, so it is named by a String. */
    static void touch(String file) {
        try {
            Files.writeString(Path.of(file), "x\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns its argument once the file {@code gate} exists; gives up, failing, if interrupted. */
    static SerializableFunction<Integer, Integer> waitingFor(String gate) {
        return x -> {
            while (!Files.exists(Path.of(gate))) {
                LockSupport.parkNanos(5_000_000);
                if (Thread.currentThread().isInterrupted()) {
                    throw new IllegalStateException("interrupted");
                }
            }
            return x;
        };
    }

    static int sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException("interrupted", e);
        }
        return (int) millis;
    }
}

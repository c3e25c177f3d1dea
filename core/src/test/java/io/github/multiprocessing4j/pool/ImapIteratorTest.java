package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.internal.pool.TaskFuture;
import io.github.multiprocessing4j.pool.ImapTest.CountingEngine;
import io.github.multiprocessing4j.testing.Delays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The bookkeeping of {@link ImapIterator}: the window that holds the feeder back (counting every task not yet
 * handed to the consumer, complete or not), what {@link ImapIterator#close()} cancels, and the argument checks
 * of {@link ResultIterator#next(java.time.Duration)}, in ordered and unordered mode.
 */
class ImapIteratorTest {

    private static final int WINDOW = 8;

    /** Waits for {@code release}, at most a minute, so that a task stays unreported until the test ends. */
    private static void awaitQuietly(CountDownLatch release) {
        try {
            release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An endless input of 0, 1, 2, ... that counts what it hands out and remembers who reads it. */
    static final class Endless implements Iterator<Integer> {
        final AtomicInteger read = new AtomicInteger();
        final AtomicReference<Thread> reader = new AtomicReference<>();

        @Override
        public boolean hasNext() {
            return true;
        }

        @Override
        public Integer next() {
            reader.set(Thread.currentThread());
            return read.getAndIncrement();
        }
    }

    /** Whether the feeder is parked for room in its window (not merely waiting for the lock, nor reading). */
    private static boolean waitsForRoom(Thread feeder) {
        if (feeder == null || feeder.getState() != Thread.State.WAITING) {
            return false;
        }
        List<String> frames = Arrays.stream(feeder.getStackTrace()).map(StackTraceElement::getMethodName).toList();
        return frames.contains("awaitRoom") && frames.contains("awaitUninterruptibly");
    }

    @Test
    void imapUnordered_keepsAtMostWindowTasksUnreported_countingTheCompleteOnesNotYetTaken() {
        ThreadPool pool = ThreadPool.create(4);
        CountDownLatch release = new CountDownLatch(1);
        try {
            CountingEngine engine = new CountingEngine(pool);
            Endless input = new Endless();
            SerializableFunction<Integer, Integer> fn = x -> {
                if (x == 0) {
                    awaitQuietly(release); // item 0 stays unreported all along: the oldest slot never frees
                }
                return x;
            };
            ImapIterator<Integer, Integer> it = new ImapIterator<>(engine, engine.define(fn), input, 1, false, WINDOW);
            List<Integer> taken = new ArrayList<>();
            for (int round = 0; round <= 20; round++) {
                int outstanding = WINDOW + taken.size();
                // every task but item 0 completes at once: only the window stops the feeder, which then waits
                Awaitility.await().atMost(Delays.seconds(30)).until(() -> engine.calls.size() == outstanding
                        && engine.calls.subList(1, outstanding).stream().allMatch(TaskFuture::isDone)
                        && waitsForRoom(input.reader.get()));
                assertThat(engine.calls).as("tasks submitted after %s results", taken.size()).hasSize(outstanding);
                assertThat(input.read).as("elements read after %s results", taken.size()).hasValue(outstanding);
                if (round < 20) {
                    taken.add(it.next()); // frees one slot: the feeder submits exactly one more
                }
            }
            assertThat(taken).doesNotHaveDuplicates().doesNotContain(0).allMatch(x -> x < WINDOW + 20);

            it.close();
            assertThat(engine.calls.getFirst().isCancelled()).as("the unreported item 0 is cancelled").isTrue();
            assertThat(engine.calls).as("nothing submitted after close()").hasSize(WINDOW + 20);
        } finally {
            release.countDown();
            pool.terminate();
        }
    }

    @Test
    void imapUnordered_close_cancelsExactlyTheTasksNotYetReported_andSubmitsNothingMore() {
        ThreadPool pool = ThreadPool.create(12); // room for all ten tasks: items 3 and 5 run whatever waits
        CountDownLatch release = new CountDownLatch(1);
        try {
            CountingEngine engine = new CountingEngine(pool);
            SerializableFunction<Integer, Integer> fn = x -> {
                if (x != 3 && x != 5) {
                    awaitQuietly(release); // running or queued until close() cancels it
                }
                return x * 10;
            };
            ImapIterator<Integer, Integer> it = new ImapIterator<>(engine, engine.define(fn), new Endless(), 1, false,
                    WINDOW);
            assertThat(List.of(it.next(), it.next())).as("the two that complete, out of input order")
                    .containsExactlyInAnyOrder(30, 50);
            // the two slots they freed take items 8 and 9: ten tasks, eight of them unreported
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> engine.calls.size() == WINDOW + 2);

            it.close();
            List<TaskFuture<?>> calls = List.copyOf(engine.calls);
            assertThat(calls).as("nothing submitted after close()").hasSize(WINDOW + 2);
            for (int item = 0; item < calls.size(); item++) {
                boolean reported = item == 3 || item == 5;
                assertThat(calls.get(item).isCancelled()).as("item %s cancelled", item).isEqualTo(!reported);
            }
            assertThat(calls.get(3).join()).isEqualTo(30);
            assertThat(calls.get(5).join()).isEqualTo(50);
            assertThat(it.hasNext()).isFalse();
            assertThat(engine.closes).as("definition closes").hasValue(1);
        } finally {
            release.countDown();
            pool.terminate();
        }
    }

    @Test
    void imapUnordered_close_afterSomeCompleteTasksWereLeftUntaken_deliversNoneOfThem() {
        ThreadPool pool = ThreadPool.create(2);
        try {
            CountingEngine engine = new CountingEngine(pool);
            ImapIterator<Integer, Integer> it = new ImapIterator<>(engine, engine.define(x -> x), new Endless(), 1,
                    false, WINDOW);
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> engine.calls.size() == WINDOW
                    && engine.calls.stream().allMatch(TaskFuture::isDone));
            it.next();
            it.close();
            assertThat(it.hasNext()).isFalse();
            assertThatThrownBy(it::next).isInstanceOf(java.util.NoSuchElementException.class);
        } finally {
            pool.terminate();
        }
    }

    @Test
    void next_withANullTimeout_throwsNullPointerException_asTheLibrarysOtherTimedCallsDo_andLosesNothing()
            throws Exception {
        ThreadPool pool = ThreadPool.create(2);
        try {
            for (boolean ordered : new boolean[] {true, false}) {
                for (int chunkSize : new int[] {1, 2}) {
                    try (ResultIterator<Integer> it = ordered ? pool.imap(x -> x, List.of(1, 2, 3, 4), chunkSize)
                            : pool.imapUnordered(x -> x, List.of(1, 2, 3, 4), chunkSize)) {
                        String mode = (ordered ? "imap" : "imapUnordered") + ", chunks of " + chunkSize;
                        List<Integer> results = new ArrayList<>();
                        results.add(it.next()); // with chunks of 2, its partner now waits in the iterator
                        assertThatThrownBy(() -> it.next(null)).as(mode).isInstanceOf(NullPointerException.class)
                                .hasMessage("timeout");
                        while (it.hasNext()) {
                            results.add(it.next(Delays.seconds(30)));
                        }
                        assertThat(results).as(mode).containsExactlyInAnyOrder(1, 2, 3, 4);
                    }
                }
            }
        } finally {
            pool.terminate();
        }
    }

    @Test
    void close_midChunk_dropsTheChunksOtherResults_asItDropsEveryResultNotYetHandedOut() {
        ThreadPool pool = ThreadPool.create(2);
        try {
            for (boolean ordered : new boolean[] {true, false}) {
                ResultIterator<Integer> it = ordered ? pool.imap(x -> x, upTo(10), 5)
                        : pool.imapUnordered(x -> x, upTo(10), 5);
                String mode = ordered ? "imap" : "imapUnordered";
                assertThat(it.next()).as(mode).isIn(0, 5); // the other four of its chunk wait in the iterator
                it.close();
                assertThat(it.hasNext()).as("%s: hasNext() after close()", mode).isFalse();
                assertThatThrownBy(it::next).as(mode).isInstanceOf(java.util.NoSuchElementException.class);
                assertThatThrownBy(() -> it.next(Delays.seconds(30))).as(mode)
                        .isInstanceOf(java.util.NoSuchElementException.class);
            }
        } finally {
            pool.terminate();
        }
    }

    @Test
    void close_fromAnotherThread_endsAConsumerWaitingInNext_withNoSuchElementException() throws Exception {
        ThreadPool pool = ThreadPool.create(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            for (boolean ordered : new boolean[] {true, false}) {
                SerializableFunction<Integer, Integer> never = x -> {
                    awaitQuietly(release);
                    return x;
                };
                ResultIterator<Integer> it = ordered ? pool.imap(never, upTo(3)) : pool.imapUnordered(never, upTo(3));
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                Thread consumer = Thread.ofPlatform().start(() -> {
                    try {
                        thrown.set(new AssertionError("next() returned " + it.next()));
                    } catch (Throwable e) {
                        thrown.set(e);
                    }
                });
                it.close(); // whether the consumer already waits or not yet, it ends the same way
                consumer.join(Delays.seconds(30).toMillis());
                assertThat(consumer.isAlive()).as("still waits after close()").isFalse();
                assertThat(thrown.get()).isInstanceOf(java.util.NoSuchElementException.class);
                assertThat(it.hasNext()).isFalse();
            }
        } finally {
            release.countDown();
            pool.terminate();
        }
    }

    private static List<Integer> upTo(int n) {
        return PoolContract.range(n);
    }
}

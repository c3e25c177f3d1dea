package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.multiprocessing4j.testing.Delays;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BoundedMapTest {

    /** Counts calls in flight and keeps the high-water mark. */
    private static final class InFlight {
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger max = new AtomicInteger();

        void enter() {
            max.accumulateAndGet(now.incrementAndGet(), Math::max);
        }

        void leave() {
            now.decrementAndGet();
        }
    }

    @Test
    void map_neverHasMoreThanMaxConcurrencyCallsInFlight_andReturnsTheResultsInOrder() throws Exception {
        int limit = 7;
        InFlight inFlight = new InFlight();
        List<Integer> items = IntStream.range(0, 400).boxed().toList();
        List<Integer> results = Coroutines.map(n -> {
            inFlight.enter();
            try {
                Thread.sleep(ThreadLocalRandom.current().nextInt(1, 4));
                return n * 2;
            } finally {
                inFlight.leave();
            }
        }, items, limit);
        assertThat(results).containsExactlyElementsOf(items.stream().map(n -> n * 2).toList());
        assertThat(inFlight.max.get()).as("high-water mark of calls in flight").isEqualTo(limit);
        assertThat(inFlight.now).hasValue(0);
    }

    @Test
    void map_withMaxConcurrencyOne_runsTheCallsOneAfterAnother() throws Exception {
        InFlight inFlight = new InFlight();
        Coroutines.map(n -> {
            inFlight.enter();
            try {
                Thread.sleep(1);
                return n;
            } finally {
                inFlight.leave();
            }
        }, List.of(1, 2, 3, 4, 5), 1);
        assertThat(inFlight.max).hasValue(1);
    }

    @Test
    void map_readsTheItemsLazily_noFurtherThanTheCallsInFlight() throws Exception {
        int limit = 4;
        AtomicInteger pulled = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        Iterable<Integer> endless = countingForever(pulled);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                Coroutines.map(n -> {
                    release.await();
                    if (n == 10) {
                        throw new IOException("stop at 10");
                    }
                    if (n > 10) {
                        Thread.sleep(60_000); // holds its permit until the failure cancels it
                    }
                    return n;
                }, endless, limit);
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        // every call blocks: the owner pulls limit items (however long a loaded machine takes), then no more
        Awaitility.await().atMost(Delays.seconds(10)).until(() -> pulled.get() >= limit);
        Thread.sleep(Delays.millis(100));
        assertThat(pulled).as("items pulled while every call is blocked").hasValue(limit);
        release.countDown();
        caller.join(Delays.seconds(10));
        assertThat(outcome.get()).isInstanceOf(TaskGroupException.class).hasRootCauseMessage("stop at 10");
        // Items after the 10th may be read while it runs, but they hold their permits until the failure
        // cancels them, and the 10th gives its permit back only once the group knows of its failure: so at
        // most limit - 1 items past it are read, whatever the timing, and reading stops there.
        int afterFailure = pulled.get();
        Thread.sleep(Delays.millis(200));
        assertThat(pulled.get()).as("an endless input stops being read after the failure").isEqualTo(afterFailure)
                .isBetween(10, 10 + limit - 1);
    }

    @Test
    void map_whenACallFails_cancelsTheCallsInFlightAndThrowsTaskGroupException() {
        InFlight inFlight = new InFlight();
        TaskGroupException e = catchThrowableOfType(TaskGroupException.class, () -> Coroutines.map(n -> {
            inFlight.enter();
            try {
                if (n == 3) {
                    throw new IllegalStateException("item 3");
                }
                Thread.sleep(60_000);
                return n;
            } finally {
                inFlight.leave();
            }
        }, List.of(1, 2, 3, 4, 5, 6), 3));
        assertThat(e).hasCauseInstanceOf(IllegalStateException.class).hasRootCauseMessage("item 3");
        assertThat(inFlight.now).as("nothing is left running").hasValue(0);
    }

    @Test
    void map_ofNothing_returnsAnEmptyList() throws Exception {
        assertThat(Coroutines.map(n -> n, List.<Integer>of(), 3)).isEmpty();
    }

    @Test
    void map_readsTheItemsOnTheCallingThread() throws Exception {
        Set<Thread> readers = ConcurrentHashMap.newKeySet();
        Iterable<Integer> items = () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                readers.add(Thread.currentThread());
                return next < 20;
            }

            @Override
            public Integer next() {
                readers.add(Thread.currentThread());
                return next++;
            }
        };

        List<Integer> doubled = Coroutines.map(n -> {
            Thread.sleep(1); // the calls end while the caller is between reads
            return 2 * n;
        }, items, 3);

        assertThat(doubled).hasSize(20).startsWith(0, 2, 4).endsWith(38);
        assertThat(readers).containsExactly(Thread.currentThread());
    }

    @Test
    void map_returnsAnUnmodifiableList_thatMayContainNulls() throws Exception {
        List<String> results = Coroutines.map(n -> n % 2 == 0 ? null : "odd " + n, List.of(1, 2, 3), 2);

        assertThat(results).containsExactly("odd 1", null, "odd 3");
        assertThatThrownBy(() -> results.set(1, "two")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void map_rejectsAMaxConcurrencyBelowOne() {
        assertThatThrownBy(() -> Coroutines.map(n -> n, List.of(1), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxConcurrency < 1: 0");
    }

    @Test
    void aFailure_stopsReadingTheItems_noneIsPulledAfterIt() {
        for (int round = 0; round < 50; round++) {
            AtomicInteger pulled = new AtomicInteger();
            Iterable<Integer> endless = countingForever(pulled);
            assertThatThrownBy(() -> Coroutines.map(n -> {
                throw new IOException("item " + n);
            }, endless, 1)).as("round %d", round).isInstanceOf(TaskGroupException.class)
                    .hasRootCauseMessage("item 1");
            assertThat(pulled).as("items pulled, round %d: the one that failed and no other", round).hasValue(1);
        }
    }

    @Test
    @Timeout(60)
    void whenTheInputFailsAtTheInterruptOfACallsFailure_bothAreReported() {
        // Once the input failed with the calls' failures attached. A call that fails while the owner reads
        // now interrupts the read (as Python's TaskGroup cancels its parent task), so the input that throws
        // then fails because of it: the group's exception is thrown and the input's is attached, as Python
        // puts the body's exception into the TaskGroup's ExceptionGroup.
        IOException callFailure = new IOException("call B failed");
        IllegalStateException inputFailure = new IllegalStateException("the input broke");
        CountDownLatch ownerInThirdHasNext = new CountDownLatch(1);
        CountDownLatch aCancelled = new CountDownLatch(1);
        Iterable<String> items = () -> new Iterator<>() {
            int read;

            @Override
            public boolean hasNext() {
                if (read < 2) {
                    return true;
                }
                ownerInThirdHasNext.countDown();
                try {
                    new CountDownLatch(1).await(); // until B's failure interrupts the owner
                } catch (InterruptedException e) {
                    throw inputFailure;
                }
                throw new AssertionError("unreachable");
            }

            @Override
            public String next() {
                return read++ == 0 ? "A" : "B";
            }
        };
        Throwable thrown = catchThrowable(() -> Coroutines.map(item -> {
            if (item.equals("A")) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    aCancelled.countDown();
                    throw e;
                }
                return item;
            }
            ownerInThirdHasNext.await();
            throw callFailure;
        }, items, 3));
        assertThat(thrown).isInstanceOf(TaskGroupException.class).hasMessageStartingWith("1 of 2 tasks failed")
                .hasCause(callFailure);
        assertThat(thrown.getSuppressed()).as("the failure of the input is not lost").containsExactly(inputFailure);
        assertThat(aCancelled.getCount()).as("call A was cancelled").isZero();
        assertThat(Thread.currentThread().isInterrupted()).as("the interrupt of the read was taken back").isFalse();
    }

    @Test
    void whenTheOwnerIsInterruptedAgainWhileTheMapUnwinds_itThrowsInterruptedException_withTheStatusCleared()
            throws Exception {
        // one permit: while call 1 runs, the owner waits for the permit of call 2
        SecondInterrupt.assertInterruptedExceptionWithTheStatusCleared(
                call -> Coroutines.map(n -> call.call(), List.of(1, 2), 1));
    }

    @Test
    @Timeout(30)
    void aFailure_neverLeavesTheOwnerWaitingForAPermit_ofATaskCancelledBeforeItRan() throws Exception {
        // With one permit: the first call fails; if the owner spawns the next task before the failure has
        // cancelled the group, the cancel pass can stop that task before it runs its function. Its permit
        // must come back anyway, or map() waits forever (it did, within a few rounds, before the fix).
        for (int round = 0; round < 300; round++) {
            assertThatThrownBy(() -> Coroutines.map(n -> {
                if (n == 0) {
                    throw new IllegalStateException("boom");
                }
                return n;
            }, List.of(0, 1, 2, 3, 4, 5), 1)).as("round %d", round).hasRootCauseMessage("boom");
        }
    }

    @Test
    @Timeout(60)
    void aFailure_endsMapPromptly_whileTheOwnerBlocksInTheInput_andCountsOnlyTheCallsThatRan() throws Exception {
        // Python: a TaskGroup cancels its parent task when a child fails, so an `async for` blocked in the
        // input ends at once and the ExceptionGroup holds the one failure. Here the owner waited in the input
        // until it yielded another item, read it, had its spawn refused, and counted it: "1 of 3 tasks failed".
        LinkedBlockingQueue<Integer> queue = new LinkedBlockingQueue<>(List.of(1, 2));
        CountDownLatch ownerBlocked = new CountDownLatch(1);
        CountDownLatch call1Cancelled = new CountDownLatch(1);
        Iterable<Integer> blocking = () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                if (queue.isEmpty()) {
                    ownerBlocked.countDown();
                }
                try {
                    return queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // as a well-behaved Iterator does: it cannot throw it
                    throw new IllegalStateException("interrupted while waiting for the next item", e);
                }
            }
        };
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                Coroutines.map(n -> {
                    if (n == 1) {
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException e) {
                            call1Cancelled.countDown();
                            throw e;
                        }
                    }
                    ownerBlocked.await(); // fails only once the owner waits in the input
                    throw new IOException("item " + n);
                }, blocking, 3);
            } catch (Throwable e) {
                outcome.set(e);
            }
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        });
        boolean ended = caller.join(Delays.seconds(20));
        if (!ended) {
            queue.add(3); // let the old code finish, so that the assertions below can say what it did
            caller.join(Delays.seconds(20));
        }
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(ended).as("map() ended while the input was still blocked").isTrue();
        soft.assertThat(outcome.get()).isInstanceOf(TaskGroupException.class).hasMessageStartingWith("1 of 2 tasks failed")
                .hasRootCauseMessage("item 2");
        soft.assertThat(call1Cancelled.getCount()).as("the call in flight was cancelled").isZero();
        soft.assertThat(outcome.get().getSuppressed()).as("what the interrupted input threw is not lost")
                .anySatisfy(s -> assertThat(s).hasMessage("interrupted while waiting for the next item"));
        soft.assertThat(interruptedAfter.get()).as("the caller's interrupt status after map()").isFalse();
        soft.assertThat(queue).as("nothing was read after the failure").isEmpty();
        soft.assertAll();
    }

    @Test
    @Timeout(120)
    void aFailureAtAnyMomentOfTheRead_neverLeavesAnInterruptBehind() {
        // The failure's interrupt may reach the owner before, inside or after the input's next(), or not at
        // all; whatever the input makes of it (throws, or swallows it and returns an item), map ends with the
        // call's failure and the caller's interrupt status clear. Timings vary with a fixed seed.
        Random random = new Random(20_261_126L);
        for (int round = 0; round < 300; round++) {
            int spinsInNext = random.nextInt(2_000);
            int spinsInCall = random.nextInt(2_000);
            boolean throwsWhenInterrupted = random.nextBoolean();
            AtomicInteger pulled = new AtomicInteger();
            Iterable<Integer> items = () -> new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public Integer next() {
                    for (int i = 0; i < spinsInNext; i++) {
                        Thread.onSpinWait();
                    }
                    if (Thread.currentThread().isInterrupted() && throwsWhenInterrupted) {
                        throw new IllegalStateException("interrupted");
                    }
                    return pulled.incrementAndGet(); // otherwise the interrupt is left pending, as some inputs do
                }
            };
            int r = round;
            Throwable thrown = catchThrowable(() -> Coroutines.map(n -> {
                for (int i = 0; i < spinsInCall; i++) {
                    Thread.onSpinWait();
                }
                if (n == 2) {
                    throw new IOException("item 2");
                }
                Thread.sleep(60_000);
                return n;
            }, items, 3));
            assertThat(thrown).as("round %d", r).isInstanceOf(TaskGroupException.class)
                    .hasRootCauseMessage("item 2");
            assertThat(Thread.currentThread().isInterrupted()).as("round %d: interrupt left behind", r).isFalse();
        }
    }

    @Test
    void aSpawnRefusedAfterAFailure_isNotCountedAmongTheTasks() throws Exception {
        // map's race in small: the owner read an item, a call failed, and the item's spawn was refused; the
        // message said "1 of 2 tasks failed" of a group that started one task.
        TaskGroupImpl group = TaskGroupImpl.open(true, null);
        Task<String> failing = group.trySpawn(() -> {
            throw new IOException("boom");
        });
        assertThat(catchThrowable(failing::get)).hasRootCauseMessage("boom"); // the group is cancelled by then
        assertThat(group.<String>trySpawn(() -> "late")).isNull();
        assertThatThrownBy(() -> group.closeInterruptibly(true)).isInstanceOf(TaskGroupException.class)
                .hasMessageStartingWith("1 of 1 task failed");
    }

    /** 1, 2, 3, ... without end; {@code pulled} counts the items taken. */
    private static Iterable<Integer> countingForever(AtomicInteger pulled) {
        return () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                return pulled.incrementAndGet();
            }
        };
    }
}

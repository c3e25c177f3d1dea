package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.Delays;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** asCompleted and await (asyncio.as_completed and asyncio.wait). */
class AwaitTest {

    @Test
    void asCompleted_handsOutTheTasksInTheOrderTheyComplete() throws Exception {
        CountDownLatch releaseB = new CountDownLatch(1);
        CountDownLatch releaseA = new CountDownLatch(1);
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> a = group.spawn(() -> {
                releaseA.await();
                return "a";
            });
            Task<String> b = group.spawn(() -> {
                releaseB.await();
                return "b";
            });
            Task<String> c = group.spawn(() -> "c");
            try {
                Completions<String> done = Coroutines.asCompleted(List.of(a, b, c));
                assertThat(done.next()).isSameAs(c);
                releaseB.countDown();
                assertThat(done.next()).isSameAs(b);
                assertThatThrownBy(() -> done.next(Delays.millis(30))).isInstanceOf(TimeoutException.class)
                        .hasMessageContaining("1 not handed out yet");
                assertThat(done.hasNext()).isTrue();
                releaseA.countDown();
                assertThat(done.next(Delays.seconds(10))).isSameAs(a);
                assertThat(done.hasNext()).isFalse();
                assertThatThrownBy(done::next).isInstanceOf(NoSuchElementException.class);
            } finally {
                releaseA.countDown(); // a failed assertion must not leave the group waiting for its tasks
                releaseB.countDown();
            }
        }
    }

    @Test
    void asCompleted_handsOutATaskGivenTwiceOnlyOnce() throws Exception {
        // as asyncio.as_completed, which makes a set of its futures
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> a = group.spawn(() -> "a");
            Task<String> b = group.spawn(() -> "b");
            Completions<String> done = Coroutines.asCompleted(List.of(a, b, a));
            List<Task<String>> handedOut = List.of(done.next(), done.next());

            assertThat(handedOut).containsExactlyInAnyOrder(a, b);
            assertThat(done.hasNext()).isFalse();
            assertThatThrownBy(() -> done.next(Duration.ZERO)).isInstanceOf(NoSuchElementException.class);
        }
    }

    @Test
    void await_listsATaskGivenTwiceOnlyOnce() throws Exception {
        // as asyncio.wait, which makes a set of its futures; and as asCompleted does
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> a = group.spawn(() -> "a");
            Task<String> b = returnsOnRelease(group, release, "b");
            try {
                WaitResult<String> first = Coroutines.await(List.of(a, b, a, b), WaitMode.FIRST_COMPLETED);
                assertThat(first.done()).containsExactly(a);
                assertThat(first.pending()).containsExactly(b);

                WaitResult<String> looked = Coroutines.await(List.of(b, a, b), WaitMode.ALL_COMPLETED, Duration.ZERO);
                assertThat(looked.done()).containsExactly(a);
                assertThat(looked.pending()).containsExactly(b);
            } finally {
                release.countDown();
            }
            WaitResult<String> all = Coroutines.await(List.of(a, b, a), WaitMode.ALL_COMPLETED);
            assertThat(all.done()).containsExactly(a, b);
            assertThat(all.pending()).isEmpty();
        }
    }

    @Test
    void asCompleted_nextWithZeroTimeout_takesOnlyATaskThatIsAlreadyComplete() throws Exception {
        // Many rounds: get() returns before the task's completion listeners have run, and a task that a
        // caller has seen done must be handed out at once all the same (it was not, in a third of the rounds).
        for (int round = 0; round < 500; round++) {
            try (TaskGroup group = TaskGroup.open()) {
                Task<String> t = group.spawn(() -> "x");
                t.get();
                Completions<String> done = Coroutines.asCompleted(List.of(t));
                assertThat(done.next(Duration.ZERO)).as("round %d", round).isSameAs(t);
            }
        }
    }

    @Test
    void asCompleted_whenTheTimeoutElapses_stillHandsOutATaskThatIsDone_whoseListenersHaveNotRunYet()
            throws Exception {
        // FutureTask wakes the callers of get() before done() runs the completion listeners, so a task can be
        // done (and seen done) while the Completions made before it completed has not heard of it yet. A
        // listener registered first, which waits, holds that window open: next(ZERO) threw TimeoutException
        // for a task already complete, as it did by chance in about one round in twelve without the hold.
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch listenersMayRun = new CountDownLatch(1);
        CountDownLatch releaseB = new CountDownLatch(1);
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> a = group.spawn(() -> {
                go.await();
                return "a";
            });
            Task<String> b = group.spawn(() -> {
                releaseB.await();
                return "b";
            });
            try {
                ((TaskImpl<String>) a).whenDone(() -> awaitUninterruptibly(listenersMayRun));
                Completions<String> done = Coroutines.asCompleted(List.of(a, b));
                go.countDown();
                assertThat(a.get()).isEqualTo("a");

                assertThat(done.next(Duration.ZERO)).as("a task that is done").isSameAs(a);
                assertThatThrownBy(() -> done.next(Delays.millis(20))).isInstanceOf(TimeoutException.class)
                        .hasMessageContaining("1 not handed out yet");
                listenersMayRun.countDown(); // a's listener now tells the Completions: it must not hand a out again
                releaseB.countDown();
                assertThat(done.next(Delays.seconds(10))).isSameAs(b);
                assertThat(done.hasNext()).isFalse();
                assertThatThrownBy(done::next).isInstanceOf(NoSuchElementException.class);
            } finally {
                go.countDown();
                listenersMayRun.countDown();
                releaseB.countDown();
            }
        }
    }

    @Test
    void asCompleted_withConcurrentConsumers_handsOutEveryTaskExactlyOnce() throws Exception {
        // Consumers that block, poll with a zero timeout and poll with a short one, while the tasks complete
        // in a shuffled order (fixed seed): every task comes out once, none twice, none lost.
        Random random = new Random(20_261_126L);
        for (int round = 0; round < 20; round++) {
            int n = 300;
            List<CountDownLatch> releases = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                releases.add(new CountDownLatch(1));
            }
            Queue<Task<Integer>> handedOut = new ConcurrentLinkedQueue<>();
            try (TaskGroup group = TaskGroup.open()) {
                List<Task<Integer>> tasks = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    CountDownLatch release = releases.get(i);
                    int value = i;
                    tasks.add(group.spawn(() -> {
                        release.await();
                        return value;
                    }));
                }
                Completions<Integer> done = Coroutines.asCompleted(tasks);
                List<Thread> consumers = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    int mode = c % 3;
                    consumers.add(Thread.ofVirtual().start(() -> {
                        for (;;) {
                            try {
                                handedOut.add(switch (mode) {
                                    case 0 -> done.next();
                                    case 1 -> done.next(Duration.ZERO);
                                    default -> done.next(Duration.ofMillis(1));
                                });
                            } catch (TimeoutException e) {
                                Thread.yield();
                            } catch (NoSuchElementException | InterruptedException e) {
                                return;
                            }
                        }
                    }));
                }
                List<CountDownLatch> order = new ArrayList<>(releases);
                Collections.shuffle(order, random);
                order.forEach(CountDownLatch::countDown);
                for (Thread consumer : consumers) {
                    assertThat(consumer.join(Delays.seconds(30))).as("round %d: consumer ended", round).isTrue();
                }
                assertThat(handedOut).as("round %d", round).hasSize(n).containsExactlyInAnyOrderElementsOf(tasks);
            } finally {
                releases.forEach(CountDownLatch::countDown);
            }
        }
    }

    @Test
    void asCompleted_aConsumerThatComesWhileAnotherWaits_waitsToo_andGetsTheTaskTheOtherGaveUp() throws Exception {
        // Before: a next() that came while another caller waited for the last task not handed out threw
        // NoSuchElementException ("every task has been handed out") although none had been, and when the first
        // caller gave up (interrupt, timeout), the task was left to nobody.
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> task = returnsOnRelease(group, release, "done");
            Completions<String> done = Coroutines.asCompleted(List.of(task));
            Thread first = Thread.ofPlatform().start(() -> {
                try {
                    done.next();
                } catch (InterruptedException gaveUp) {
                    // no task consumed
                }
            });
            Awaitility.await().atMost(Delays.seconds(10)).until(() -> first.getState() == Thread.State.WAITING);
            AtomicReference<Object> got = new AtomicReference<>();
            Thread second = Thread.ofPlatform().start(() -> {
                try {
                    got.set(done.next());
                } catch (Throwable e) {
                    got.set(e);
                }
            });
            Awaitility.await().atMost(Delays.seconds(10))
                    .until(() -> got.get() != null || second.getState() == Thread.State.WAITING);
            first.interrupt();
            first.join();
            assertThat(done.hasNext()).isTrue();
            release.countDown();
            assertThat(second.join(Delays.seconds(10))).as("the second caller returned").isTrue();
            assertThat(got.get()).isSameAs(task);
        } finally {
            release.countDown();
        }
    }

    @Test
    void asCompleted_callersWaitingWhenTheLastTaskIsHandedOut_getNoSuchElementException() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> task = returnsOnRelease(group, release, "done");
            Completions<String> done = Coroutines.asCompleted(List.of(task));
            Queue<Object> got = new ConcurrentLinkedQueue<>();
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                boolean timed = i == 2;
                callers.add(Thread.ofPlatform().start(() -> {
                    try {
                        got.add(timed ? done.next(Delays.seconds(60)) : done.next());
                    } catch (Throwable e) {
                        got.add(e);
                    }
                }));
            }
            release.countDown();
            for (Thread caller : callers) {
                assertThat(caller.join(Delays.seconds(10))).as("every caller returned").isTrue();
            }
            assertThat(got).hasSize(3).containsOnlyOnce(task);
            assertThat(got.stream().filter(o -> o != task)).allMatch(o -> o instanceof NoSuchElementException);
            assertThat(done.hasNext()).isFalse();
        } finally {
            release.countDown();
        }
    }

    @Test
    void asCompleted_pollingALongRunningTask_doesNotPileUpListenersOnIt() throws Exception {
        // A polling loop, asCompleted(tasks).next(timeout), made a Completions per turn, and each left a listener
        // on every task (holding that Completions, its queue and its copy of the list) until the task ended.
        // Python's as_completed removes its done-callbacks on its timeout; here an abandoned Completions is
        // held weakly by its listeners, and a task drops such dead listeners as it gets a new one.
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> slow = returnsOnRelease(group, release, "slow");
            TaskImpl<String> impl = (TaskImpl<String>) slow;
            try {
                for (int i = 0; i < 1_000; i++) {
                    assertThatThrownBy(() -> Coroutines.asCompleted(List.of(slow)).next(Duration.ZERO))
                            .isInstanceOf(TimeoutException.class);
                }
                Awaitility.await().atMost(Delays.seconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    System.gc(); // the abandoned Completions are garbage: nothing must keep them
                    Coroutines.asCompleted(List.of(slow)); // registering drops the listeners of collected ones
                    return impl.listenerCount() < 10;
                });
                // a Completions still held goes on working
                Completions<String> held = Coroutines.asCompleted(List.of(slow));
                System.gc();
                Coroutines.asCompleted(List.of(slow));
                release.countDown();
                assertThat(held.next(Delays.seconds(10))).isSameAs(slow);
            } finally {
                release.countDown();
            }
        }
    }

    /** A task of {@code group} that returns {@code value} once {@code release} is counted down. */
    private static Task<String> returnsOnRelease(TaskGroup group, CountDownLatch release, String value) {
        return group.spawn(() -> {
            release.await();
            return value;
        });
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        for (;;) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // the listener runs on the completing thread; only the test releases it
            }
        }
    }

    @Test
    void awaitAndAsCompleted_takeTasksOfDifferentTypesTogether_asAsyncioTakesAnyAwaitables() throws Exception {
        // asyncio.wait({user_task, orders_task}): the tasks need not have one value type; here T is their common
        // supertype. Before, neither call compiled with a Task<String> and a Task<Integer> in one list.
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> user = group.spawn(() -> "ada");
            Task<Integer> orders = group.spawn(() -> 3);
            WaitResult<Object> all = Coroutines.await(List.of(user, orders), WaitMode.ALL_COMPLETED);
            assertThat(all.done().contains(user) && all.done().contains(orders)).isTrue();
            assertThat(all.done().get(1).resultNow()).isEqualTo(3);
            assertThat(Coroutines.await(List.of(user, orders), WaitMode.FIRST_COMPLETED, Duration.ZERO).pending())
                    .isEmpty();
            Completions<Object> done = Coroutines.asCompleted(List.of(user, orders));
            List<Object> values = new ArrayList<>();
            while (done.hasNext()) {
                values.add(done.next().resultNow());
            }
            assertThat(values).containsExactlyInAnyOrder("ada", 3);
        }
    }

    @Test
    void await_firstCompleted_returnsAsSoonAsOneIsDone_withoutCancellingTheRest() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> slow = returnsOnRelease(group, release, "slow");
            Task<String> fast = group.spawn(() -> "fast");
            try {
                WaitResult<String> r = Coroutines.await(List.of(slow, fast), WaitMode.FIRST_COMPLETED);
                assertThat(r.done()).containsExactly(fast);
                assertThat(r.pending()).containsExactly(slow);
                assertThat(slow.isDone()).isFalse();
            } finally {
                release.countDown(); // also when an assertion failed: closing the group waits for slow
            }
        }
    }

    @Test
    void await_firstException_returnsOnAFailure_butNotOnACancellation() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch failNow = new CountDownLatch(1);
        assertThatThrownBy(() -> {
            try (TaskGroup group = TaskGroup.open()) {
                Task<String> slow = returnsOnRelease(group, release, "slow");
                Task<String> cancelled = group.spawn(() -> {
                    Thread.sleep(60_000);
                    return "never";
                });
                Task<String> failing = group.spawn(() -> {
                    failNow.await();
                    throw new IllegalStateException("boom");
                });
                try {
                    cancelled.cancel(true);
                    WaitResult<String> r = Coroutines.await(List.of(slow, cancelled, failing), WaitMode.FIRST_EXCEPTION,
                            Delays.millis(100));
                    assertThat(r.done()).as("a cancellation alone does not end the wait").containsExactly(cancelled);
                    failNow.countDown();
                    r = Coroutines.await(List.of(slow, cancelled, failing), WaitMode.FIRST_EXCEPTION);
                    assertThat(r.done()).contains(cancelled, failing);
                } finally {
                    failNow.countDown(); // also when an assertion failed: closing the group waits for its tasks
                    release.countDown();
                }
            }
        }).isInstanceOf(TaskGroupException.class);
    }

    @Test
    void await_allCompleted_returnsWhenEveryTaskIsDone() throws Exception {
        try (TaskGroup group = TaskGroup.open()) {
            Task<Integer> a = group.spawn(() -> {
                Thread.sleep(Delays.millis(30));
                return 1;
            });
            Task<Integer> b = group.spawn(() -> 2);
            WaitResult<Integer> r = Coroutines.await(List.of(a, b), WaitMode.ALL_COMPLETED);
            assertThat(r.done()).containsExactly(a, b);
            assertThat(r.pending()).isEmpty();
        }
    }

    @Test
    void await_whenTheTimeoutElapses_returnsWhatIsDoneSoFar_andAZeroTimeoutOnlyLooks() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> slow = returnsOnRelease(group, release, "slow");
            Task<String> fast = group.spawn(() -> "fast");
            try {
                fast.get();
                WaitResult<String> r = Coroutines.await(List.of(slow, fast), WaitMode.ALL_COMPLETED, Delays.millis(50));
                assertThat(r.done()).containsExactly(fast);
                assertThat(r.pending()).containsExactly(slow);
                r = Coroutines.await(List.of(slow, fast), WaitMode.ALL_COMPLETED, Duration.ZERO);
                assertThat(r.pending()).containsExactly(slow);
            } finally {
                release.countDown(); // also when an assertion failed: closing the group waits for slow
            }
        }
    }

    @Test
    void await_withAZeroTimeout_stillTakesAPendingInterrupt_soAPollingTaskSeesItsCancellation() throws Exception {
        // A zero timeout skipped the latch altogether and so never looked at the interrupt status, where a
        // timeout of 1 ns threw (CountDownLatch.await does on entry), as Completions.next(ZERO) and
        // Event.await(ZERO) do: a cancelled task polling with await(tasks, mode, ZERO) between steps of its own
        // work never saw its cancellation, and its group's close() waited for it.
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean sawCancellation = new AtomicBoolean();
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> slow = returnsOnRelease(group, release, "slow");
            try {
                Thread.currentThread().interrupt();
                assertThatThrownBy(() -> Coroutines.await(List.of(slow), WaitMode.FIRST_COMPLETED, Duration.ZERO))
                        .isInstanceOf(InterruptedException.class);
                assertThat(Thread.interrupted()).isFalse();

                CountDownLatch polling = new CountDownLatch(1);
                CountDownLatch pollerEnded = new CountDownLatch(1);
                long giveUp = System.nanoTime() + Delays.seconds(10).toNanos();
                Task<String> poller = group.spawn(() -> {
                    try {
                        while (System.nanoTime() < giveUp) {
                            polling.countDown();
                            WaitResult<String> r = Coroutines.await(List.of(slow), WaitMode.FIRST_COMPLETED,
                                    Duration.ZERO);
                            if (!r.done().isEmpty()) {
                                return "slow is done";
                            }
                        }
                        return "never saw its cancellation";
                    } catch (InterruptedException e) {
                        sawCancellation.set(true);
                        throw e;
                    } finally {
                        pollerEnded.countDown();
                    }
                });
                assertThat(polling.await(10, TimeUnit.SECONDS)).isTrue();
                poller.cancel(true);
                // slow stays pending until the poller has ended: were it done, the poller could return on seeing
                // it, before it looked at the interrupt
                assertThat(pollerEnded.await(20, TimeUnit.SECONDS)).isTrue();
            } finally {
                release.countDown(); // also when an assertion failed: closing the group waits for slow
            }
        }
        assertThat(sawCancellation).isTrue();
    }

    @Test
    void asCompletedAndAwait_nameTheNullTheyReject() throws Exception {
        // Before: a null task was rejected by List.copyOf, with a NullPointerException without a message.
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> task = group.spawn(() -> "done");
            List<Task<String>> withNull = Arrays.asList(task, null);
            assertThatThrownBy(() -> Coroutines.asCompleted(withNull))
                    .isInstanceOf(NullPointerException.class).hasMessage("tasks contains null");
            assertThatThrownBy(() -> Coroutines.await(withNull, WaitMode.ALL_COMPLETED))
                    .isInstanceOf(NullPointerException.class).hasMessage("tasks contains null");
            assertThatThrownBy(() -> Coroutines.await(withNull, WaitMode.ALL_COMPLETED, Duration.ZERO))
                    .isInstanceOf(NullPointerException.class).hasMessage("tasks contains null");
            assertThatThrownBy(() -> Coroutines.asCompleted(null))
                    .isInstanceOf(NullPointerException.class).hasMessage("tasks");
            assertThatThrownBy(() -> Coroutines.await(null, WaitMode.ALL_COMPLETED))
                    .isInstanceOf(NullPointerException.class).hasMessage("tasks");
        }
    }

    @Test
    void asCompletedAndAwait_withTimeoutsAsLongOrAsNegativeAsADurationGoes_waitOrOnlyLook() throws Exception {
        Duration forever = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
        Duration past = Duration.ofSeconds(Long.MIN_VALUE);
        CountDownLatch go = new CountDownLatch(1);
        try (TaskGroup group = TaskGroup.open()) {
            Task<Integer> a = group.spawn(() -> {
                go.await();
                return 1;
            });
            Task<Integer> b = group.spawn(() -> {
                go.await();
                return 2;
            });
            assertThat(Coroutines.await(List.of(a, b), WaitMode.ALL_COMPLETED, past).pending()).containsExactly(a, b);
            assertThatThrownBy(() -> Coroutines.asCompleted(List.of(a)).next(past)).isInstanceOf(TimeoutException.class);
            go.countDown();
            assertThat(Coroutines.asCompleted(List.of(a)).next(forever)).isSameAs(a);
            assertThat(Coroutines.await(List.of(a, b), WaitMode.ALL_COMPLETED, forever).done()).containsExactly(a, b);
        }
    }

    @Test
    void await_anEmptyCollection_returnsAtOnce() throws Exception {
        WaitResult<Object> r = Coroutines.await(List.of(), WaitMode.FIRST_COMPLETED);
        assertThat(r.done()).isEmpty();
        assertThat(r.pending()).isEmpty();
    }

    @Test
    void anInterruptBeforeTheWait_isThrown_evenWhenATaskIsCompleteAlready_andConsumesNoTask() throws Exception {
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> done = group.spawn(() -> "done");
            Awaitility.await().atMost(Delays.seconds(10)).until(done::isDone);

            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> Coroutines.await(List.of(done), WaitMode.ALL_COMPLETED))
                    .isInstanceOf(InterruptedException.class);
            assertThat(Thread.interrupted()).isFalse();

            Completions<String> completions = Coroutines.asCompleted(List.of(done, done));
            Thread.currentThread().interrupt();
            assertThatThrownBy(completions::next).isInstanceOf(InterruptedException.class);
            assertThat(Thread.interrupted()).isFalse();
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> completions.next(Duration.ZERO)).isInstanceOf(InterruptedException.class);
            assertThat(Thread.interrupted()).isFalse();

            assertThat(completions.next(Duration.ZERO)).as("no task was consumed").isSameAs(done);
            assertThat(completions.hasNext()).isFalse();
            Thread.currentThread().interrupt();
            assertThat(Coroutines.await(List.<Task<String>>of(), WaitMode.ALL_COMPLETED, Duration.ZERO).done())
                    .as("an empty collection returns at once").isEmpty();
            assertThat(Thread.interrupted()).as("and leaves the interrupt pending").isTrue();
        }
    }

    @Test
    void await_listsTheTasksInTheOrderGiven_notOfCompletion_inUnmodifiableLists() throws Exception {
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> first = group.spawn(() -> {
                releaseFirst.await();
                return "first";
            });
            Task<String> second = group.spawn(() -> "second");
            Task<String> pending = group.spawn(() -> {
                never.await();
                return "never";
            });
            Task<String> third = group.spawn(() -> "third");
            try {
                Awaitility.await().atMost(Delays.seconds(10)).until(() -> second.isDone() && third.isDone());
                releaseFirst.countDown(); // completes after second and third
                Awaitility.await().atMost(Delays.seconds(10)).until(first::isDone);

                WaitResult<String> r = Coroutines.await(List.of(first, second, pending, third),
                        WaitMode.ALL_COMPLETED, Duration.ZERO);

                assertThat(r.done()).containsExactly(first, second, third);
                assertThat(r.pending()).containsExactly(pending);
                assertThatThrownBy(() -> r.done().add(pending)).isInstanceOf(UnsupportedOperationException.class);
                assertThatThrownBy(() -> r.pending().clear()).isInstanceOf(UnsupportedOperationException.class);
            } finally {
                releaseFirst.countDown();
                never.countDown();
            }
        }
    }
}

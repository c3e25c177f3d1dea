package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.Delays;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class EventTest {

    @Test
    void set_releasesEveryWaiter_andLaterWaitersReturnAtOnce() throws Exception {
        Event event = Event.create();
        CountDownLatch waiting = new CountDownLatch(5);
        List<Task<Boolean>> waiters = new ArrayList<>();
        try (TaskGroup group = TaskGroup.open()) {
            for (int i = 0; i < 5; i++) {
                waiters.add(group.spawn(() -> {
                    waiting.countDown();
                    event.await();
                    return event.isSet();
                }));
            }
            assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(Delays.millis(20));
            assertThat(waiters).noneMatch(Task::isDone);
            event.set();
        }
        assertThat(waiters).allMatch(t -> t.resultNow());
        event.await(); // set: returns at once
        assertThat(event.await(Duration.ZERO)).isTrue();
    }

    @Test
    void setThenClear_stillReleasesTheThreadsThatWereWaiting() throws Exception {
        Event event = Event.create();
        List<Thread> waiters = new CopyOnWriteArrayList<>();
        try (TaskGroup group = TaskGroup.open()) {
            for (int i = 0; i < 3; i++) {
                group.spawn(() -> {
                    waiters.add(Thread.currentThread());
                    event.await();
                    return null;
                });
            }
            // Every waiter must be waiting before the set: one that came after the clear rightly waits for the
            // next set, and the group would never close (a fixed pause let a slow carrier thread come late).
            awaitWaitingInACondition(waiters, 3);
            event.set();
            event.clear();
        } // would hang (and time out) if a clear() right after set() lost the wake-up
        assertThat(event.isSet()).isFalse();
    }

    @Test
    void setThenClear_releasesEveryWaiter_timedOrNot_inEveryRound() throws Exception {
        // Each round waits until all four waiters are in the condition's queue (read under the event's lock,
        // not guessed with a sleep), then sets and clears at once: a lost wake-up hangs the round.
        for (int round = 0; round < 300; round++) {
            EventImpl event = new EventImpl();
            List<Task<Boolean>> waiters = new ArrayList<>();
            try (TaskGroup group = TaskGroup.open()) {
                for (int i = 0; i < 4; i++) {
                    boolean timed = i % 2 == 1;
                    waiters.add(group.spawn(() -> {
                        if (timed) {
                            return event.await(Duration.ofHours(1));
                        }
                        event.await();
                        return true;
                    }));
                }
                // polled every millisecond: at Awaitility's default 100 ms the 300 rounds took 30 s
                Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                        .atMost(Delays.seconds(10)).until(() -> waitQueueLength(event) == 4);
                event.set();
                event.clear();
            }
            assertThat(waiters).as("round %d", round).allMatch(Task::resultNow);
            assertThat(event.isSet()).isFalse();
        }
    }

    private static int waitQueueLength(EventImpl event) throws ReflectiveOperationException {
        ReentrantLock lock = (ReentrantLock) field("lock").get(event);
        Condition changed = (Condition) field("changed").get(event);
        lock.lock();
        try {
            return lock.getWaitQueueLength(changed);
        } finally {
            lock.unlock();
        }
    }

    private static Field field(String name) throws NoSuchFieldException {
        Field f = EventImpl.class.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    @Test
    void await_withTimeout_returnsFalseWhenNotSetInTime_andZeroOnlyLooks() throws Exception {
        Event event = Event.create();
        long t0 = System.nanoTime();
        assertThat(event.await(Delays.millis(50))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Delays.millis(50));
        assertThat(event.await(Duration.ZERO)).isFalse();
        assertThat(event.await(Duration.ofSeconds(-1))).isFalse();
    }

    @Test
    void await_withATimeoutAsLongOrAsNegativeAsADurationGoes_waitsForTheSet_orOnlyLooks() throws Exception {
        Event event = Event.create();
        assertThat(event.await(Duration.ofSeconds(Long.MIN_VALUE))).isFalse();
        Thread waiter = Thread.currentThread();
        Thread setter = Thread.ofVirtual().start(() -> {
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> waitsInACondition(waiter));
            event.set();
        });
        assertThat(event.await(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999))).isTrue();
        setter.join();
    }

    @Test
    void await_whenInterrupted_throwsAndClearsTheInterruptStatus() {
        Event event = Event.create();
        Thread.currentThread().interrupt();
        assertThatThrownBy(event::await).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
    }

    @Test
    void await_whenInterruptedWhileWaiting_timedOrNot_throwsAndClearsTheInterruptStatus() throws Exception {
        Event event = Event.create();
        List<ThrowingWait> waits = List.of(event::await, () -> event.await(Delays.seconds(60)));
        for (ThrowingWait wait : waits) {
            CopyOnWriteArrayList<Object> outcome = new CopyOnWriteArrayList<>();
            Thread waiter = Thread.ofVirtual().start(() -> {
                try {
                    wait.run();
                    outcome.add("returned");
                } catch (InterruptedException e) {
                    outcome.add(e);
                }
                outcome.add(Thread.currentThread().isInterrupted());
            });
            awaitWaitingInACondition(List.of(waiter), 1);
            waiter.interrupt();
            waiter.join(Delays.seconds(10));

            assertThat(outcome).hasSize(2);
            assertThat(outcome.get(0)).isInstanceOf(InterruptedException.class);
            assertThat(outcome.get(1)).as("interrupt status after the exception").isEqualTo(false);
        }
        assertThat(event.isSet()).isFalse();
    }

    @Test
    void awaitWithATimeout_whenInterruptedBefore_throwsEvenWithAZeroTimeoutOrTheFlagSet() throws Exception {
        Event event = Event.create();
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> event.await(Duration.ZERO)).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();

        event.set();
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> event.await(Delays.seconds(10))).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
        assertThat(event.await(Duration.ZERO)).as("not interrupted: the flag is set").isTrue();
    }

    @FunctionalInterface
    private interface ThrowingWait {
        void run() throws InterruptedException;
    }

    /**
     * Waits until {@code count} threads have been added to {@code threads} and each waits in a
     * {@link java.util.concurrent.locks.Condition}: past the point where {@code await()} has taken its
     * generation, which it does under the lock before it waits.
     */
    private static void awaitWaitingInACondition(List<Thread> threads, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Delays.seconds(10).toNanos();
        while (threads.size() < count || !threads.stream().allMatch(EventTest::waitsInACondition)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("the waiters are not all waiting in Event.await(): " + threads.stream()
                        .map(t -> t + " at " + Arrays.toString(t.getStackTrace())).toList());
            }
            Thread.sleep(1);
        }
    }

    private static boolean waitsInACondition(Thread thread) {
        return Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getClassName().endsWith("$ConditionObject")
                && f.getMethodName().startsWith("await"));
    }
}

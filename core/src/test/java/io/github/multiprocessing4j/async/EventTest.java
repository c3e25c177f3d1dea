package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.Delays;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
        CountDownLatch waiting = new CountDownLatch(3);
        try (TaskGroup group = TaskGroup.open()) {
            for (int i = 0; i < 3; i++) {
                group.spawn(() -> {
                    waiting.countDown();
                    event.await();
                    return null;
                });
            }
            assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(Delays.millis(20));
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
                Awaitility.await().atMost(Delays.seconds(10)).until(() -> waitQueueLength(event) == 4);
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
    void await_whenInterrupted_throwsAndClearsTheInterruptStatus() {
        Event event = Event.create();
        Thread.currentThread().interrupt();
        assertThatThrownBy(event::await).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
    }
}

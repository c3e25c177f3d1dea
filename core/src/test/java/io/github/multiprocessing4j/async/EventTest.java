package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.Delays;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

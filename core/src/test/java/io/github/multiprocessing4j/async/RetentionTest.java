package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Delays;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * What the coroutine layer keeps reachable, for a program that uses it for hours: a group as a server's request
 * scope, a stream of completions, deadlines that are cut short. Each test holds a weak reference to a value that
 * nothing of the caller's holds any more and waits (GC, bounded) for it to be collected.
 */
class RetentionTest {

    @Test
    void openGroup_doesNotKeepTheValuesOfItsEndedTasks_asAsyncioTaskGroupDropsDoneTasks() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroup group = TaskGroup.open()) {
            group.spawn(() -> {
                release.await(); // keeps the group open and alive, a server's request scope
                return null;
            });
            try {
                List<WeakReference<Object>> values = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    values.add(valueOf(group.spawn(Object::new)));
                }
                awaitCollected(values, "values of ended tasks of an open group");
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void completions_doesNotKeepTheTasksItHandedOut_asAsyncioAsCompletedDropsThem() throws Exception {
        // A Completions over a long stream of tasks, drained as they complete: a task handed out (and its value)
        // is the caller's business from then on. It was kept, with its value, until the Completions itself was
        // dropped: Python's as_completed removes each future from its set as it completes.
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroup group = TaskGroup.open()) {
            List<Task<Object>> tasks = new ArrayList<>();
            tasks.add(group.spawn(() -> {
                release.await();
                return "last";
            }));
            for (int i = 0; i < 100; i++) {
                tasks.add(group.spawn(Object::new));
            }
            Completions<Object> done = Coroutines.asCompleted(tasks);
            tasks = null;
            try {
                List<WeakReference<Object>> values = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    values.add(new WeakReference<>(done.next(Delays.seconds(30)).resultNow()));
                }
                awaitCollected(values, "values of the tasks a held Completions handed out");
                release.countDown();
                assertThat(done.next(Delays.seconds(30)).resultNow()).isEqualTo("last");
                assertThat(done.hasNext()).isFalse();
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void groupWithALongDeadline_closedEarly_isNotKeptByTheTimerUntilTheDeadline() {
        // A million request scopes with a one-hour deadline, each closed in milliseconds: the timer's entry of
        // each must let go of its group (and so of its tasks) as the group closes, not in an hour.
        List<WeakReference<Object>> groups = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            groups.add(closedGroupWithALongDeadline());
        }
        awaitCollected(groups, "groups with a one-hour deadline, closed");
    }

    @Test
    void timeout_thatReturnsEarly_doesNotKeepItsCallUntilTheDeadline() throws Exception {
        List<WeakReference<Object>> captured = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            captured.add(capturedByAnEarlyTimeout());
        }
        awaitCollected(captured, "what the calls of timeout() captured");
    }

    @Test
    void sleepInterruptedEarly_doesNotKeepItsThreadUntilItsTime() throws Exception {
        // A cancelled one-hour sleep: its timer entry must let go of the sleeping thread at once.
        List<WeakReference<Object>> threads = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            threads.add(threadWhoseLongSleepWasInterrupted());
        }
        awaitCollected(threads, "threads whose one-hour sleep was interrupted");
    }

    @Test
    void eventWaitsThatTimeOut_leaveNothingBehind() throws Exception {
        Event event = Event.create();
        List<WeakReference<Object>> threads = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            threads.add(threadWhoseWaitTimedOut(event));
        }
        awaitCollected(threads, "threads whose wait for an event timed out");
        event.set();
    }

    // Each helper below makes what it returns a weak reference to in a frame of its own, so that no local
    // variable of the test's frame keeps it.

    private static WeakReference<Object> valueOf(Task<Object> task) throws Exception {
        return new WeakReference<>(task.get());
    }

    private static WeakReference<Object> closedGroupWithALongDeadline() {
        TaskGroup group = TaskGroup.withTimeout(Duration.ofHours(1));
        group.spawn(() -> "ok");
        group.close();
        return new WeakReference<>(group);
    }

    private static WeakReference<Object> capturedByAnEarlyTimeout() throws Exception {
        Object big = new Object();
        assertThat(Coroutines.timeout(Duration.ofHours(1), () -> big.hashCode())).isEqualTo(big.hashCode());
        return new WeakReference<>(big);
    }

    private static WeakReference<Object> threadWhoseLongSleepWasInterrupted() throws Exception {
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                Coroutines.sleep(Duration.ofHours(1));
            } catch (InterruptedException expected) {
                // the point
            }
        });
        // parked in the timer's wait, its entry in the wheel (not in the JIT warm-up of a first sleep)
        Awaitility.await().atMost(Delays.seconds(30)).until(() -> t.getState() == Thread.State.WAITING
                && Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals("awaitFired")));
        t.interrupt();
        t.join();
        return new WeakReference<>(t);
    }

    private static WeakReference<Object> threadWhoseWaitTimedOut(Event event) throws Exception {
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                assertThat(event.await(Duration.ofMillis(1))).isFalse();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        t.join();
        return new WeakReference<>(t);
    }

    private static void awaitCollected(List<? extends WeakReference<?>> refs, String what) {
        Awaitility.await(what + " collected").atMost(Delays.seconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    System.gc();
                    return refs.stream().allMatch(r -> r.refersTo(null));
                });
    }
}

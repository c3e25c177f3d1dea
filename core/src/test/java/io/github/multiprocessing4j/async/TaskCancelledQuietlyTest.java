package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Delays;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A task cancelled with {@code cancel(false)} is done at once, but its callable goes on running: nothing
 * interrupted it. When its group is cancelled later (deadline, {@code cancel()}, a sibling's failure), the
 * group's promise holds for it too: every task still running is interrupted, and {@code close()} returns
 * once they have ended. Before the fix, {@code cancel(true)} from the group found the task cancelled already
 * and did nothing, so {@code close()} waited for good, even past the group's deadline.
 */
class TaskCancelledQuietlyTest {

    enum GroupCancel {
        DEADLINE, CANCEL, SIBLING_FAILURE
    }

    @ParameterizedTest
    @EnumSource(GroupCancel.class)
    void aTaskCancelledWithoutInterrupt_isInterruptedWhenItsGroupIsCancelled(GroupCancel how) throws Exception {
        LinkedBlockingQueue<String> never = new LinkedBlockingQueue<>();
        CountDownLatch blocked = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean cancelReturnedTrue = new AtomicBoolean();
        Thread owner = Thread.ofVirtual().start(() -> {
            Duration timeout = how == GroupCancel.DEADLINE ? Delays.millis(200) : Duration.ofDays(1);
            try (TaskGroup group = TaskGroup.withTimeout(timeout)) {
                Task<String> quiet = group.spawn(takesFrom(never, blocked, interrupted));
                blocked.await();
                cancelReturnedTrue.set(quiet.cancel(false));
                switch (how) {
                    case DEADLINE -> { } // it passes while close() waits
                    case CANCEL -> group.cancel();
                    case SIBLING_FAILURE -> group.spawn(() -> {
                        throw new IllegalStateException("sibling failed");
                    });
                }
            } catch (Exception expected) {
                // TaskGroupException for the sibling's failure; the other two cancel nothing that is counted
            }
        });
        boolean ended = owner.join(Delays.seconds(20));
        if (!ended) {
            never.add("released by the test"); // let the stuck task, and with it the owner, end
            owner.join(Delays.seconds(20));
        }
        assertThat(cancelReturnedTrue).as("cancel(false) cancelled the running task").isTrue();
        assertThat(ended).as("close() returned once the group was cancelled (" + how + ")").isTrue();
        assertThat(interrupted).as("the group's cancellation interrupted the task").isTrue();
    }

    /**
     * The group is cancelled while a {@code cancel(false)} of the task is still at work: the task is done
     * (cancelled), but that cancel has not returned yet (it runs the task's completion listeners). The
     * group's {@code cancel(true)} finds the task cancelled and looks for a quiet cancel too early to see
     * one; before the fix, nobody interrupted the callable then, and {@code close()} waited for good. The
     * window is held open here by a completion listener that the quiet cancel runs, which waits until the
     * group's cancellation has returned.
     */
    @Test
    void aTaskCancelledWithoutInterrupt_asItsGroupIsCancelled_isInterruptedAllTheSame() throws Exception {
        LinkedBlockingQueue<String> never = new LinkedBlockingQueue<>();
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch inQuietCancel = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean groupCancelReturned = new AtomicBoolean();
        AtomicBoolean quietCancelReturnedTrue = new AtomicBoolean();
        Thread[] groupCanceller = new Thread[1];
        Thread owner = Thread.ofPlatform().start(() -> {
            try (TaskGroup group = TaskGroup.open()) {
                TaskImpl<String> quiet = (TaskImpl<String>) group.spawn(takesFrom(never, blocked, interrupted));
                blocked.await();
                groupCanceller[0] = Thread.ofPlatform().start(() -> {
                    try {
                        inQuietCancel.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    group.cancel();
                    groupCancelReturned.set(true);
                });
                // runs on the thread of cancel(false) below, after the task is done, before that cancel returns
                quiet.whenDone(() -> {
                    inQuietCancel.countDown();
                    long giveUp = System.nanoTime() + Delays.seconds(20).toNanos();
                    while (!groupCancelReturned.get() && System.nanoTime() < giveUp) {
                        Thread.onSpinWait();
                    }
                });
                quietCancelReturnedTrue.set(quiet.cancel(false));
            } catch (Exception unexpected) {
                throw new AssertionError(unexpected);
            }
        });
        boolean ended = owner.join(Delays.seconds(20));
        if (!ended) {
            never.add("released by the test"); // let the stuck task, and with it the owner, end
            owner.join(Delays.seconds(20));
        }
        assertThat(quietCancelReturnedTrue).as("cancel(false) cancelled the running task").isTrue();
        assertThat(ended).as("close() returned once the group was cancelled").isTrue();
        assertThat(interrupted).as("the group's cancellation interrupted the task").isTrue();
        groupCanceller[0].join();
    }

    /** A task that a cancel(true) interrupted already is not interrupted again as it cleans up. */
    @ParameterizedTest
    @EnumSource(value = GroupCancel.class, names = {"CANCEL", "SIBLING_FAILURE"})
    void aTaskCancelledWithInterrupt_isNotInterruptedAgainWhileItCleansUp(GroupCancel how) throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch cleaning = new CountDownLatch(1);
        CountDownLatch groupCancelled = new CountDownLatch(1);
        AtomicInteger interrupts = new AtomicInteger();
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> task = group.spawn(() -> {
                blocked.countDown();
                try {
                    Thread.sleep(Delays.seconds(60));
                } catch (InterruptedException first) {
                    interrupts.incrementAndGet();
                }
                cleaning.countDown();
                // clean-up that blocks: must not be cut short by the group's later cancellation
                try {
                    groupCancelled.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException second) {
                    interrupts.incrementAndGet();
                }
                return "cleaned up";
            });
            assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(task.cancel(true)).isTrue();
            assertThat(cleaning.await(10, TimeUnit.SECONDS)).isTrue();
            try {
                if (how == GroupCancel.CANCEL) {
                    group.cancel();
                } else {
                    Task<Object> failing = group.spawn(() -> {
                        throw new IllegalStateException("sibling failed");
                    });
                    while (!failing.isDone()) {
                        Thread.onSpinWait();
                    }
                }
                assertThat(group.isCancelled()).isTrue();
            } finally {
                groupCancelled.countDown();
            }
        } catch (TaskGroupException expected) {
            assertThat(how).isEqualTo(GroupCancel.SIBLING_FAILURE);
        }
        assertThat(interrupts).as("interrupted once, by cancel(true)").hasValue(1);
    }

    /**
     * A call that counts {@code blocked} down, then waits for an element of {@code never} (which only the test's
     * clean-up adds), noting in {@code interrupted} an interrupt.
     */
    private static Callable<String> takesFrom(LinkedBlockingQueue<String> never, CountDownLatch blocked,
            AtomicBoolean interrupted) {
        return () -> {
            blocked.countDown();
            try {
                return never.take();
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
        };
    }
}

package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Delays;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskGroup#close()}'s javadoc: interrupted while it waits, in a group that was cancelled before (by a
 * failure, its deadline or {@code cancel()}), close() reports that first cause instead of a
 * {@link java.util.concurrent.CancellationException}, and the interrupt status is set again either way.
 */
class CloseInterruptedTest {

    @Test
    void aGroupThatAFailureCancelled_throwsTheFailure_andTheInterruptStatusIsSetAgain() throws Exception {
        IOException boom = new IOException("boom");
        Closed o = closeInterruptedAfter(TaskGroup::open, group -> group.spawn(() -> {
            throw boom;
        }));

        assertThat(o.thrown()).isExactlyInstanceOf(TaskGroupException.class).cause().isSameAs(boom);
        assertThat(o.interruptStatusAfter()).isTrue();
    }

    @Test
    void aGroupThatItsDeadlineCancelled_throwsTaskGroupTimeoutException_andTheInterruptStatusIsSetAgain()
            throws Exception {
        Closed o = closeInterruptedAfter(() -> TaskGroup.withTimeout(Delays.millis(50)), group -> null);

        assertThat(o.thrown()).isInstanceOf(TaskGroupTimeoutException.class);
        assertThat(o.interruptStatusAfter()).isTrue();
    }

    @Test
    void aGroupThatCancelCancelled_returnsNormally_andTheInterruptStatusIsSetAgain() throws Exception {
        Closed o = closeInterruptedAfter(TaskGroup::open, group -> {
            group.cancel();
            return null;
        });

        assertThat(o.thrown()).isNull();
        assertThat(o.interruptStatusAfter()).isTrue();
    }

    private record Closed(Throwable thrown, boolean interruptStatusAfter) {
    }

    private interface Opener {
        TaskGroup open();
    }

    /**
     * On a platform owner: opens a group, spawns a task that takes the group's cancellation and then holds on
     * until released, lets {@code cancelling} cancel the group (or waits for the deadline), and leaves the
     * block. Once the owner waits in close() and the group is cancelled, interrupts it, then releases the task.
     */
    private static Closed closeInterruptedAfter(Opener opener, Function<TaskGroup, ?> cancelling) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        AtomicReference<TaskGroup> opened = new AtomicReference<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> statusAfter = new AtomicReference<>();
        Thread owner = Thread.ofPlatform().start(() -> {
            try {
                try (TaskGroup group = opener.open()) {
                    opened.set(group);
                    group.spawn(() -> {
                        holding.countDown();
                        try {
                            Thread.sleep(Delays.seconds(60));
                        } catch (InterruptedException cancelled) {
                            // takes the cancellation, then cleans up until the test lets it end
                        }
                        while (release.getCount() > 0) {
                            try {
                                release.await();
                            } catch (InterruptedException ignored) {
                                // keep holding
                            }
                        }
                        return null;
                    });
                    holding.await();
                    cancelling.apply(group);
                }
            } catch (Throwable e) {
                thrown.set(e);
            }
            statusAfter.set(Thread.currentThread().isInterrupted());
        });
        try {
            Awaitility.await().atMost(Delays.seconds(10))
                    .until(() -> opened.get() != null && opened.get().isCancelled() && waitsInClose(owner));
            owner.interrupt();
            // the interrupt taken (its status cleared by the wait) before the task may end
            Awaitility.await().atMost(Delays.seconds(10)).until(() -> !owner.isInterrupted());
        } finally {
            release.countDown();
        }
        owner.join(Delays.seconds(10));
        assertThat(owner.isAlive()).isFalse();
        return new Closed(thrown.get(), statusAfter.get());
    }

    private static boolean waitsInClose(Thread owner) {
        return owner.getState() == Thread.State.WAITING
                && Arrays.stream(owner.getStackTrace()).anyMatch(f -> f.getMethodName().equals("awaitAllEnded"));
    }
}

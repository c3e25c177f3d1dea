package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.Delays;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The {@link java.util.concurrent.Future} contract that {@link Task}'s javadoc promises, item by item. */
class TaskFutureTest {

    @Test
    void get_whenTheWaitingThreadIsInterrupted_throwsInterruptedException_withTheStatusCleared() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> task = group.spawn(() -> {
                release.await();
                return "value";
            });
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean statusAfter = new AtomicBoolean(true);
            Thread waiter = Thread.ofVirtual().start(() -> {
                try {
                    task.get();
                } catch (Throwable t) {
                    thrown.set(t);
                }
                statusAfter.set(Thread.currentThread().isInterrupted());
            });
            Awaitility.await().atMost(Delays.seconds(10)).until(() -> waiter.getState() == Thread.State.WAITING);
            waiter.interrupt();
            waiter.join(Delays.seconds(10));

            assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
            assertThat(statusAfter.get()).as("interrupt status after the exception").isFalse();
            assertThat(task.isDone()).as("the waiter's interrupt is not the task's").isFalse();
            release.countDown();
            assertThat(task.get(10, TimeUnit.SECONDS)).isEqualTo("value");
        }
    }

    @Test
    void getWithATimeout_throwsTimeoutException_andAZeroOrNegativeTimeoutOnlyPolls() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> task = group.spawn(() -> {
                release.await();
                return "value";
            });
            assertThatThrownBy(() -> task.get(0, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
            assertThatThrownBy(() -> task.get(-1, TimeUnit.DAYS)).isInstanceOf(TimeoutException.class);
            assertThatThrownBy(() -> task.get(Delays.millis(50).toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(TimeoutException.class);
            assertThat(task.state()).isEqualTo(Future.State.RUNNING);
            assertThatThrownBy(task::resultNow).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(task::exceptionNow).isInstanceOf(IllegalStateException.class);

            release.countDown();
            Awaitility.await().atMost(Delays.seconds(10)).until(task::isDone);
            assertThat(task.get(0, TimeUnit.SECONDS)).as("a zero timeout polls a done task").isEqualTo("value");
            assertThat(task.get(-1, TimeUnit.SECONDS)).isEqualTo("value");
        }
    }

    @Test
    void cancelTrue_interruptsTheThread_andTheTaskIsDoneAtOnce_whileCloseWaitsForTheThreadToEnd() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch unwind = new CountDownLatch(1);
        AtomicBoolean ended = new AtomicBoolean();
        AtomicBoolean endedWhenCloseReturned = new AtomicBoolean();
        try {
            try (TaskGroup group = TaskGroup.open()) {
                Task<String> task = group.spawn(() -> {
                    try {
                        Thread.sleep(Delays.seconds(60));
                        return "slept";
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        unwind.await(); // a long clean-up: the thread has not ended yet
                        ended.set(true);
                        throw e;
                    }
                });
                Awaitility.await().atMost(Delays.seconds(10)).until(() -> task.state() == Future.State.RUNNING);

                assertThat(task.cancel(true)).isTrue();

                assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("cancel(true) interrupted the thread").isTrue();
                assertThat(task.isDone()).isTrue();
                assertThat(task.isCancelled()).isTrue();
                assertThat(task.state()).isEqualTo(Future.State.CANCELLED);
                assertThatThrownBy(task::get).as("while the thread still unwinds")
                        .isInstanceOf(CancellationException.class);
                assertThatThrownBy(() -> task.get(0, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
                assertThatThrownBy(task::exceptionNow).isInstanceOf(IllegalStateException.class);
                assertThat(ended).isFalse();
                Thread.ofVirtual().start(() -> {
                    try {
                        Thread.sleep(Delays.millis(100));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    unwind.countDown();
                });
            }
            endedWhenCloseReturned.set(ended.get());
        } finally {
            unwind.countDown();
        }
        assertThat(endedWhenCloseReturned).as("close() returned only once the cancelled task's thread had ended")
                .isTrue();
    }

    @Test
    void cancelFalse_doesNotInterruptACallableThatRuns_butTheTaskIsDoneAtOnce() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> task = group.spawn(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    sawInterrupt.set(true);
                }
                finished.set(true);
                return "ignored";
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

            assertThat(task.cancel(false)).isTrue();

            assertThat(task.isDone()).isTrue();
            assertThatThrownBy(task::get).isInstanceOf(CancellationException.class);
            assertThat(group.isCancelled()).as("cancelling a task does not cancel its group").isFalse();
            release.countDown();
        }
        assertThat(finished).as("the callable ran on to its end").isTrue();
        assertThat(sawInterrupt).as("cancel(false) did not interrupt it").isFalse();
    }
}

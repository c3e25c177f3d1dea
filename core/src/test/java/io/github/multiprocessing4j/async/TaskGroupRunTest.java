package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.multiprocessing4j.testing.Delays;
import java.io.IOException;
import java.nio.channels.spi.AbstractInterruptibleChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** {@link TaskGroup#run}: the block form that sees the block's own exception. */
class TaskGroupRunTest {

    /** Long enough that a task still sleeping at the end of a test was cancelled, not finished. */
    private static final long FOREVER_MS = 60_000;

    @Test
    void run_whenTheBodyReturns_closesTheGroupAndReturnsTheBodysValue() {
        AtomicBoolean slowTaskFinished = new AtomicBoolean();
        Task<Integer> square = TaskGroup.run(group -> {
            group.spawn(() -> {
                Thread.sleep(Delays.millis(50));
                slowTaskFinished.set(true);
                return null;
            });
            return group.spawn(() -> 7 * 7);
        });
        assertThat(slowTaskFinished).as("run waited for every task").isTrue();
        assertThat(square.resultNow()).isEqualTo(49);
    }

    @Test
    void run_whenTheBodyThrows_cancelsTheTasksInsteadOfWaitingAndRethrowsTheBodysException() throws Exception {
        IOException bodyFailure = new IOException("the list could not be read");
        AtomicReference<Task<String>> sleeper = new AtomicReference<>();
        AtomicBoolean sleeperEnded = new AtomicBoolean();
        CountDownLatch sleeping = new CountDownLatch(1);
        // On a thread of its own, so that a regression (waiting for the sleeper) fails the test instead of hanging it.
        CompletableFuture<Throwable> thrown = CompletableFuture.supplyAsync(() -> catchThrowable(() ->
                TaskGroup.run(group -> {
                    sleeper.set(group.spawn(() -> {
                        try {
                            sleeping.countDown();
                            Thread.sleep(FOREVER_MS);
                            return "slept";
                        } finally {
                            sleeperEnded.set(true);
                        }
                    }));
                    sleeping.await();
                    throw bodyFailure;
                })), Thread::startVirtualThread);

        assertThat(thrown.get(Delays.seconds(10).toMillis(), TimeUnit.MILLISECONDS)).isSameAs(bodyFailure);
        assertThat(bodyFailure.getSuppressed()).as("cancelling is not a failure").isEmpty();
        assertThat(sleeper.get().state()).isEqualTo(Future.State.CANCELLED);
        assertThat(sleeperEnded).as("every task has ended when the exception propagates").isTrue();
    }

    @Test
    void run_whenATaskFailedBeforeTheBodyThrew_attachesTheGroupsFailureAsSuppressed() {
        IllegalStateException taskFailure = new IllegalStateException("task failed");
        IllegalArgumentException bodyFailure = new IllegalArgumentException("body gave up");
        Throwable thrown = catchThrowable(() -> TaskGroup.run(group -> {
            Task<Object> failing = group.spawn(() -> {
                throw taskFailure;
            });
            try {
                failing.get();
            } catch (ExecutionException e) {
                throw bodyFailure;
            }
            return null;
        }));
        assertThat(thrown).isSameAs(bodyFailure);
        assertThat(bodyFailure.getSuppressed()).singleElement()
                .isInstanceOfSatisfying(TaskGroupException.class, e -> assertThat(e).hasCause(taskFailure));
    }

    @Test
    void run_whenTheBodyRethrowsATasksOwnException_itIsThrownWithoutACycleOfSuppressedExceptions() {
        IllegalStateException taskFailure = new IllegalStateException("task failed");
        Throwable thrown = catchThrowable(() -> TaskGroup.run(group -> {
            Task<Object> failing = group.spawn(() -> {
                throw taskFailure;
            });
            try {
                return failing.get();
            } catch (ExecutionException e) {
                throw (RuntimeException) e.getCause(); // unwrapped, as callers often do
            }
        }));
        assertThat(thrown).isSameAs(taskFailure);
        // Before: close()'s TaskGroupException, whose cause is taskFailure itself, was attached to it.
        assertThat(taskFailure.getSuppressed()).isEmpty();
    }

    @Test
    void run_whenTheBodyThrowsAnExceptionThatCarriesATasksOwn_carriesEachFailureOnce() {
        IllegalStateException taskFailure = new IllegalStateException("task failed");
        Throwable thrown = catchThrowable(() -> TaskGroup.run(group -> group.spawn(() -> {
            throw taskFailure;
        }).get())); // its ExecutionException, whose cause is taskFailure, goes out of the body as it is
        assertThat(thrown).isInstanceOf(ExecutionException.class).hasCause(taskFailure);
        // Before: close()'s TaskGroupException, whose cause is taskFailure too, was attached to it.
        assertThat(thrown.getSuppressed()).isEmpty();
    }

    @Test
    void run_whenTheBodyReturnsButATaskFailed_throwsWhatCloseThrows() {
        IOException taskFailure = new IOException("boom");
        TaskGroupException e = catchThrowableOfType(TaskGroupException.class, () -> TaskGroup.run(group -> {
            group.spawn(() -> {
                throw taskFailure;
            });
            return "returned";
        }));
        assertThat(e).hasCause(taskFailure);
    }

    @Test
    void run_whenTheBodyIsInterrupted_cancelsTheTasksAndRethrowsTheInterruptedException() throws Exception {
        AtomicReference<Task<String>> sleeper = new AtomicReference<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch bodyWaiting = new CountDownLatch(1);
        Thread owner = Thread.ofPlatform().daemon(true).start(() -> thrown.set(catchThrowable(() -> TaskGroup.run(group -> {
            sleeper.set(group.spawn(() -> {
                Thread.sleep(FOREVER_MS);
                return "slept";
            }));
            bodyWaiting.countDown();
            return sleeper.get().get();
        }))));
        assertThat(bodyWaiting.await(Delays.seconds(10).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        owner.interrupt();
        owner.join(Delays.seconds(10).toMillis());
        assertThat(owner.isAlive()).as("the owner did not wait for the sleeping task").isFalse();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(sleeper.get().isCancelled()).isTrue();
    }

    @Test
    void run_withATimeout_cancelsTheGroupAtItsDeadline() throws Exception {
        AtomicReference<Task<String>> sleeper = new AtomicReference<>();
        CompletableFuture<Throwable> thrown = CompletableFuture.supplyAsync(() -> catchThrowable(() ->
                TaskGroup.run(Duration.ofMillis(50), group -> {
                    sleeper.set(group.spawn(() -> {
                        Thread.sleep(FOREVER_MS);
                        return "slept";
                    }));
                    return null;
                })), Thread::startVirtualThread);
        assertThat(thrown.get(Delays.seconds(10).toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(TaskGroupTimeoutException.class).hasCauseInstanceOf(TimeoutException.class);
        assertThat(sleeper.get().isCancelled()).isTrue();
    }

    @Test
    void run_whenTheBodyClosesTheGroupItself_doesNotCloseItTwice() {
        String value = TaskGroup.run(group -> {
            Task<String> t = group.spawn(() -> "done");
            group.close();
            return t.resultNow();
        });
        assertThat(value).isEqualTo("done");
    }

    @Test
    void run_ownerIsTheCallingThread_otherThreadsMayNotCloseTheGroup() throws Exception {
        Throwable fromOtherThread = TaskGroup.run(group -> {
            Task<Throwable> closer = group.spawn(() -> catchThrowable(group::close));
            return closer.get();
        });
        assertThat(fromOtherThread).isInstanceOf(WrongThreadException.class);
    }

    @Test
    void run_whenTheOwnerIsInterruptedWhileTheTasksOfAFailedBodyEnd_keepsTheInterruptStatus() throws Exception {
        IllegalStateException bodyFailure = new IllegalStateException("body gave up");
        CountDownLatch unwinding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        Thread owner = Thread.ofPlatform().daemon(true).start(() -> {
            thrown.set(catchThrowable(() -> TaskGroup.run(group -> {
                group.spawn(() -> {
                    try {
                        Thread.sleep(FOREVER_MS);
                    } catch (InterruptedException cancelled) {
                        unwinding.countDown();
                        release.await(); // a slow unwind, during which the owner waits in close()
                    }
                    return null;
                });
                Thread.sleep(Delays.millis(50));
                throw bodyFailure;
            })));
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        });
        assertThat(unwinding.await(Delays.seconds(10).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        owner.interrupt();
        release.countDown();
        owner.join(Delays.seconds(10).toMillis());
        assertThat(owner.isAlive()).isFalse();
        assertThat(thrown.get()).isSameAs(bodyFailure);
        assertThat(bodyFailure.getSuppressed()).as("the group was cancelled already: the interrupt is no failure").isEmpty();
        assertThat(interruptedAfter).as("the interrupt status is set again").isTrue();
    }
    @Test
    void run_whenATaskFailsAsTheOwnerIsCancelledAndTheBodyRethrowsIt_throwsItWithoutACycleOfSuppressedExceptions()
            throws Exception {
        IllegalStateException taskFailure = new IllegalStateException("task failed");
        CountDownLatch fail = new CountDownLatch(1);
        AtomicReference<Task<Object>> failing = new AtomicReference<>();
        // The group's cancellation interrupts its tasks one by one, the last spawned first. Interrupting a thread
        // blocked on an interruptible channel closes the channel on the interrupting thread: there, between the
        // group turning cancelled and the cancel reaching the other task, that task fails. Its failure is then
        // recorded although the group was cancelled by its owner's cancellation first.
        BlockingChannel channel = new BlockingChannel(() -> {
            fail.countDown();
            Awaitility.await().atMost(Delays.seconds(10)).until(() -> failing.get().isDone());
        });
        CountDownLatch blocked = new CountDownLatch(1);
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        try (TaskGroup outer = TaskGroup.open()) {
            Task<Object> owner = outer.spawn(() -> thrown.complete(catchThrowable(() -> TaskGroup.run(group -> {
                failing.set(group.spawn(() -> {
                    fail.await();
                    throw taskFailure;
                }));
                group.spawn(() -> channel.block(blocked));
                awaitDoneUninterruptibly(failing.get());
                throw (RuntimeException) failing.get().exceptionNow(); // rethrown unwrapped, as callers often do
            }))));
            assertThat(blocked.await(Delays.seconds(10).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            owner.cancel(true); // cancels the group that the owner task has open: close() throws CancellationException
        }
        Throwable e = thrown.get(Delays.seconds(10).toMillis(), TimeUnit.MILLISECONDS);
        assertThat(e).isSameAs(taskFailure);
        // Before: close()'s CancellationException, which carries taskFailure as suppressed, was attached to it.
        assertThat(e.getSuppressed()).as("what taskFailure carries")
                .noneSatisfy(s -> assertThat(carries(s, taskFailure)).as("carries taskFailure again").isTrue());
    }

    /** A channel that a task blocks on until it is interrupted, which closes it on the interrupting thread. */
    private static final class BlockingChannel extends AbstractInterruptibleChannel {
        private final Runnable onClose;

        BlockingChannel(Runnable onClose) {
            this.onClose = onClose;
        }

        Object block(CountDownLatch blocked) throws Exception {
            begin();
            try {
                blocked.countDown();
                Thread.sleep(FOREVER_MS);
                return null;
            } finally {
                end(false);
            }
        }

        @Override
        protected void implCloseChannel() {
            onClose.run();
        }
    }

    private static void awaitDoneUninterruptibly(Task<?> task) {
        boolean interrupted = false;
        while (!task.isDone()) {
            try {
                task.get();
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (Exception e) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether {@code target} is {@code from} or reachable from it through causes and suppressed exceptions. */
    private static boolean carries(Throwable from, Throwable target) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Throwable> todo = new ArrayDeque<>(List.of(from));
        while (!todo.isEmpty()) {
            Throwable t = todo.pop();
            if (t == target) {
                return true;
            }
            if (seen.add(t)) {
                if (t.getCause() != null) {
                    todo.push(t.getCause());
                }
                todo.addAll(List.of(t.getSuppressed()));
            }
        }
        return false;
    }
}

package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A task that opens a group of its own and is then cancelled: its group is cancelled too, so the task does
 * not wait in that group's close() for inner tasks that nobody would stop otherwise.
 */
class NestedGroupCancellationTest {

    /** Ends only when interrupted: without the cascade, nothing would ever interrupt it. */
    private static Void blockUntilInterrupted(CountDownLatch started) throws InterruptedException {
        started.countDown();
        new CountDownLatch(1).await();
        return null;
    }

    /**
     * The outer task waits in {@code get()} for its inner task; the interrupt of its cancellation ends that
     * wait, and the block's exit runs the inner group's close().
     */
    private static Void waitInGetForAnInnerTask(CountDownLatch started, AtomicReference<Task<Void>> inner,
            AtomicReference<Throwable> leftWith) throws Exception {
        try (TaskGroup group = TaskGroup.open()) {
            inner.set(group.spawn(() -> blockUntilInterrupted(started)));
            inner.get().get();
        } catch (Exception e) {
            leftWith.set(e);
            throw e;
        }
        return null;
    }

    @Test
    void cancellingTheOuterGroup_cancelsTheGroupATaskOpened() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Task<Void>> inner = new AtomicReference<>();
        AtomicReference<Throwable> leftWith = new AtomicReference<>();
        AtomicReference<Task<Void>> owner = new AtomicReference<>();
        // The outer group's whole life on a thread of its own, so that a hang fails the test instead.
        CompletableFuture<Void> outerLife = CompletableFuture.runAsync(() -> {
            try (TaskGroup outer = TaskGroup.open()) {
                owner.set(outer.spawn(() -> waitInGetForAnInnerTask(started, inner, leftWith)));
                if (!started.await(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("the inner task never started");
                }
                outer.cancel();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }, r -> Thread.ofPlatform().daemon().start(r));

        outerLife.get(10, TimeUnit.SECONDS); // close() waits for good without the cascade

        assertThat(owner.get().isCancelled()).isTrue();
        assertThat(inner.get().isCancelled()).isTrue();
        // get() ends by the owner's interrupt, or by the inner task's cancellation if that comes first
        assertThat(leftWith.get()).isInstanceOfAny(InterruptedException.class, CancellationException.class);
        assertThat(leftWith.get().getSuppressed()).singleElement()
                .isInstanceOf(CancellationException.class)
                .extracting(Throwable::getMessage).asString().contains("the task that owns it was cancelled");
    }

    @Test
    void cancellingTheTaskThroughItsFuture_cancelsTheGroupItOpened() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Task<Void>> inner = new AtomicReference<>();
        AtomicReference<Throwable> leftWith = new AtomicReference<>();
        CompletableFuture<Void> outerLife = CompletableFuture.runAsync(() -> {
            try (TaskGroup outer = TaskGroup.open()) {
                Task<Void> owner = outer.spawn(() -> waitInGetForAnInnerTask(started, inner, leftWith));
                if (!started.await(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("the inner task never started");
                }
                assertThat(owner.cancel(true)).isTrue();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } // close() returns: a task cancelled on its own does not cancel its group, and every task ended
        }, r -> Thread.ofPlatform().daemon().start(r));

        outerLife.get(10, TimeUnit.SECONDS); // close() waits for good without the cascade

        assertThat(inner.get().isCancelled()).isTrue();
    }

    @Test
    void aTaskCancelledBeforeItOpensItsGroup_hasThatGroupCancelled_whileTheInterruptIsPending() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        AtomicBoolean mayOpen = new AtomicBoolean();
        AtomicReference<Task<Void>> inner = new AtomicReference<>();
        AtomicReference<Throwable> leftWith = new AtomicReference<>();
        CompletableFuture<Void> outerLife = CompletableFuture.runAsync(() -> {
            try (TaskGroup outer = TaskGroup.open()) {
                Task<Void> owner = outer.spawn(() -> {
                    running.countDown();
                    while (!mayOpen.get()) {
                        Thread.onSpinWait(); // computing: the interrupt of the cancel stays pending
                    }
                    return waitInGetForAnInnerTask(new CountDownLatch(1), inner, leftWith);
                });
                if (!running.await(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("the task never started");
                }
                assertThat(owner.cancel(true)).isTrue();
                mayOpen.set(true);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                mayOpen.set(true);
            }
        }, r -> Thread.ofPlatform().daemon().start(r));

        // Before the fix the group opened after the cancel was left alone: get() took the interrupt, and
        // close() waited for good for an inner task that nobody would stop.
        outerLife.get(10, TimeUnit.SECONDS);

        assertThat(inner.get().isCancelled()).isTrue();
        assertThat(leftWith.get()).isInstanceOfAny(InterruptedException.class, CancellationException.class);
    }

    @Test
    void aTaskCancelledBeforeItCallsAHelper_getsInterruptedException_withTheStatusCleared() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        AtomicBoolean mayCall = new AtomicBoolean();
        AtomicBoolean callRan = new AtomicBoolean();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
        try (TaskGroup outer = TaskGroup.open()) {
            Task<Void> owner = outer.spawn(() -> {
                running.countDown();
                while (!mayCall.get()) {
                    Thread.onSpinWait(); // computing: the interrupt of the cancel stays pending
                }
                try {
                    Coroutines.gather(() -> callRan.getAndSet(true));
                } catch (Throwable e) {
                    thrown.set(e);
                    interruptedAfter.set(Thread.currentThread().isInterrupted());
                }
                return null;
            });
            try {
                assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(owner.cancel(true)).isTrue();
            } finally {
                mayCall.set(true);
            }
        }
        assertThat(thrown.get()).as("gather documents InterruptedException for an interrupt")
                .isInstanceOf(InterruptedException.class);
        assertThat(interruptedAfter.get()).isFalse();
        assertThat(callRan).as("the group was cancelled as it opened: the call was refused").isFalse();
    }

    @Test
    void aTaskThatHandledItsCancellation_opensGroupsThatRunAsUsual() throws Exception {
        CountDownLatch sleeping = new CountDownLatch(1);
        AtomicReference<List<String>> cleanedUp = new AtomicReference<>();
        try (TaskGroup outer = TaskGroup.open()) {
            Task<Void> owner = outer.spawn(() -> {
                try {
                    sleeping.countDown();
                    Thread.sleep(60_000);
                } catch (InterruptedException cancelled) {
                    // the interrupt is taken: clean-up work in a group of its own runs as usual
                    cleanedUp.set(Coroutines.gather(() -> "closed a", () -> "closed b"));
                }
                return null;
            });
            assertThat(sleeping.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(owner.cancel(true)).isTrue();
        }
        assertThat(cleanedUp.get()).containsExactly("closed a", "closed b");
    }

    /**
     * The interleaving that the test above leaves to chance: the task takes its interrupt and opens its
     * clean-up group while its canceller has delivered the interrupt but not yet cancelled the groups the
     * task owns. A listener of the task's completion, which runs in the canceller between the two, holds
     * the canceller there until the task has opened that group (or waits for the canceller to finish).
     */
    @Test
    void aTaskThatHandledItsCancellation_opensGroupsThatRunAsUsual_evenWhileItsCancellerIsStillAtWork()
            throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch tookTheInterrupt = new CountDownLatch(1);
        CountDownLatch mayFinishCleanUp = new CountDownLatch(1);
        AtomicReference<Thread> taskThread = new AtomicReference<>();
        AtomicReference<Object> cleanedUp = new AtomicReference<>();
        try (TaskGroup outer = TaskGroup.open()) {
            Task<Void> owner = outer.spawn(() -> {
                taskThread.set(Thread.currentThread());
                try {
                    waiting.countDown();
                    new CountDownLatch(1).await();
                } catch (InterruptedException cancelled) {
                    tookTheInterrupt.countDown();
                    try {
                        cleanedUp.set(Coroutines.gatherSettled(List.<Callable<String>>of(() -> {
                            mayFinishCleanUp.await();
                            return "cleaned up";
                        })));
                    } catch (Throwable e) {
                        cleanedUp.set(e);
                    }
                }
                return null;
            });
            assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
            ((TaskImpl<Void>) owner).whenDone(() -> {
                try {
                    assertThat(tookTheInterrupt.await(10, TimeUnit.SECONDS)).isTrue();
                    Thread t = taskThread.get();
                    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (TaskGroupImpl.innermostOwnedBy(t) == null && LockSupport.getBlocker(t) != owner
                            && System.nanoTime() < giveUp) {
                        Thread.sleep(1);
                    }
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });

            assertThat(owner.cancel(true)).isTrue();
            mayFinishCleanUp.countDown();
        }
        // Before the fix the canceller, going on, cancelled the clean-up group too: its call was interrupted,
        // and gatherSettled, finding it cancelled, threw IllegalStateException from exceptionNow().
        assertThat(cleanedUp.get()).isEqualTo(List.of(new Outcome.Success<>("cleaned up")));
    }

    @Test
    void cancellingWithoutAnInterrupt_leavesTheTasksGroupsAlone() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Task<String>> inner = new AtomicReference<>();
        try (TaskGroup outer = TaskGroup.open()) {
            Task<Void> owner = outer.spawn(() -> {
                try (TaskGroup group = TaskGroup.open()) {
                    inner.set(group.spawn(() -> {
                        started.countDown();
                        release.await();
                        return "finished";
                    }));
                }
                return null;
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

            assertThat(owner.cancel(false)).isTrue();
            release.countDown();
        }
        assertThat(inner.get().resultNow()).isEqualTo("finished");
    }

    @Test
    void closedGroups_leaveTheListOfTheirOwner_inWhateverOrderTheyClose() throws Exception {
        Task<List<String>> owner;
        try (TaskGroup outer = TaskGroup.open()) {
            owner = outer.spawn(() -> {
                List<String> innermost = new ArrayList<>();
                Thread me = Thread.currentThread();
                TaskGroupImpl a = (TaskGroupImpl) TaskGroup.open();
                TaskGroupImpl b = (TaskGroupImpl) TaskGroup.open();
                Map<TaskGroupImpl, String> names = Map.of(a, "a", b, "b");
                innermost.add(names.getOrDefault(TaskGroupImpl.innermostOwnedBy(me), "none"));
                b.close();
                innermost.add(names.getOrDefault(TaskGroupImpl.innermostOwnedBy(me), "none"));
                TaskGroupImpl c = (TaskGroupImpl) TaskGroup.open();
                a.close(); // out of order: c is still open
                innermost.add(TaskGroupImpl.innermostOwnedBy(me) == c ? "c" : "not c");
                c.close();
                innermost.add(TaskGroupImpl.innermostOwnedBy(me) == null ? "none" : "left over");
                return innermost;
            });
        }
        assertThat(owner.resultNow()).containsExactly("b", "a", "c", "none");
    }

    @Test
    void aGroupThatATaskNeverClosed_isForgottenWhenTheTaskEnds() throws Exception {
        AtomicReference<Thread> taskThread = new AtomicReference<>();
        AtomicReference<Object> listedWhileRunning = new AtomicReference<>();
        try (TaskGroup outer = TaskGroup.open()) {
            outer.spawn(() -> {
                taskThread.set(Thread.currentThread());
                TaskGroup.open(); // a mistake: never closed
                listedWhileRunning.set(TaskGroupImpl.innermostOwnedBy(Thread.currentThread()));
                return null;
            });
        }
        assertThat(listedWhileRunning.get()).isNotNull();
        assertThat(TaskGroupImpl.innermostOwnedBy(taskThread.get())).isNull();
    }

    @Test
    void aGroupLeavesTheList_evenIfTheTaskReplacedItsThreadsHandlerMeanwhile() throws Exception {
        Task<Object> owner;
        try (TaskGroup outer = TaskGroup.open()) {
            owner = outer.spawn(() -> {
                try (TaskGroup inner = TaskGroup.open()) {
                    Thread.currentThread().setUncaughtExceptionHandler((t, e) -> { });
                }
                return String.valueOf(TaskGroupImpl.innermostOwnedBy(Thread.currentThread()));
            });
        }
        assertThat(owner.resultNow()).isEqualTo("null");
    }

    @Test
    void aGroupOfAThreadThatIsNoTask_isNotListed() throws Exception {
        AtomicReference<Object> listed = new AtomicReference<>("unset");
        Thread plain = Thread.ofVirtual().start(() -> {
            try (TaskGroup group = TaskGroup.open()) {
                listed.set(TaskGroupImpl.innermostOwnedBy(Thread.currentThread()));
            }
        });
        assertThat(plain.join(Duration.ofSeconds(10))).isTrue();
        assertThat(listed.get()).isNull();
    }

    @Test
    void aGroupThatWasClosed_isNoLongerReachedByItsOwnersCancellation() throws Exception {
        CountDownLatch innerClosed = new CountDownLatch(1);
        AtomicReference<TaskGroup> inner = new AtomicReference<>();
        try (TaskGroup outer = TaskGroup.open()) {
            Task<Void> owner = outer.spawn(() -> {
                try (TaskGroup group = TaskGroup.open()) {
                    inner.set(group);
                    group.spawn(() -> "quick");
                }
                innerClosed.countDown();
                new CountDownLatch(1).await();
                return null;
            });
            assertThat(innerClosed.await(10, TimeUnit.SECONDS)).isTrue();
            owner.cancel(true);
        }
        assertThat(inner.get().isCancelled()).isFalse();
    }
}

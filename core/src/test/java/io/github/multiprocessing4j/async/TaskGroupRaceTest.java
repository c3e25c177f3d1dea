package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.Tries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Racy interleavings tried many times over, with the racers lined up by a barrier and set apart by a
 * random (seeded) spin: invariants that must hold however the race goes.
 */
class TaskGroupRaceTest {

    private static void spin(int n) {
        for (int i = 0; i < n; i++) {
            Thread.onSpinWait();
        }
    }

    private record Spins(int spawner, int closer) {
    }

    /**
     * Another thread spawns while the owner closes: each spawn either is refused (IllegalStateException)
     * or its task has ended when close() returns, and no task runs after that.
     */
    @Test
    void spawnRacingClose_everyAcceptedTaskHasEndedWhenCloseReturns() {
        Tries.forAll(500, g -> new Spins(g.choose(2000), g.choose(2000)), spins -> {
            AtomicBoolean closeReturned = new AtomicBoolean();
            AtomicInteger ranAfterClose = new AtomicInteger();
            AtomicInteger ended = new AtomicInteger();
            List<Task<Integer>> accepted = Collections.synchronizedList(new ArrayList<>());
            CyclicBarrier go = new CyclicBarrier(2);
            TaskGroup group = TaskGroup.open();
            Thread spawner = Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    spin(spins.spawner());
                    for (int i = 0; i < 200; i++) {
                        accepted.add(group.spawn(() -> {
                            Thread.yield();
                            if (closeReturned.get()) {
                                ranAfterClose.incrementAndGet();
                            }
                            ended.incrementAndGet();
                            return 1;
                        }));
                    }
                } catch (IllegalStateException closed) {
                    // refused: close() had returned
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            go.await();
            spin(spins.closer());
            group.close();
            closeReturned.set(true);
            int endedWhenClosed = ended.get();
            spawner.join();
            assertThat(ranAfterClose).hasValue(0);
            assertThat(endedWhenClosed).isEqualTo(accepted.size());
            assertThat(accepted).allMatch(t -> t.state() == Future.State.SUCCESS);
        });
    }

    private record Ending(boolean fails, int spins) {
    }

    /**
     * cancel(true) races the task's own end (a value or an exception): the task ends one way only, as the
     * Future contract says, and the group agrees (a cancelled task is no failure of the group).
     */
    @Test
    void cancelRacingTheTasksEnd_endsItOneWayOnly_andTheGroupAgrees() {
        Tries.forAll(2000, g -> new Ending(g.bool(), g.choose(500)), ending -> {
            IllegalStateException boom = new IllegalStateException("boom");
            CyclicBarrier go = new CyclicBarrier(2);
            Task<Integer> task = null;
            boolean cancelled = false;
            TaskGroupException closed = null;
            TaskGroup group = TaskGroup.open();
            try {
                task = group.spawn(() -> {
                    go.await();
                    if (ending.fails()) {
                        throw boom;
                    }
                    return 1;
                });
                go.await();
                spin(ending.spins());
                cancelled = task.cancel(true);
                assertThat(task.isDone()).as("done once cancel() has returned").isTrue();
            } finally {
                try {
                    group.close();
                } catch (TaskGroupException e) {
                    closed = e;
                }
            }
            Task<Integer> t = task;
            if (cancelled) {
                assertThat(t.state()).isEqualTo(Future.State.CANCELLED);
                assertThatThrownBy(t::get).isInstanceOf(CancellationException.class);
                assertThatThrownBy(t::resultNow).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(t::exceptionNow).isInstanceOf(IllegalStateException.class);
                assertThat(closed).as("a cancelled task is no failure").isNull();
            } else if (ending.fails()) {
                assertThat(t.state()).isEqualTo(Future.State.FAILED);
                assertThat(t.exceptionNow()).isSameAs(boom);
                assertThat(closed).isNotNull();
                assertThat(closed.failures()).containsExactly(boom);
            } else {
                assertThat(t.state()).isEqualTo(Future.State.SUCCESS);
                assertThat(closed).isNull();
            }
        });
    }

    private record Race(long timeoutNanos, long[] sleepsMicros) {
    }

    /**
     * The deadline races the tasks' ends and close(): close() reports a timeout exactly when the deadline
     * cancelled a task, with the number it cancelled, and a task is either cancelled or succeeded.
     */
    @Test
    void deadlineRacingTheTasksAndClose_reportsExactlyTheTasksItCancelled() {
        Tries.forAll(400, g -> {
            long[] sleeps = new long[1 + g.choose(4)];
            for (int i = 0; i < sleeps.length; i++) {
                sleeps[i] = g.choose(2500);
            }
            return new Race(g.choose(2_000_000), sleeps);
        }, race -> {
            List<Task<Integer>> tasks = new ArrayList<>();
            TaskGroupException closed = null;
            TaskGroup group = TaskGroup.withTimeout(Duration.ofNanos(race.timeoutNanos()));
            try {
                for (long micros : race.sleepsMicros()) {
                    tasks.add(group.spawn(() -> {
                        Thread.sleep(Duration.ofNanos(micros * 1000));
                        return 1;
                    }));
                }
            } finally {
                try {
                    group.close();
                } catch (TaskGroupException e) {
                    closed = e;
                }
            }
            long cancelled = tasks.stream().filter(Task::isCancelled).count();
            assertThat(tasks).allMatch(t -> t.isCancelled() || t.state() == Future.State.SUCCESS);
            if (cancelled == 0) {
                assertThat(closed).isNull();
            } else {
                assertThat(closed).isInstanceOf(TaskGroupTimeoutException.class);
                assertThat(closed.getMessage()).contains(cancelled + (cancelled == 1 ? " task was" : " tasks were"));
                assertThat(closed.failures()).isEmpty();
            }
        });
    }

    /**
     * A cancelled task that takes its interrupt cleans up in a group of its own while its canceller may
     * still be at work: the clean-up runs as usual, however the two interleave.
     */
    @Test
    void aCancelledTasksCleanUp_runsAsUsual_howeverItInterleavesWithItsCanceller() {
        Tries.forAll(1000, g -> g.choose(2000), spins -> {
            CountDownLatch waiting = new CountDownLatch(1);
            List<Object> cleanedUp = Collections.synchronizedList(new ArrayList<>());
            try (TaskGroup outer = TaskGroup.open()) {
                Task<Void> owner = outer.spawn(() -> {
                    try {
                        waiting.countDown();
                        new CountDownLatch(1).await();
                    } catch (InterruptedException cancelled) {
                        try {
                            cleanedUp.add(Coroutines.gatherSettled(List.of(() -> "cleaned up")));
                        } catch (Throwable e) {
                            cleanedUp.add(e);
                        }
                    }
                    return null;
                });
                waiting.await();
                for (int i = 0; i < 20; i++) {
                    Coroutines.asCompleted(List.of(owner)); // listeners: the canceller has more to do
                }
                spin(spins);
                assertThat(owner.cancel(true)).isTrue();
            }
            assertThat(cleanedUp).containsExactly(List.of(new Outcome.Success<>("cleaned up")));
        });
    }
}

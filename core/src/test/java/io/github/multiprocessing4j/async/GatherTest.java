package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.multiprocessing4j.function.SerializableCallable;
import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.testing.Delays;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** gather, gatherSettled, timeout and deadline. */
class GatherTest {

    @Test
    void gather_returnsTheValuesInTheOrderOfTheCalls_notOfCompletion() throws Exception {
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int n = i;
            calls.add(() -> {
                Thread.sleep(Delays.millis(5L * (8 - n))); // the last call finishes first
                return n;
            });
        }
        assertThat(Coroutines.gather(calls)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void gather_runsTheCallsConcurrently() throws Exception {
        int n = 50;
        CountDownLatch allStarted = new CountDownLatch(n);
        List<Callable<Boolean>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // each call waits for all the others to have started: this only returns if all run at once
            calls.add(() -> {
                allStarted.countDown();
                return allStarted.await(Delays.seconds(10).toMillis(), TimeUnit.MILLISECONDS);
            });
        }
        assertThat(Coroutines.gather(calls)).hasSize(n).containsOnly(true);
    }

    @Test
    void gather_varargs_allowsNullValues() throws Exception {
        List<String> values = Coroutines.gather(() -> "a", () -> null, () -> "c");
        assertThat(values).containsExactly("a", null, "c");
        assertThatThrownBy(() -> values.add("d")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void gather_whenACallFails_cancelsTheOthersAndThrowsTaskGroupException() {
        IOException boom = new IOException("boom");
        AtomicBoolean otherEnded = new AtomicBoolean();
        CountDownLatch otherStarted = new CountDownLatch(1);
        TaskGroupException e = catchThrowableOfType(TaskGroupException.class, () -> Coroutines.gather(
                () -> {
                    otherStarted.countDown();
                    try {
                        Thread.sleep(60_000);
                        return "slow";
                    } finally {
                        otherEnded.set(true);
                    }
                },
                () -> {
                    otherStarted.await();
                    throw boom;
                }));
        assertThat(e).cause().isSameAs(boom);
        assertThat(otherEnded).as("no call is left running when gather throws").isTrue();
    }

    @Test
    void gather_ofANullArray_throwsANullPointerExceptionNamingIt() {
        assertThatThrownBy(() -> Coroutines.gather((Callable<String>[]) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("calls");
    }

    @Test
    void gather_whenACallIsNull_throwsNullPointerException_andLeavesNothingRunning() {
        AtomicInteger running = new AtomicInteger();
        List<Callable<String>> calls = Arrays.asList(() -> {
            running.incrementAndGet();
            try {
                Thread.sleep(60_000);
                return "a";
            } finally {
                running.decrementAndGet();
            }
        }, null);
        assertThatThrownBy(() -> Coroutines.gather(calls)).isInstanceOf(NullPointerException.class);
        assertThat(running).as("the first call was cancelled before or while it ran, and has ended").hasValue(0);
    }

    @Test
    void gather_whenTheCallerIsInterrupted_cancelsTheCallsAndThrowsInterruptedException() throws Exception {
        AtomicInteger ended = new AtomicInteger();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(3);
        Callable<String> sleeper = () -> {
            started.countDown();
            try {
                Thread.sleep(60_000);
                return "slept";
            } finally {
                ended.incrementAndGet();
            }
        };
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                Coroutines.gather(sleeper, sleeper, sleeper);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        assertThat(started.await(Delays.seconds(10).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        caller.interrupt();
        caller.join(Delays.seconds(10));
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class).hasMessageContaining("3 were cancelled");
        assertThat(ended).hasValue(3);
    }

    @Test
    void gather_whenTheCallerIsInterruptedAgainWhileTheCallsUnwind_throwsInterruptedException_withTheStatusCleared()
            throws Exception {
        SecondInterrupt.assertInterruptedExceptionWithTheStatusCleared(call -> Coroutines.gather(call));
    }

    @Test
    void timeoutDeadlineAndGatherSettled_whenTheCallerIsInterrupted_cancelTheCallWaitForItAndThrowInterruptedException()
            throws Exception {
        List<SecondInterrupt.Operation> helpers = List.of(
                call -> Coroutines.timeout(Delays.seconds(60), call),
                call -> Coroutines.deadline(Instant.now().plus(Delays.seconds(60)), call),
                call -> Coroutines.gatherSettled(List.of(call)));
        for (SecondInterrupt.Operation helper : helpers) {
            CountDownLatch started = new CountDownLatch(1);
            AtomicBoolean ended = new AtomicBoolean();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean endedWhenThrown = new AtomicBoolean();
            AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
            Callable<String> sleeper = () -> {
                started.countDown();
                try {
                    Thread.sleep(Delays.seconds(60));
                    return "slept";
                } catch (InterruptedException e) {
                    Thread.sleep(Delays.millis(100)); // unwinds for a while: the helper must wait for it
                    throw e;
                } finally {
                    ended.set(true);
                }
            };
            Thread caller = Thread.ofVirtual().start(() -> {
                try {
                    helper.run(sleeper);
                } catch (Throwable e) {
                    endedWhenThrown.set(ended.get());
                    thrown.set(e);
                    interruptedAfter.set(Thread.currentThread().isInterrupted());
                }
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            caller.interrupt();
            caller.join(Delays.seconds(10));

            assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
            assertThat(interruptedAfter.get()).as("interrupt status after InterruptedException").isFalse();
            assertThat(endedWhenThrown).as("the call was cancelled and had ended when the helper threw").isTrue();
        }
    }

    @Test
    void timeoutDeadlineAndGatherSettled_whenTheCallerIsInterruptedAgainWhileTheCallUnwinds_clearTheStatus()
            throws Exception {
        SecondInterrupt.assertInterruptedExceptionWithTheStatusCleared(
                call -> Coroutines.timeout(Delays.seconds(60), call));
        SecondInterrupt.assertInterruptedExceptionWithTheStatusCleared(
                call -> Coroutines.deadline(Instant.now().plus(Delays.seconds(60)), call));
        SecondInterrupt.assertInterruptedExceptionWithTheStatusCleared(
                call -> Coroutines.gatherSettled(List.of(call)));
    }

    @Test
    void gatherSettled_returnsAnUnmodifiableList_withASuccessForANullValue() throws Exception {
        List<Outcome<String>> outcomes = Coroutines.gatherSettled(List.of(() -> null, () -> "b"));

        assertThat(outcomes).containsExactly(new Outcome.Success<>(null), new Outcome.Success<>("b"));
        assertThatThrownBy(() -> outcomes.add(new Outcome.Success<>("c")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void gatherSettled_returnsValuesAndExceptionsInOrder_andAFailureCancelsNothing() throws Exception {
        IOException boom = new IOException("boom");
        List<Callable<String>> calls = List.of(
                () -> "a",
                () -> {
                    throw boom;
                },
                () -> {
                    Thread.sleep(Delays.millis(50)); // still finishes although its sibling failed first
                    return "c";
                });
        List<Outcome<String>> outcomes = Coroutines.gatherSettled(calls);
        assertThat(outcomes).containsExactly(new Outcome.Success<>("a"), new Outcome.Failure<>(boom),
                new Outcome.Success<>("c"));
    }

    /**
     * What gatherSettled returns is a value like any other, as asyncio.gather(..., return_exceptions=True)'s list
     * is (it pickles): a task in a worker JVM may return it. Before, Outcome was not Serializable, and the task
     * failed with "its result cannot be sent back".
     */
    @Test
    void gatherSettled_outcomes_comeBackFromAWorkerJvm() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            SerializableCallable<List<Outcome<String>>> task = GatherTest::settleInAWorker;
            List<Outcome<String>> outcomes = pool.submit(task).get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS);
            assertThat(outcomes).hasSize(3);
            assertThat(outcomes.get(0)).isEqualTo(new Outcome.Success<>("a"));
            assertThat(outcomes.get(1)).isEqualTo(new Outcome.Success<>(null));
            assertThat(outcomes.get(2)).isInstanceOfSatisfying(Outcome.Failure.class,
                    f -> assertThat(f.exception()).isInstanceOf(IOException.class).hasMessage("b"));
        }
    }

    private static List<Outcome<String>> settleInAWorker() throws InterruptedException {
        return Coroutines.gatherSettled(() -> "a", () -> null, () -> {
            throw new IOException("b");
        });
    }

    @Test
    void gatherSettled_takesTheCallsAsArguments_asGatherDoes() throws Exception {
        // asyncio.gather(a(), b(), return_exceptions=True), written as gather(() -> a(), () -> b()) is: before, only
        // a collection compiled here
        IOException boom = new IOException("boom");
        List<Outcome<String>> outcomes = Coroutines.gatherSettled(() -> "a", () -> {
            throw boom;
        });
        assertThat(outcomes).containsExactly(new Outcome.Success<>("a"), new Outcome.Failure<>(boom));
        assertThat(Coroutines.<String>gatherSettled()).isEmpty();
        assertThatThrownBy(() -> Coroutines.gatherSettled((Callable<String>[]) null))
                .isInstanceOf(NullPointerException.class).hasMessage("calls");
    }

    /**
     * A task that calls gatherSettled is cancelled, and its interrupt is taken before gatherSettled waits (here
     * by the calls' own collection, which swallows it as it is iterated). The calls are cancelled with the
     * task (its groups are), so gatherSettled cannot report how each ended; it throws CancellationException, as
     * timeout() and gather() do, and not the IllegalStateException of exceptionNow() on a cancelled call.
     */
    @Test
    void gatherSettled_whenTheCallingTaskIsCancelledAndItsInterruptWasTaken_throwsCancellationException()
            throws Exception {
        CountDownLatch firstCallStarted = new CountDownLatch(1);
        CountDownLatch iterating = new CountDownLatch(1);
        CountDownLatch cancelReturned = new CountDownLatch(1);
        AtomicBoolean firstCallEnded = new AtomicBoolean();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        List<Callable<String>> calls = new java.util.AbstractList<>() {
            @Override
            public Callable<String> get(int i) {
                if (i == 1) {
                    // A call cancelled before its thread got to it never runs (nor its finally): the first must
                    // be running before the cancel comes, or it cannot tell that it was stopped.
                    try {
                        assertThat(firstCallStarted.await(10, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    iterating.countDown();
                    boolean done = false;
                    while (!done) {
                        try {
                            done = cancelReturned.await(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS);
                        } catch (InterruptedException swallowed) {
                            // taken here: gatherSettled will not see it
                        }
                    }
                }
                return () -> {
                    firstCallStarted.countDown();
                    try {
                        Thread.sleep(Delays.seconds(60));
                    } finally {
                        firstCallEnded.set(true);
                    }
                    return "late";
                };
            }

            @Override
            public int size() {
                return 2;
            }
        };
        try (TaskGroup group = TaskGroup.open()) {
            Task<List<Outcome<String>>> caller = group.spawn(() -> {
                try {
                    return Coroutines.gatherSettled(calls);
                } catch (Throwable e) {
                    thrown.set(e);
                    throw e;
                }
            });
            assertThat(iterating.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(caller.cancel(true)).isTrue();
            cancelReturned.countDown();
        }
        assertThat(thrown.get()).isInstanceOf(java.util.concurrent.CancellationException.class);
        assertThat(firstCallEnded).as("the call it had started was cancelled and has ended").isTrue();
    }

    @Test
    void timeout_whenTheCallReturnsInTime_returnsItsValue() throws Exception {
        assertThat(Coroutines.timeout(Delays.seconds(10), () -> "fast")).isEqualTo("fast");
    }

    @Test
    void timeout_whenTheCallFails_throwsExecutionExceptionWithItsException() {
        IOException boom = new IOException("boom");
        assertThatThrownBy(() -> Coroutines.timeout(Delays.seconds(10), () -> {
            throw boom;
        })).isInstanceOf(ExecutionException.class).cause().isSameAs(boom);
    }

    @Test
    void timeout_whenTheCallFailsWithAnExceptionWhoseToStringThrows_stillThrowsExecutionExceptionWithIt() {
        // new ExecutionException(cause) quotes cause.toString(), which threw: timeout() threw that exception's
        // IllegalStateException instead, and the call's own exception was lost (as df25c5b fixed for the pools).
        io.github.multiprocessing4j.testing.UnprintableException boom = new io.github.multiprocessing4j.testing.UnprintableException();
        assertThatThrownBy(() -> Coroutines.timeout(Delays.seconds(10), () -> {
            throw boom;
        })).isInstanceOf(ExecutionException.class)
                .hasMessageContaining(io.github.multiprocessing4j.testing.UnprintableException.class.getName())
                .cause().isSameAs(boom);
    }

    @Test
    void timeout_whenTheTimeIsUp_cancelsTheCallWaitsForItAndThrowsTimeoutException() {
        // On a loaded machine the time can be up before the call's thread has run it: cancelled before it started,
        // the call never runs (nor its finally), and there is nothing to wait for. Such a round is tried again
        // with a longer timeout; the last one leaves the call ample time to start.
        long[] millis = {100, 1_000, 10_000};
        for (int round = 0; round < millis.length; round++) {
            Duration timeout = Delays.millis(millis[round]);
            AtomicBoolean started = new AtomicBoolean();
            AtomicBoolean ended = new AtomicBoolean();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> Coroutines.timeout(timeout, () -> {
                started.set(true);
                try {
                    Thread.sleep(60_000);
                    return "slow";
                } finally {
                    ended.set(true);
                }
            })).isInstanceOf(TimeoutException.class).hasMessageContaining("timeout of " + timeout);
            if (!started.get() && round < millis.length - 1) {
                continue;
            }
            assertThat(started).as("the call started within %s", timeout).isTrue();
            assertThat(ended).as("the call has ended when timeout() throws").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(timeout)
                    .isLessThan(timeout.plus(Delays.seconds(5)));
            return;
        }
    }

    @Test
    void timeout_zeroOrNegative_doesNotStartTheCall() {
        AtomicBoolean ran = new AtomicBoolean();
        assertThatThrownBy(() -> Coroutines.timeout(Duration.ZERO, () -> ran.getAndSet(true)))
                .isInstanceOf(TimeoutException.class).hasMessageContaining("timeout of PT0S")
                .hasMessageContaining("not started").hasMessageNotContaining("cancelled");
        assertThatThrownBy(() -> Coroutines.timeout(Duration.ofMillis(-1), () -> ran.getAndSet(true)))
                .isInstanceOf(TimeoutException.class);
        assertThat(ran).isFalse();
    }

    @Test
    void timeoutOrDeadline_farInThePast_doesNotStartTheCall() {
        // A deadline whose nanoTime is near Long.MIN_VALUE: its distance to now overflowed into a huge
        // positive remaining time, and the call ran as if it had centuries.
        AtomicBoolean ran = new AtomicBoolean();
        assertThatThrownBy(() -> Coroutines.timeout(Duration.ofSeconds(Long.MIN_VALUE), () -> ran.getAndSet(true)))
                .isInstanceOf(TimeoutException.class).hasMessageContaining("not started");
        assertThatThrownBy(() -> Coroutines.timeout(Duration.ofDays(-200 * 365), () -> ran.getAndSet(true)))
                .isInstanceOf(TimeoutException.class).hasMessageContaining("not started");
        assertThatThrownBy(() -> Coroutines.deadline(Instant.MIN, () -> ran.getAndSet(true)))
                .isInstanceOf(TimeoutException.class).hasMessageContaining("not started");
        assertThat(ran).isFalse();
    }

    @Test
    void timeoutOrDeadline_farInTheFuture_runsTheCall() throws Exception {
        assertThat(Coroutines.timeout(Duration.ofSeconds(Long.MAX_VALUE), () -> 1)).isEqualTo(1);
        assertThat(Coroutines.deadline(Instant.MAX, () -> 2)).isEqualTo(2);
    }

    @Test
    void deadline_inTheFuture_behavesAsATimeout_andInThePastDoesNotStartTheCall() throws Exception {
        assertThat(Coroutines.deadline(Instant.now().plus(Delays.seconds(10)), () -> 1)).isEqualTo(1);
        assertThatThrownBy(() -> Coroutines.deadline(Instant.now().plus(Delays.millis(50)), () -> {
            Thread.sleep(60_000);
            return 2;
        })).isInstanceOf(TimeoutException.class).hasMessageContaining("deadline ");
        AtomicBoolean ran = new AtomicBoolean();
        assertThatThrownBy(() -> Coroutines.deadline(Instant.now().minusSeconds(1), () -> ran.getAndSet(true)))
                .isInstanceOf(TimeoutException.class).hasMessageContaining("not started");
        assertThat(ran).isFalse();
    }
}

package io.github.multiprocessing4j.internal.pool;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskFuture} under Lincheck's model checker: an engine completing a task's future (with a result, a
 * failure, or a {@link CancellationException} for a task it gave up) races callers cancelling it. Exactly one
 * of them wins, the others answer false (a cancel answers true when the future ends cancelled, as
 * {@code CompletableFuture.cancel} does), and {@code get()} agrees with the winner: checked for
 * linearizability against a four-state future ({@link Outcome}).
 *
 * <p>Run with no canceller, with a canceller told after the cancel, and with one told first
 * ({@link TaskFuture#canceller(TaskFuture.Canceller, boolean)}); a {@link Validate} check after each run says
 * that a cancel that answered true told the canceller, and, told after, that it was told once for each such
 * cancel and for no other (told first, it may also be told of a cancel that lost, as its javadoc says).
 */
@Tag("lincheck")
class TaskFutureLincheckTest {

    /** The operations Lincheck runs; public, as Lincheck calls them reflectively. */
    @Param(name = "value", gen = IntGen.class, conf = "1:2")
    public abstract static class Operations {
        final TaskFuture<Integer> future = new TaskFuture<>();
        final AtomicInteger cancelsAnsweredTrue = new AtomicInteger();
        /** Null for no canceller. */
        final Counter counter;

        Operations(Counter counter) {
            this.counter = counter;
        }

        @Operation
        public boolean complete(@Param(name = "value") int value) {
            return future.complete(value);
        }

        @Operation
        public boolean fail() {
            return future.completeExceptionally(new IllegalStateException("task failed"));
        }

        /** How an engine ends the future of a task it gave up (its worker was killed, say). */
        @Operation
        public boolean giveUp() {
            return future.completeExceptionally(new CancellationException("given up"));
        }

        @Operation
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = future.cancel(mayInterruptIfRunning);
            if (cancelled) {
                cancelsAnsweredTrue.incrementAndGet();
            }
            return cancelled;
        }

        /** What {@code get()} says, once the future is done; "pending" before. */
        @Operation
        public String outcome() throws InterruptedException {
            if (!future.isDone()) {
                return "pending";
            }
            try {
                return "value " + future.get();
            } catch (CancellationException e) {
                return "cancelled";
            } catch (ExecutionException e) {
                return "failed";
            }
        }

        /**
         * After each run: a cancel that answered true told the canceller (a future the engine gave up ends
         * cancelled with nobody to tell). See each kind for more.
         */
        @Validate
        public void validate() {
            if (counter != null && cancelsAnsweredTrue.get() > 0 && counter.told.get() == 0) {
                throw new AssertionError("cancel answered true, canceller never told: " + future);
            }
        }
    }

    /** A canceller that counts its calls (a class, not a lambda, whose captured field Lincheck warns about). */
    static final class Counter implements TaskFuture.Canceller {
        final AtomicInteger told = new AtomicInteger();

        @Override
        public void cancelled(boolean mayInterruptIfRunning) {
            told.incrementAndGet();
        }
    }

    public static final class NoCanceller extends Operations {
        public NoCanceller() {
            super(null);
        }
    }

    /** Told after the cancel won: told once for each cancel that answered true, and only then. */
    public static final class ToldAfter extends Operations {
        public ToldAfter() {
            super(new Counter());
            future.canceller(counter);
        }

        @Override
        public void validate() {
            super.validate();
            if (counter.told.get() != cancelsAnsweredTrue.get()) {
                throw new AssertionError("canceller told " + counter.told.get() + " times, cancel answered true "
                        + cancelsAnsweredTrue.get() + " times: " + future);
            }
        }
    }

    /** Told first: may be told of a cancel that then loses to a completion, as its javadoc says. */
    public static final class ToldFirst extends Operations {
        public ToldFirst() {
            super(new Counter());
            future.canceller(counter, true);
        }
    }

    /** The sequential specification: a future that is pending, or has a value, a failure, or was cancelled. */
    public static final class Outcome {
        private String state = "pending";

        public Outcome() {
        }

        public boolean complete(int value) {
            return end("value " + value);
        }

        public boolean fail() {
            return end("failed");
        }

        public boolean giveUp() {
            return end("cancelled");
        }

        public boolean cancel(boolean mayInterruptIfRunning) {
            end("cancelled");
            return state.equals("cancelled");
        }

        public String outcome() {
            return state;
        }

        private boolean end(String outcome) {
            if (!state.equals("pending")) {
                return false;
            }
            state = outcome;
            return true;
        }
    }

    private static void check(Class<? extends Operations> operations) {
        // Scenarios of 3 threads x 2 operations on a pending future (no operations before them, which would
        // mostly complete it and leave nothing to race), then 2 in the main thread; the bounds keep each run
        // near 5 s on a busy 2-core machine.
        new ModelCheckingOptions()
                .sequentialSpecification(Outcome.class)
                .iterations(10)
                .invocationsPerIteration(200)
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(0)
                .actorsAfter(2)
                .check(operations);
    }

    @Test
    void withoutCanceller_oneCompletionWins_andGetAgrees() {
        check(NoCanceller.class);
    }

    @Test
    void withCancellerToldAfter_oneCompletionWins_andGetAgrees() {
        check(ToldAfter.class);
    }

    @Test
    void withCancellerToldFirst_oneCompletionWins_andGetAgrees() {
        check(ToldFirst.class);
    }
}

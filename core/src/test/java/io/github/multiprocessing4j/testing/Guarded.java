package io.github.multiprocessing4j.testing;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one try of a property on a helper thread and reports what it returned or threw, with how many bytes
 * it allocated: a decoder fed garbage must neither hang (the generous deadline is there only to turn a hang
 * into a failure, nothing waits for it otherwise), nor allocate far beyond its input.
 */
public final class Guarded {
    private static final long DEADLINE_SECONDS = 60;
    private static final ExecutorService RUNNER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "property-try");
        t.setDaemon(true);
        return t;
    });

    /** What a call did: its value or what it threw (never both), and the bytes its thread allocated. */
    public record Outcome<T>(T value, Throwable thrown, long allocatedBytes) {
    }

    private Guarded() {
    }

    public static <T> Outcome<T> call(Callable<T> action) {
        Future<Outcome<T>> future = RUNNER.submit(() -> {
            long before = Allocation.ofCurrentThread();
            T value = null;
            Throwable thrown = null;
            try {
                value = action.call();
            } catch (Throwable t) {
                thrown = t;
            }
            return new Outcome<>(value, thrown, Allocation.ofCurrentThread() - before);
        });
        try {
            return future.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionError("still running after " + DEADLINE_SECONDS + " s: a hang", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }
}

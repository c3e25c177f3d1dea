package io.github.multiprocessing4j.internal.pool;

import java.util.concurrent.CancellationException;

/**
 * What a pool's {@code shutdownNow()} lists for a queued task it cancelled: the task's future is cancelled,
 * so this cannot run it; running it throws {@link CancellationException}, and its {@code toString()} names
 * the task, for a log. Not for a runnable given to {@code execute()} that nothing can have run: that is listed
 * as itself, as a JDK executor lists it; a process pool's task sent ahead to a worker, or queued to run again
 * after its worker died running it or was killed by the pool while holding it, may have run, and gets one of these
 * even then.
 *
 * <pre>{@code
 * for (Runnable r : pool.shutdownNow()) {
 *     log.info("never started: " + r);   // "never started: task 7 (APPLY, pending)"
 * }
 * }</pre>
 *
 * @param description the task, as a log names it
 */
record NeverStarted(String description) implements Runnable {
    @Override
    public void run() {
        throw new CancellationException(description + " was cancelled by shutdownNow()");
    }

    @Override
    public String toString() {
        return description;
    }
}

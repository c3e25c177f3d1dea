package io.github.multiprocessing4j.pool;

import java.io.Serial;
import java.time.Duration;

/**
 * A task ran longer than the pool's task timeout. In a {@link ProcessPool} its worker was killed at the
 * deadline and replaced; in a thread pool its thread was interrupted (a thread cannot be killed, so a task
 * that ignores interrupts keeps its thread busy: only a process can be stopped for sure). It arrives as
 * the cause of an {@link java.util.concurrent.ExecutionException} or
 * {@link java.util.concurrent.CompletionException}.
 *
 * {@snippet :
 * try (ProcessPool pool = ProcessPool.builder().taskTimeout(Duration.ofSeconds(30)).build()) {
 *     pool.apply(file -> parse(file), suspiciousFile);
 * } catch (ExecutionException e) {
 *     if (e.getCause() instanceof TaskTimeoutException t) {
 *         System.err.println("gave up after " + t.timeout());   // the worker was killed and replaced
 *     } else {
 *         throw e;                                              // the task's own failure, or a crash
 *     }
 * }
 * }
 */
public class TaskTimeoutException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    public TaskTimeoutException(String message, Duration timeout) {
        super(message);
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }
}

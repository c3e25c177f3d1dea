package io.github.multiprocessing4j.pool;

import java.io.Serial;
import java.util.OptionalInt;

/**
 * The worker process running a task died: it exited ({@code System.exit}, {@code Runtime.halt}), ran out
 * of memory, was killed from outside, or crashed in native code; or the pool killed it because it broke the
 * pool's protocol (it sent something other than the outcome of its running task). Only the task it was
 * running fails with this; the pool starts a replacement and serves the rest. It arrives as the cause of an
 * {@link java.util.concurrent.ExecutionException} or {@link java.util.concurrent.CompletionException}.
 *
 * <p>The message names the worker's pid, its exit code or the signal that killed it, and the last lines
 * of its stderr, which usually say why (for example {@code Terminating due to java.lang.OutOfMemoryError}).
 *
 * {@snippet :
 * try {
 *     pool.apply(s -> renderNatively(s), scene);
 * } catch (ExecutionException e) {
 *     if (e.getCause() instanceof WorkerCrashedException crash) {   // only this task failed; the pool goes on
 *         System.err.println(crash.getMessage());   // the worker, its pid, exit code or signal, stderr's tail
 *     } else {
 *         throw e;                                  // the task's own failure, or a timeout
 *     }
 * }
 * }
 */
public class WorkerCrashedException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final long pid;
    private final int exitCode;
    private final int signal;
    private final String stderrTail;

    public WorkerCrashedException(String message, long pid, int exitCode, int signal, String stderrTail) {
        super(message);
        this.pid = pid;
        this.exitCode = exitCode;
        this.signal = signal;
        this.stderrTail = stderrTail;
    }

    public long pid() {
        return pid;
    }

    /** The exit value as the JDK reports it (128 + N after death by signal N). */
    public int exitCode() {
        return exitCode;
    }

    /** The signal that killed the worker (9 for SIGKILL, 11 for SIGSEGV...), if it died by one. */
    public OptionalInt signal() {
        return signal == 0 ? OptionalInt.empty() : OptionalInt.of(signal);
    }

    /** The last lines the worker wrote to stderr, possibly empty. */
    public String stderrTail() {
        return stderrTail;
    }
}

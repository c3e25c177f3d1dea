package io.github.multiprocessing4j.process;

import java.io.Serial;
import java.util.OptionalInt;

/**
 * A child JVM could not be started: it exited (or stayed silent past the deadline) before it started its task
 * (a child started with its task) or connected back to its parent (a pool's worker, a spare). Typical causes are a bad JVM option, too little memory, or a class path the child
 * cannot read. The message carries the exit status and the last lines of the child's stderr, which
 * usually name the cause.
 *
 * <p>Its process may also not have been created at all: the {@code java} executable is gone or not executable,
 * the operating system refused the fork (a process limit: EAGAIN), no file descriptor was left for its pipes. The
 * message then names the executable and the operating system's error, the cause is the {@link java.io.IOException}
 * of {@link ProcessBuilder#start()}, {@link #pid()} is -1 and there is no exit code.
 *
 * {@snippet :
 * try (JvmProcess child = JvmProcess.builder().task(task).jvmOptions(List.of("-XX:+UseZGCC")).start()) {
 *     child.join();
 * } catch (ProcessStartException e) {
 *     System.err.println(e.getMessage());   // "child JVM (pid 4242) exited with exit code 1 before it
 *                                           //  started. Last lines of its stderr: Unrecognized VM option 'UseZGCC'..."
 * }
 * }
 */
public class ProcessStartException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final long pid;
    private final Integer exitCode;
    private final String stderrTail;

    public ProcessStartException(String message, long pid, OptionalInt exitCode, String stderrTail) {
        super(message);
        this.pid = pid;
        this.exitCode = exitCode.isPresent() ? exitCode.getAsInt() : null;
        this.stderrTail = stderrTail;
    }

    /** The child's pid, or -1 if no child process was created (or the start was interrupted before one was). */
    public long pid() {
        return pid;
    }

    /** The child's exit value, empty if it was still alive (and then killed) when the launch gave up. */
    public OptionalInt exitCode() {
        return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }

    /** The last lines the child wrote to stderr, possibly empty. */
    public String stderrTail() {
        return stderrTail;
    }
}

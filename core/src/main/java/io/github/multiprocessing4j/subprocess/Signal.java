package io.github.multiprocessing4j.subprocess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The POSIX signals {@link Subprocess#sendSignal} can send, by name: the numbers differ between Linux and
 * macOS ({@code USR1} is 10 on one and 30 on the other), the names do not.
 *
 * <p>{@link #TERM} and {@link #KILL} go through the JDK ({@link Process#destroy()},
 * {@link Process#destroyForcibly()}); the JDK has no call for the others, so they are sent by the shell's
 * built-in {@code kill} ({@code /bin/sh -c 'kill -s NAME pid'}), which costs a process launch (about a
 * millisecond) and needs no {@code kill} executable (procps, which slim container images leave out). Unix only.
 *
 * <p>A signal that arrives before the command has set up its handler gets the default action, which for
 * most signals (USR1 included) ends the command: wait until it says it is ready, as a Python
 * {@code send_signal} right after {@code Popen} must too.
 *
 * {@snippet :
 * try (Subprocess worker = Subprocess.command("python3", "worker.py").stdout(Redirect.PIPE).start();
 *      Stream<String> lines = worker.stdoutLines()) {
 *     Iterator<String> out = lines.iterator();
 *     out.next();                       // worker.py prints "ready" once its USR1 handler is installed
 *     worker.sendSignal(Signal.USR1);   // same name on Linux and macOS, whatever the number
 *     worker.sendSignal(Signal.INT);    // as Ctrl-C: KeyboardInterrupt in the Python code
 *     int status = worker.waitFor();
 * }
 * }
 */
public enum Signal {
    /** Hangup: many daemons reload their configuration. */
    HUP,
    /** Interrupt, as Ctrl-C sends. */
    INT,
    /** Quit, as Ctrl-\ sends; a JVM prints a thread dump. */
    QUIT,
    /** Abort. */
    ABRT,
    /** Kill; cannot be caught. */
    KILL,
    /** User-defined signal 1. */
    USR1,
    /** User-defined signal 2. */
    USR2,
    /** Alarm clock. */
    ALRM,
    /** Termination request; the default of {@code kill}. */
    TERM,
    /** Continue a stopped process. */
    CONT,
    /** Stop; cannot be caught. */
    STOP,
    /** Terminal stop, as Ctrl-Z sends. */
    TSTP,
    /** Window size change. */
    WINCH;

    /**
     * Sends this signal to {@code process} if it is alive; see the class comment for how. A process that
     * exits while the signal is on its way is not an error, as in Python's {@code send_signal} (which
     * ignores {@code ProcessLookupError}).
     */
    void sendTo(ProcessHandle process) throws IOException, InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        switch (this) {
            case TERM -> process.destroy();
            case KILL -> process.destroyForcibly();
            default -> runKill(process);
        }
    }

    private void runKill(ProcessHandle process) throws IOException, InterruptedException {
        long pid = process.pid();
        // the shell's kill, not a kill executable: procps may not be installed, and the PATH may not find it
        Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -s " + name() + " \"$1\"", "sh", Long.toString(pid))
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Redirects.NULL_FILE))
                .start();
        String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int code = kill.waitFor();
        // a failure for a process that is gone by now is kill finding no such process: it exited after our check
        if (code != 0 && process.isAlive()) {
            throw new IOException("could not send SIG" + name() + " to pid " + pid + ": kill exited with "
                    + code + (output.isEmpty() ? "" : ": " + output));
        }
    }
}

package io.github.multiprocessing4j.internal.launch;

/**
 * Reads a child's exit value the way the JDK reports it on Unix: a normal exit gives its code, death by
 * signal N gives 128 + N.
 */
public final class ExitStatus {
    private static final String[] SIGNALS = {
        null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
        "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
    };

    private ExitStatus() {
    }

    /** The signal that killed the process, or 0 if it exited normally (as far as the code tells). */
    public static int signal(int exitValue) {
        return exitValue > 128 && exitValue < 128 + 32 ? exitValue - 128 : 0;
    }

    public static String signalName(int signal) {
        return signal > 0 && signal < SIGNALS.length ? SIGNALS[signal] : "signal " + signal;
    }

    /**
     * "exit code 3", or "exit value 137 (killed by SIGKILL, unless it exited with that code itself)": the
     * JDK reports death by signal N and {@code exit(128 + N)} alike, so the signal is the likely reading,
     * not a certain one (shells exit with 130 after a Ctrl-C, for one).
     */
    public static String describe(int exitValue) {
        int signal = signal(exitValue);
        if (signal == 0) {
            return "exit code " + exitValue;
        }
        return "exit value " + exitValue + " (killed by " + signalName(signal)
                + ", unless it exited with that code itself)";
    }
}

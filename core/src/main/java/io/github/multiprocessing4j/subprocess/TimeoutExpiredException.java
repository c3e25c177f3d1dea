package io.github.multiprocessing4j.subprocess;

import java.io.Serial;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A command did not finish within its timeout: Python's {@code TimeoutExpired}.
 *
 * <p>From {@link Subprocess.Builder#run()} (and {@link Pipeline#run()}) the command's whole process tree
 * has been killed when this is thrown, and {@link #killedPids()} lists it; {@link #stdout()} and
 * {@link #stderr()} hold everything the tree wrote before it died. From
 * {@link Subprocess#communicate(byte[], Duration)} nothing is killed, as in Python: the process still
 * runs (or has exited, and a process it left behind holds its output open; the message says which), the
 * output read so far is in this exception and will also be in the result of the next {@code communicate}.
 *
 * {@snippet :
 * try {
 *     Subprocess.command("sh", "-c", "echo started; sleep 60").captureOutput()
 *             .timeout(Duration.ofSeconds(1)).run();
 * } catch (TimeoutExpiredException e) {
 *     e.stdout();      // "started\n"
 *     e.killedPids();  // [the shell, sleep]
 * }
 * }
 *
 * Unchecked, for the reason given on {@link SubprocessException}.
 */
public final class TimeoutExpiredException extends SubprocessException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final Duration timeout;
    private final List<Long> killedPids;

    /**
     * @param killedPids what was killed; empty if nothing was (a {@code communicate} timeout leaves the
     *                   command running; after a {@code run} timeout, the command may have exited already)
     * @param running    whether the command is left running ({@code communicate}), rather than killed or
     *                   exited with its output not yet at its end (a process it started may hold it open)
     * @param stderrMerged whether stderr went into stdout ({@code stderrToStdout()}): the message then quotes the
     *                   last lines of stdout
     */
    TimeoutExpiredException(String what, List<String> args, Duration timeout, List<Long> killedPids, boolean running,
            CapturedBytes stdout, CapturedBytes stderr, boolean stderrMerged, Charset charset) {
        super(message(what, timeout, killedPids, running, stderr, stderr == null && stderrMerged ? stdout : null,
                charset), args, stdout, stderr, charset);
        this.timeout = timeout;
        this.killedPids = List.copyOf(killedPids);
    }

    /** @param merged stdout with stderr merged into it, or null if stderr was not merged (or stdout not captured) */
    private static String message(String what, Duration timeout, List<Long> killed, boolean running,
            CapturedBytes stderr, CapturedBytes merged, Charset charset) {
        String outcome;
        if (!killed.isEmpty()) {
            outcome = "; killed its process tree, pids " + killed;
        } else if (!running) {
            outcome = "; it had exited, but its output had not reached its end yet (a process it started, no longer in"
                    + " its tree, may hold it open)";
        } else {
            outcome = " (still running)";
        }
        String m = what + " timed out after " + seconds(timeout) + outcome;
        if (merged != null) {
            String output = tail(merged, charset);
            return output.isEmpty() ? m : m + "; last lines of its output (stderr merged into stdout):\n" + output;
        }
        String tail = tail(stderr, charset);
        return tail.isEmpty() ? m : m + "; last lines of stderr:\n" + tail;
    }

    /** "2 s", "0.250 s"; without toMillis() or toNanos(), which overflow for the longest durations. */
    private static String seconds(Duration d) {
        return d.getNano() < 1_000_000 ? d.getSeconds() + " s"
                : String.format(Locale.ROOT, "%.3f s", d.getSeconds() + d.getNano() / 1e9);
    }

    /** The timeout that expired. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * The pids of the processes that were killed, the command first, then its descendants as found just
     * before the kill; empty when the process was left running ({@link Subprocess#communicate}).
     */
    public List<Long> killedPids() {
        return killedPids;
    }
}

package io.github.multiprocessing4j.subprocess;

import io.github.multiprocessing4j.internal.launch.ExitStatus;
import java.io.Serial;
import java.nio.charset.Charset;
import java.util.List;

/**
 * A command run with {@link Subprocess.Builder#check()} exited with a non-zero status: Python's
 * {@code CalledProcessError}. The message names the command and the status, and when stderr was captured,
 * ends with its last lines (with stderr merged into stdout, {@code stderrToStdout()}, those of the output):
 *
 * {@snippet :
 * try {
 *     Subprocess.command("ls", "/nowhere").captureOutput().check().run();
 * } catch (CalledProcessException e) {
 *     e.returnCode(); // 2
 *     e.getMessage(); // "command [ls, /nowhere] returned non-zero exit status 2; last lines of stderr:
 *                     //  ls: cannot access '/nowhere': No such file or directory"
 * }
 * }
 *
 * Unchecked, for the reason given on {@link SubprocessException}.
 */
public final class CalledProcessException extends SubprocessException {
    @Serial
    private static final long serialVersionUID = 1L;
    /** What the message says of a command's stderr that was not captured, on its own or merged into stdout. */
    private static final String NOT_CAPTURED = "stderr was not captured on its own: captureOutput() without "
            + "stderrToStdout() puts its last lines in this message";

    private final int returnCode;
    private final String stderrTail;

    /** @param stderrMerged whether stderr went into stdout ({@code stderrToStdout()}), so that stdout holds it */
    CalledProcessException(String what, List<String> args, int returnCode, CapturedBytes stdout,
            CapturedBytes stderr, boolean stderrMerged, Charset charset) {
        this(what, args, returnCode, stdout, stderr, stderrMerged, charset, NOT_CAPTURED);
    }

    /** @param notCaptured what the message says when neither stderr nor stdout with stderr merged was captured */
    CalledProcessException(String what, List<String> args, int returnCode, CapturedBytes stdout,
            CapturedBytes stderr, boolean stderrMerged, Charset charset, String notCaptured) {
        this(what, args, returnCode, stdout, stderr, stderrMerged, charset, notCaptured, tail(stderr, charset));
    }

    private CalledProcessException(String what, List<String> args, int returnCode, CapturedBytes stdout,
            CapturedBytes stderr, boolean stderrMerged, Charset charset, String notCaptured, String stderrTail) {
        super(message(what, returnCode, stderr, stderrTail, stderrMerged ? stdout : null, notCaptured, charset), args,
                stdout, stderr, charset);
        this.returnCode = returnCode;
        this.stderrTail = stderrTail;
    }

    static CalledProcessException of(CompletedProcess p) {
        return new CalledProcessException("command " + display(p.args()), p.args(), p.returnCode(),
                p.capturedStdout(), p.capturedStderr(), p.stderrMerged(), p.charset());
    }

    /** @param merged stdout with stderr merged into it, or null if stderr was not merged (or stdout not captured) */
    private static String message(String what, int code, CapturedBytes stderr, String tail, CapturedBytes merged,
            String notCaptured, Charset charset) {
        int signal = ExitStatus.signal(code);
        String status = signal == 0
                ? what + " returned non-zero exit status " + code
                : what + " ended with " + ExitStatus.describe(code);
        if (stderr == null && merged != null) {
            String output = tail(merged, charset);
            return output.isEmpty() ? status + "; its output was empty (stderr merged into stdout)"
                    : status + "; last lines of its output (stderr merged into stdout):\n" + output;
        }
        if (stderr == null) {
            return status + " (" + notCaptured + ")";
        }
        return tail.isEmpty() ? status + "; stderr was empty" : status + "; last lines of stderr:\n" + tail;
    }

    /**
     * The exit status: the code the command exited with, or 128 + N if signal N killed it (the JDK's and
     * the shell's convention; Python reports -N).
     */
    public int returnCode() {
        return returnCode;
    }

    /** The last lines of stderr (as in the message), or "" if stderr was empty or not captured. */
    public String stderrTail() {
        return stderrTail;
    }
}

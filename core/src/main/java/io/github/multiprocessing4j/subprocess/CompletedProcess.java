package io.github.multiprocessing4j.subprocess;

import java.nio.charset.Charset;
import java.util.List;

/**
 * A command that has finished: what {@link Subprocess.Builder#run()} and {@link Subprocess#communicate}
 * return. Python's {@code CompletedProcess}.
 *
 * {@snippet :
 * CompletedProcess done = Subprocess.command("git", "rev-parse", "HEAD").captureOutput().run();
 * if (done.returnCode() == 0) {
 *     String commit = done.stdout().strip();
 * }
 * }
 *
 * <p>Output is available as text, decoded with the builder's {@linkplain Subprocess.Builder#charset
 * charset} (UTF-8 unless set; malformed bytes become U+FFFD, where Python's {@code text=True} raises
 * {@code UnicodeDecodeError}; line ends are left as written, where Python turns {@code \r\n} into
 * {@code \n}), and as bytes. Only captured streams can be
 * read: asking for a stream that went elsewhere (inherited, discarded, to a file, or merged into stdout)
 * throws {@link IllegalStateException} naming where it went, where Python would give {@code None}.
 *
 * <p><b>Thread-safety:</b> immutable; any thread may call any method. The byte forms return a new array
 * at each call.
 */
public final class CompletedProcess {
    /** Where stderr went, as {@code stderrAbsence} says it, when it was merged into stdout. */
    static final String MERGED_INTO_STDOUT = "stdout (stderrToStdout())";

    private final List<String> args;
    private final int returnCode;
    private final CapturedBytes stdout;
    private final CapturedBytes stderr;
    private final String stdoutAbsence;
    private final String stderrAbsence;
    /** What to do to capture stdout, for the message of a stream that was not captured. */
    private final String stdoutHint;
    private final String stderrHint;
    private final Charset charset;

    /**
     * The result of one command, whose streams are captured by setting its builder.
     *
     * @param stdout        the captured bytes, or null if not captured
     * @param stdoutAbsence where stdout went when it was not captured, e.g. "INHERIT"
     */
    CompletedProcess(List<String> args, int returnCode, CapturedBytes stdout, String stdoutAbsence,
            CapturedBytes stderr, String stderrAbsence, Charset charset) {
        this(args, returnCode, stdout, stdoutAbsence, hint("stdout"), stderr, stderrAbsence, hint("stderr"), charset);
    }

    /**
     * @param stdoutHint how to capture stdout, for the message of {@link #stdout()} when it was not captured
     */
    CompletedProcess(List<String> args, int returnCode, CapturedBytes stdout, String stdoutAbsence, String stdoutHint,
            CapturedBytes stderr, String stderrAbsence, String stderrHint, Charset charset) {
        this.args = List.copyOf(args);
        this.returnCode = returnCode;
        this.stdout = stdout;
        this.stderr = stderr;
        this.stdoutAbsence = stdoutAbsence;
        this.stderrAbsence = stderrAbsence;
        this.stdoutHint = stdoutHint;
        this.stderrHint = stderrHint;
        this.charset = charset;
    }

    private static String hint(String stream) {
        return "call captureOutput() or " + stream + "(Redirect.PIPE) on the builder to capture it";
    }

    /** The command and its arguments, as given to {@link Subprocess#command(String...)}. */
    public List<String> args() {
        return args;
    }

    /**
     * The exit status: the code the command exited with, or 128 + N if signal N killed it (the JDK's and
     * the shell's convention; Python reports -N). 137 after a SIGKILL, 143 after a SIGTERM.
     */
    public int returnCode() {
        return returnCode;
    }

    /**
     * Stdout decoded as text.
     *
     * @throws IllegalStateException if stdout was not captured
     */
    public String stdout() {
        return require(stdout, "stdout", stdoutAbsence, stdoutHint).decode(charset);
    }

    /**
     * Stderr decoded as text.
     *
     * @throws IllegalStateException if stderr was not captured (or was merged into stdout)
     */
    public String stderr() {
        return require(stderr, "stderr", stderrAbsence, stderrHint).decode(charset);
    }

    /**
     * Stdout as bytes, in a new array.
     *
     * @throws IllegalStateException if stdout was not captured
     */
    public byte[] stdoutBytes() {
        return require(stdout, "stdout", stdoutAbsence, stdoutHint).toArray();
    }

    /**
     * Stderr as bytes, in a new array.
     *
     * @throws IllegalStateException if stderr was not captured (or was merged into stdout)
     */
    public byte[] stderrBytes() {
        return require(stderr, "stderr", stderrAbsence, stderrHint).toArray();
    }

    /**
     * Returns this if the return code is 0; Python's {@code check_returncode()}.
     *
     * @throws CalledProcessException if it is not
     */
    public CompletedProcess checkReturnCode() {
        if (returnCode != 0) {
            throw CalledProcessException.of(this);
        }
        return this;
    }

    CapturedBytes capturedStdout() {
        return stdout;
    }

    /** Whether stderr went into stdout ({@code stderrToStdout()}): then stdout holds both. */
    boolean stderrMerged() {
        return MERGED_INTO_STDOUT.equals(stderrAbsence);
    }

    CapturedBytes capturedStderr() {
        return stderr;
    }

    Charset charset() {
        return charset;
    }

    private CapturedBytes require(CapturedBytes bytes, String stream, String absence, String hint) {
        if (bytes == null) {
            throw new IllegalStateException(stream + " of " + SubprocessException.display(args)
                    + " was not captured: it went to " + absence + "; " + hint);
        }
        return bytes;
    }

    @Override
    public String toString() {
        return "CompletedProcess[args=" + args + ", returnCode=" + returnCode
                + ", stdout=" + (stdout == null ? stdoutAbsence : stdout.size() + " bytes")
                + ", stderr=" + (stderr == null ? stderrAbsence : stderr.size() + " bytes") + "]";
    }
}

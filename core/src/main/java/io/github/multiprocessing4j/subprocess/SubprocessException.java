package io.github.multiprocessing4j.subprocess;

import java.io.Serial;
import java.nio.charset.Charset;
import java.util.List;

/**
 * A command did not end the way the caller asked for: it timed out ({@link TimeoutExpiredException}) or,
 * with {@link Subprocess.Builder#check()}, exited with a non-zero status ({@link CalledProcessException}).
 * Python's {@code subprocess.SubprocessError}.
 *
 * <p><b>Why unchecked.</b> Both are raised only when the caller asked for them, by setting a timeout or
 * {@code check()}, so a caller that did neither must not be made to catch them; and a caller that did
 * usually lets them propagate, as Python code does. They carry what a handler needs: the command, the
 * output captured so far (empty for a stream that was not captured), and in the message the exit status or
 * timeout and the last lines of stderr. Failures of the operating system (a missing executable, an
 * unreadable directory) stay {@link java.io.IOException}s, as with {@link ProcessBuilder}.
 *
 * <p>The captured output is kept with the exception but not serialized with it.
 *
 * {@snippet :
 * try {
 *     Subprocess.command("make", "test").captureOutput().check().timeout(Duration.ofMinutes(5)).run();
 * } catch (SubprocessException e) {                       // CalledProcessException or TimeoutExpiredException
 *     System.err.println(e.getMessage());                 // the command, its status or timeout, stderr's last lines
 *     Files.writeString(Path.of("test.log"), e.stdout()); // what it printed before it failed
 * }
 * }
 */
public abstract sealed class SubprocessException extends RuntimeException
        permits CalledProcessException, TimeoutExpiredException {
    @Serial
    private static final long serialVersionUID = 1L;
    static final int TAIL_LINES = 10;
    private static final int TAIL_BYTES = 4096;

    private final List<String> args;
    private final transient CapturedBytes stdout;
    private final transient CapturedBytes stderr;
    /** Kept with the output, and like it not serialized: a Charset is not Serializable. */
    private final transient Charset charset;

    SubprocessException(String message, List<String> args, CapturedBytes stdout, CapturedBytes stderr, Charset charset) {
        super(message);
        this.args = List.copyOf(args);
        this.stdout = stdout;
        this.stderr = stderr;
        this.charset = charset;
    }

    /** The command; for a pipeline, every stage's arguments with {@code "|"} between stages. */
    public List<String> args() {
        return args;
    }

    /**
     * What the command wrote to stdout before it failed, decoded as {@link CompletedProcess#stdout()} decodes
     * (malformed bytes become U+FFFD); empty if stdout was not captured.
     */
    public String stdout() {
        return stdout == null ? "" : stdout.decode(charset); // not looked up by name: the application may have made it
    }

    /** What the command wrote to stderr before it failed, decoded; empty if stderr was not captured. */
    public String stderr() {
        return stderr == null ? "" : stderr.decode(charset);
    }

    /** {@link #stdout()} as bytes, in a new array. */
    public byte[] stdoutBytes() {
        return stdout == null ? new byte[0] : stdout.toArray();
    }

    /** {@link #stderr()} as bytes, in a new array. */
    public byte[] stderrBytes() {
        return stderr == null ? new byte[0] : stderr.toArray();
    }

    /** "[sh, -c, exit 3]": how messages show a command. */
    static String display(List<String> args) {
        return args.toString();
    }

    /** The last {@value #TAIL_LINES} lines of {@code stderr} (at most 4 KiB), or "" if there is none. */
    static String tail(CapturedBytes stderr, Charset charset) {
        if (stderr == null || stderr.size() == 0) {
            return "";
        }
        byte[] end = stderr.last(TAIL_BYTES); // not all of it: there may be more than an array holds
        String text = new String(end, charset);
        if (stderr.size() > end.length) {
            // The byte limit may have cut a character: the bytes left of it decode as U+FFFD (one each in UTF-8,
            // at most three), which the command never wrote.
            int from = 0;
            while (from < Math.min(3, text.length()) && text.charAt(from) == '\uFFFD') {
                from++;
            }
            text = text.substring(from);
        }
        text = text.strip();
        String[] lines = text.split("\r?\n"); // "\r\n" ends a line too (Windows tools): no \r left in the message
        int first = Math.max(0, lines.length - TAIL_LINES);
        if (stderr.size() > end.length && first == 0 && lines.length > 1) {
            first = 1; // the first line was cut by the byte limit
        }
        return String.join("\n", List.of(lines).subList(first, lines.length));
    }
}

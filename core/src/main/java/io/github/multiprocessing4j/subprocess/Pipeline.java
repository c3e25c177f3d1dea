package io.github.multiprocessing4j.subprocess;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Commands connected stdout to stdin, {@code a | b | c}, as a shell connects them: made by
 * {@link Subprocess#pipeline}, run by {@link #run()}. The data flows through operating system pipes
 * between the commands ({@link ProcessBuilder#startPipeline}); only the first stage's input and the last
 * stage's output pass through this JVM, and only if asked.
 *
 * {@snippet :
 * // ps aux | grep java | wc -l
 * CompletedPipeline count = Subprocess.pipeline(
 *                 Subprocess.command("ps", "aux"),
 *                 Subprocess.command("grep", "java"),
 *                 Subprocess.command("wc", "-l"))
 *         .captureOutput()
 *         .timeout(Duration.ofSeconds(5))
 *         .run();
 * int javas = Integer.parseInt(count.stdout().strip());
 * }
 *
 * <p>The stages' builders give each command, with its {@code cwd}, {@code env} and stderr
 * ({@code stderr(...)} or {@code stderrToStdout()}, which sends that stage's stderr down the pipe). What
 * concerns the whole pipeline is set here, and a stage that sets it is rejected by {@link #run()} with an
 * {@link IllegalArgumentException}: input, stdout, capture, timeout, grace period, check and charset.
 *
 * <p>Every setter may be called once; a pipeline may be run any number of times, but must not be modified
 * concurrently.
 */
public interface Pipeline {
    /**
     * Text for the first stage's stdin, encoded with {@link #charset}; a character the charset cannot encode
     * makes {@code run()} throw an {@link IllegalArgumentException} naming it, before any stage starts.
     */
    Pipeline input(String input);

    /** Bytes for the first stage's stdin, not copied: leave the array alone until {@link #run()} returns. */
    Pipeline input(byte[] input);

    /**
     * The first stage reads stdin from {@code file}; from a named pipe (FIFO) through a thread of ours, so that
     * a timeout ends the pipeline even if no writer opens the FIFO (see {@link Subprocess.Builder#input(Path)}).
     */
    Pipeline input(Path file);

    /** The first stage's stdin: {@link Redirect#INHERIT} (the default), {@link Redirect#DISCARD} or a file. */
    Pipeline stdin(Redirect redirect);

    /**
     * The last stage's stdout: {@link Redirect#INHERIT} (the default), {@link Redirect#DISCARD}, a file or a pipe.
     * To a named pipe (FIFO) through a thread of ours, so that a timeout ends the pipeline even if no reader
     * opens the FIFO, and {@link #run()} returns once the output is in it (see
     * {@link Subprocess.Builder#stdout(Redirect)}); the same for a stage's {@code stderr(...)} to a FIFO.
     */
    Pipeline stdout(Redirect redirect);

    /**
     * Captures the last stage's stdout and the stderr of every stage that did not choose its own; each
     * stage's stderr is then in {@link CompletedPipeline#stages()}.
     */
    Pipeline captureOutput();

    /**
     * How long {@link #run()} may take; when it elapses, every stage's process tree is killed and
     * {@code run()} throws {@link TimeoutExpiredException}, whose {@code stderr()} joins the stages', stage by
     * stage, with a line break after one whose last line was cut short by the kill.
     *
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    Pipeline timeout(Duration timeout);

    /** As {@link Subprocess.Builder#gracePeriod}. */
    Pipeline gracePeriod(Duration grace);

    /**
     * Makes {@link #run()} throw {@link CalledProcessException} if any stage exits with a non-zero status
     * (the shell's {@code pipefail}); see {@link CompletedPipeline#checkReturnCodes()}.
     */
    Pipeline check();

    /**
     * The charset of text input and output; default UTF-8. One that only decodes ({@code x-JISAutoDetect})
     * serves output only: text input is then refused with an {@link IllegalArgumentException}.
     */
    Pipeline charset(Charset charset);

    /**
     * Starts every stage, feeds the input, captures what was asked for, and waits until every stage has
     * exited. Returns each stage's status and the output, or throws as {@link Subprocess.Builder#run()}
     * does: {@link TimeoutExpiredException} after killing every stage's tree,
     * {@link CalledProcessException} with {@link #check()}, {@link InterruptedException} after killing
     * every stage's tree.
     *
     * @throws IllegalArgumentException if a stage's builder sets something that belongs to the pipeline
     * @throws IOException if a stage could not be started (a missing executable is named); the stages
     *                     already started are killed. Or if reading a captured pipe failed before its end
     * @throws InterruptedException if interrupted while waiting, after killing every stage's tree (the
     *                              interrupt status is cleared)
     */
    CompletedPipeline run() throws IOException, InterruptedException;
}

package io.github.multiprocessing4j.subprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.multiprocessing4j.testing.Delays;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A named pipe (FIFO) as a command's input: the JDK opens an input file in this JVM before it starts the
 * command, and the open of a FIFO waits for a writer, so a FIFO nobody wrote hung start() and run() there,
 * beyond their timeout and deaf to interrupts.
 */
class SubprocessFifoInputTest {
    /** Far more than any of these takes; what a hang runs into. */
    private static final Duration HANG = Duration.ofSeconds(30);
    /** The class whose thread copies a FIFO into the command (by name: the test ran before it existed). */
    private static final String FIFO_INPUT = "io.github.multiprocessing4j.subprocess.FifoRelay";

    @TempDir
    Path tmp;
    private Path fifo;

    @BeforeEach
    void makeFifo() throws Exception {
        fifo = tmp.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).as("mkfifo").isZero();
    }

    @Test
    void run_withAFifoNobodyWrites_endsAtItsTimeout_andLeavesNoThreadAtTheFifo() {
        assertTimeoutPreemptively(HANG, () -> assertThatThrownBy(() -> Subprocess.command("cat").input(fifo)
                .captureOutput().timeout(Delays.millis(500)).run()).isInstanceOf(TimeoutExpiredException.class),
                "run() with input(fifo) and a timeout of 500 ms");

        awaitNoThreadAtTheFifo();
    }

    @Test
    void run_withAFifo_givesTheCommandWhatItsWriterWrites_untilTheWriterClosesIt() throws Exception {
        byte[] data = new byte[1 << 20]; // more than a pipe holds: the copy must keep up with the command
        new Random(7).nextBytes(data);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) { // waits for the reader to open it
                out.write(data);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        CompletedProcess done = assertTimeoutPreemptively(HANG, () -> Subprocess.command("cat").input(fifo)
                .captureOutput().timeout(HANG).run());

        assertThat(done.returnCode()).isZero();
        assertThat(Arrays.equals(done.stdoutBytes(), data)).as("cat's stdout is what was written to the FIFO").isTrue();
        writer.get();
        awaitNoThreadAtTheFifo();
    }

    @Test
    void start_withAFifoNobodyWrites_returns_andCloseReleasesTheThreadAtTheFifo() {
        Subprocess cat = assertTimeoutPreemptively(HANG, () -> Subprocess.command("cat").stdin(Redirect.from(fifo.toFile()))
                .stdout(Redirect.DISCARD).start());
        assertThat(cat.poll()).as("cat, waiting for its input").isEmpty();
        assertThatThrownBy(cat::stdin).isInstanceOf(IllegalStateException.class).hasMessageContaining("not a pipe");

        cat.close();

        assertThat(cat.poll()).isPresent();
        awaitNoThreadAtTheFifo();
    }

    @Test
    void close_whileTheFifosWriterHoldsItOpenWithoutWriting_releasesTheThreadAtTheFifo() throws Exception {
        // the thread is in a read of the FIFO, not in its open: closing its channel must wake it
        Subprocess cat = Subprocess.command("cat").input(fifo).stdout(Redirect.DISCARD).start();
        try (OutputStream writer = Files.newOutputStream(fifo)) { // opens once the thread has it open to read
            writer.write("x\n".getBytes(StandardCharsets.UTF_8));
            writer.flush();

            cat.close();

            assertThat(cat.poll()).isPresent();
            awaitNoThreadAtTheFifo();
        }
    }

    @Test
    void pipeline_withAFifoNobodyWrites_endsAtItsTimeout_andLeavesNoThreadAtTheFifo() {
        assertTimeoutPreemptively(HANG, () -> assertThatThrownBy(() -> Subprocess.pipeline(Subprocess.command("cat"),
                Subprocess.command("cat")).input(fifo).captureOutput().timeout(Delays.millis(500)).run())
                .isInstanceOf(TimeoutExpiredException.class), "pipeline run() with input(fifo) and a timeout of 500 ms");

        awaitNoThreadAtTheFifo();
    }

    @Test
    void pipeline_withAFifo_givesTheFirstStageWhatItsWriterWrites() throws Exception {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                Files.writeString(fifo, "b\na\n");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        CompletedPipeline done = assertTimeoutPreemptively(HANG, () -> Subprocess.pipeline(Subprocess.command("cat"),
                Subprocess.command("sort")).input(fifo).captureOutput().timeout(HANG).run());

        assertThat(done.stdout()).isEqualTo("a\nb\n");
        writer.get();
        awaitNoThreadAtTheFifo();
    }

    /** No thread is left waiting for a writer to open the FIFO, or for one to write to it. */
    private static void awaitNoThreadAtTheFifo() {
        await().atMost(Delays.seconds(30)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertThat(threadsAtTheFifo()).as("threads still reading the FIFO").isEmpty());
    }

    private static List<String> threadsAtTheFifo() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().equals(FIFO_INPUT)))
                .map(Map.Entry::getKey)
                .map(Thread::getName)
                .toList();
    }
}

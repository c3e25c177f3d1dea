package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.ClosedAppenderStream;
import io.github.multiprocessing4j.testing.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a child's stdout reaches this JVM's System.out, however slowly that stream takes it. */
class OutputForwardingTest {

    @TempDir
    Path tmp;

    /** Counts what it is given, taking {@code millisPerWrite} for each write, as a slow pipe or terminal does. */
    private static final class SlowSink extends OutputStream {
        final AtomicLong bytes = new AtomicLong();
        final long millisPerWrite;

        SlowSink(long millisPerWrite) {
            this.millisPerWrite = millisPerWrite;
        }

        @Override
        public void write(int b) {
            bytes.incrementAndGet();
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes.addAndGet(len);
            try {
                Thread.sleep(millisPerWrite);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Writes {@code n} bytes of 99-character lines straight to file descriptor 1. */
    static void writeLines(int n) {
        byte[] line = new byte[100];
        Arrays.fill(line, (byte) 'x');
        line[99] = '\n';
        try (FileOutputStream out = new FileOutputStream(FileDescriptor.out)) {
            for (int written = 0; written < n; written += line.length) {
                out.write(line, 0, Math.min(line.length, n - written));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void join_returnsOnlyOnceAllTheOutputIsCopied_evenToAStreamSlowerThanTheChild() throws Exception {
        // The child fills the pipe and exits while up to a pipe's worth (64 KiB, 8 pieces of 8 KiB at 100 ms
        // each) still waits to be copied. join() used to give the copy 500 ms and return without the rest.
        int n = 256 * 1024;
        SlowSink sink = new SlowSink(100);
        PrintStream original = System.out;
        System.setOut(new PrintStream(sink, false));
        try (JvmProcess child = JvmProcess.start("chatty", () -> writeLines(n))) {
            child.join();
            assertThat(child.exitCode()).hasValue(0);
            assertThat(sink.bytes.get()).as("bytes copied when join() returned").isEqualTo(n);
        } finally {
            System.setOut(original);
        }
    }

    /** Every byte value twice, CR and LF among them, and bytes that are no UTF-8: no newline at the end. */
    static byte[] allBytes() {
        byte[] bytes = new byte[512];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7);
        }
        bytes[bytes.length - 1] = (byte) 0xC3; // the start of a two-byte character, cut off
        return bytes;
    }

    @Test
    void bytesThatAreNoText_passUnchanged_withTheirPartialLastLine_beforeAnAbruptExit() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.ISO_8859_1));
        try (JvmProcess child = JvmProcess.start("binary", () -> {
            try {
                FileOutputStream raw = new FileOutputStream(FileDescriptor.out);
                raw.write(allBytes());
                raw.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().halt(5);
        })) {
            child.join();
            assertThat(child.exitCode()).hasValue(5);
        } finally {
            System.setOut(original);
        }
        assertThat(out.toByteArray()).isEqualTo(allBytes());
    }

    static void awaitFile(String file) {
        while (!Files.exists(Path.of(file))) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void aSetOutAfterTheStart_redirectsTheRestOfTheChildsOutput() throws Exception {
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        String go = tmp.resolve("go").toString();
        PrintStream original = System.out;
        System.setOut(new PrintStream(first, true, StandardCharsets.UTF_8));
        try (JvmProcess child = JvmProcess.start("redirected", () -> {
            System.out.println("before");
            awaitFile(go);
            System.out.println("after");
        })) {
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> first.toString(StandardCharsets.UTF_8).contains("before"));
            System.setOut(new PrintStream(second, true, StandardCharsets.UTF_8));
            Files.createFile(Path.of(go));
            child.join();
        } finally {
            System.setOut(original);
        }
        assertThat(first.toString(StandardCharsets.UTF_8)).isEqualTo("before\n");
        assertThat(second.toString(StandardCharsets.UTF_8)).isEqualTo("after\n");
    }

    @Test
    void aSystemOutSetToNull_dropsTheChildsOutputWithOneWarning_andTheChildNeverBlocksOnItsPipe() throws Exception {
        copiesPastABrokenSystemOut(null, "null");
    }

    @Test
    void aSystemOutWhoseWriteThrows_dropsTheChildsOutputWithOneWarning_andTheChildNeverBlocksOnItsPipe()
            throws Exception {
        // as a logging framework's stream may, once its appender is closed
        copiesPastABrokenSystemOut(ClosedAppenderStream.create(), "appender closed");
    }

    /**
     * The pump that copies the child's stdout died with what System.out threw (its exception printed by the uncaught
     * handler), and the child, whose pipe nobody read any more, blocked once it had filled it. It reads on now,
     * says once at WARNING where the output was to go, and a System.out that works again gets the rest.
     */
    private void copiesPastABrokenSystemOut(PrintStream broken, String why) throws Exception {
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ByteArrayOutputStream last = new ByteArrayOutputStream();
        String go = tmp.resolve("go").toString();
        Path written = tmp.resolve("written");
        String writtenPath = written.toString();
        String repaired = tmp.resolve("repaired").toString();
        LogCapture log = LogCapture.of("io.github.multiprocessing4j.internal.launch.OutputPump", null, r -> true);
        java.util.List<java.util.logging.LogRecord> records = log.records();
        java.util.List<String> uncaught = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler originalHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(t.getName() + ": " + e));
        PrintStream original = System.out;
        System.setOut(new PrintStream(first, true, StandardCharsets.UTF_8));
        try (JvmProcess child = JvmProcess.builder().name("unheard").daemon(true).task(() -> {
            System.out.println("before");
            awaitFile(go);
            String line = "x".repeat(99);
            for (int i = 0; i < 2_600; i++) { // four pipes' worth: it blocks unless the pipe is read
                System.out.println(line);
            }
            try {
                Files.createFile(Path.of(writtenPath));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            awaitFile(repaired);
            System.out.println("after");
        }).start()) {
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> first.toString(StandardCharsets.UTF_8).contains("before"));
            System.setOut(broken);
            Files.createFile(Path.of(go));
            Awaitility.await("the child wrote all, its pipe read").atMost(Duration.ofSeconds(60))
                    .until(() -> Files.exists(written));
            System.setOut(new PrintStream(last, true, StandardCharsets.UTF_8));
            Files.createFile(Path.of(repaired));
            assertThat(child.join(Duration.ofSeconds(60))).isTrue();
            assertThat(child.exitCode()).hasValue(0);
            // after the last of the x lines, which may still have been in the pipe when System.out was repaired
            assertThat(last.toString(StandardCharsets.UTF_8).replace("x".repeat(99) + "\n", "")).isEqualTo("after\n");
            assertThat(first.toString(StandardCharsets.UTF_8)).isEqualTo("before\n");
            assertThat(records).as("what was logged").filteredOn(r -> r.getLevel() == java.util.logging.Level.WARNING)
                    .singleElement().satisfies(r -> assertThat(r.getMessage())
                            .contains("System.out", String.valueOf(child.pid()), why));
            assertThat(uncaught).as("uncaught exceptions").isEmpty();
        } finally {
            System.setOut(original);
            Thread.setDefaultUncaughtExceptionHandler(originalHandler);
            log.close();
        }
    }
}

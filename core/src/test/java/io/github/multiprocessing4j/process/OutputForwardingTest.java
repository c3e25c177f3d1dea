package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
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
}

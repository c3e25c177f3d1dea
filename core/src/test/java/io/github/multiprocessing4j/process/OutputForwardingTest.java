package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How a child's stdout reaches this JVM's System.out, however slowly that stream takes it. */
class OutputForwardingTest {

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
}

package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.ClosedAppenderStream;
import io.github.multiprocessing4j.testing.LogCapture;
import io.github.multiprocessing4j.testing.UnprintableException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OutputPumpTest {

    /** Endless-looking output without a newline: always more available, as from a busy progress bar. */
    private static final class NoNewlines extends InputStream {
        final long total;
        final ByteArrayOutputStream forwarded;
        long produced;
        volatile int forwardedAtHalfway = -1;

        NoNewlines(long total, ByteArrayOutputStream forwarded) {
            this.total = total;
            this.forwarded = forwarded;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (produced >= total) {
                return -1;
            }
            if (produced >= total / 2 && forwardedAtHalfway < 0) {
                synchronized (forwarded) {
                    forwardedAtHalfway = forwarded.size();
                }
            }
            int n = (int) Math.min(len, total - produced);
            Arrays.fill(b, off, off + n, (byte) 'x');
            produced += n;
            return n;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, total - produced);
        }
    }

    @Test
    void outputWithoutNewlines_isForwardedInBoundedPieces_notHeldBackUntilItEnds() throws Exception {
        ByteArrayOutputStream forwarded = new ByteArrayOutputStream();
        PrintStream target = new PrintStream(forwarded, true);
        NoNewlines source = new NoNewlines(16L << 20, forwarded);
        OutputPump pump = OutputPump.start(source, () -> target, null, "test-pump");
        pump.drained().get(30, TimeUnit.SECONDS);

        assertThat(forwarded.size()).isEqualTo(16 << 20);
        assertThat(source.forwardedAtHalfway).as("bytes forwarded while the output was still coming")
                .isGreaterThanOrEqualTo((8 << 20) - OutputPump.MAX_PARTIAL_LINE);
    }

    @Test
    void aHeldPump_writesNothingUntilReleased_thenWhatItKeptBack_andThenTheRest() throws Exception {
        ByteArrayOutputStream forwarded = new ByteArrayOutputStream();
        PrintStream target = new PrintStream(forwarded, true);
        java.io.PipedOutputStream child = new java.io.PipedOutputStream();
        OutputPump pump = OutputPump.start(new java.io.PipedInputStream(child, 1 << 16), () -> target, null,
                "test-held-pump", true);
        child.write("booted\npartial".getBytes());
        child.flush();
        // read, the line forwarded, and (20 ms without its end) the partial line: a pump not held has written both
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> pump.progress() >= 3);
        assertThat(forwarded.toString()).isEmpty();
        pump.release();
        assertThat(forwarded.toString()).isEqualTo("booted\npartial");
        child.write(" line\n".getBytes());
        child.close();
        pump.drained().get(30, TimeUnit.SECONDS);
        assertThat(forwarded.toString()).isEqualTo("booted\npartial line\n");
    }

    @Test
    void aHeldPump_keepsBackABoundedAmount_andWritesAllPastIt() throws Exception {
        ByteArrayOutputStream forwarded = new ByteArrayOutputStream();
        PrintStream target = new PrintStream(forwarded, true);
        byte[] lines = ("x".repeat(99) + "\n").repeat(OutputPump.MAX_HELD / 50).getBytes();
        OutputPump pump = OutputPump.start(new java.io.ByteArrayInputStream(lines), () -> target, null,
                "test-held-pump", true);
        pump.drained().get(30, TimeUnit.SECONDS);
        assertThat(forwarded.size()).as("written without a release").isEqualTo(lines.length);
    }

    /**
     * Each pump said once that its target threw: a pool that recycles workers (each with its own pumps) onto a
     * System.out whose appender is closed said it again for every worker, the same WARNING with its stack trace. It
     * is said once per target now; another target that throws is said again.
     */
    @Test
    void aTargetThatThrows_isWarnedOfOnce_whicheverPumpsWriteToIt() throws Exception {
        PrintStream closed = ClosedAppenderStream.create();
        PrintStream another = ClosedAppenderStream.create();
        try (LogCapture log = LogCapture.of(OutputPump.class)) {
            for (PrintStream target : List.of(closed, closed, closed, another)) {
                OutputPump pump = OutputPump.start(new ByteArrayInputStream("a line\n".getBytes(StandardCharsets.UTF_8)),
                        () -> target, null, "mp4j-pump-test");
                pump.drained().get(30, TimeUnit.SECONDS);
            }
            assertThat(log.lines()).hasSize(2).allSatisfy(line -> assertThat(line).startsWith("WARNING")
                    .contains("appender closed"));
        }
    }

    /**
     * The warning named the target's exception by its toString(): one whose toString() threw too escaped the pump,
     * which died, so the child's later output was never read (its pipe filling up) nor written when the target worked
     * again. The pump reads on, and a target that works again gets what follows.
     */
    @Test
    void aTargetWhoseExceptionCannotBePrinted_doesNotStopThePump() throws Exception {
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        PrintStream failsOnce = new PrintStream(written, true, StandardCharsets.UTF_8) {
            private boolean failed;

            @Override
            public void write(byte[] buf, int off, int len) {
                if (!failed) {
                    failed = true;
                    throw new UnprintableException();
                }
                super.write(buf, off, len);
            }
        };
        InputStream lineByLine = new InputStream() {
            private final String[] lines = {"one\n", "two\n"};
            private int next;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (next == lines.length) {
                    return -1;
                }
                byte[] line = lines[next++].getBytes(StandardCharsets.UTF_8);
                System.arraycopy(line, 0, b, off, line.length);
                return line.length;
            }
        };
        try (LogCapture log = LogCapture.of(OutputPump.class)) {
            OutputPump pump = OutputPump.start(lineByLine, () -> failsOnce, null, "mp4j-pump-test");
            pump.drained().get(30, TimeUnit.SECONDS);
            assertThat(written.toString(StandardCharsets.UTF_8)).as("what followed the failure").isEqualTo("two\n");
            assertThat(log.lines()).hasSize(1).allSatisfy(line -> assertThat(line).startsWith("WARNING")
                    .contains("whose toString() threw"));
        }
    }
}

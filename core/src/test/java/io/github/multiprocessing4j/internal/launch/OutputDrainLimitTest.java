package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** How long ChildJvm waits for the output of a dead child whose copy keeps moving (a grandchild writing on). */
class OutputDrainLimitTest {

    /** A line every 100 ms, until closed: the copy never stands still for the 500 ms that end the wait. */
    private static final class EndlessLines extends InputStream {
        volatile boolean closed;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (closed) {
                return -1;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            byte[] line = "tick\n".getBytes(StandardCharsets.US_ASCII);
            int n = Math.min(len, line.length);
            System.arraycopy(line, 0, b, off, n);
            return n;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** The dead child: its stdout keeps coming, its stderr has ended. */
    private static final class DeadChild extends Process {
        final EndlessLines stdout = new EndlessLines();

        @Override
        public OutputStream getOutputStream() {
            return OutputStream.nullOutputStream();
        }

        @Override
        public InputStream getInputStream() {
            return stdout;
        }

        @Override
        public InputStream getErrorStream() {
            return InputStream.nullInputStream();
        }

        @Override
        public int waitFor() {
            return 0;
        }

        @Override
        public int exitValue() {
            return 0;
        }

        @Override
        public void destroy() {
        }

        @Override
        public CompletableFuture<Process> onExit() {
            return CompletableFuture.completedFuture(this);
        }
    }

    private record Watched(ChildJvm child, OutputPump out) {
    }

    /** {@code process} as ChildJvm sees a child: its output copied (to nowhere) by pumps. */
    private static Watched watch(DeadChild process) {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true);
        OutputPump out = OutputPump.start(process.getInputStream(), () -> sink, null, "test-out");
        OutputPump err = OutputPump.start(process.getErrorStream(), () -> sink, new StderrTail(1024), "test-err");
        return new Watched(new ChildJvm(process, 0, System.nanoTime(), new CompletableFuture<>(), out, err,
                new StderrTail(1024), null, Map.of(), null, null, null), out);
    }

    @Test
    void awaitOutputDrained_withALimitAboveTheDocumented3Seconds_stillStopsAtThem() throws Exception {
        // An untimed join passes its 10 s report wait; ChildJvm and JvmProcess document 3 s at most.
        DeadChild process = new DeadChild();
        Watched watched = watch(process);
        ChildJvm child = watched.child();
        OutputPump out = watched.out();
        try {
            long start = System.nanoTime();
            child.awaitOutputDrained(10_000);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // about 3 s when kept to the limit; the bug waited the 10 s given
            assertThat(millis).as("awaitOutputDrained(10_000) took %d ms", millis).isLessThan(7_000);
            assertThat(out.drained()).as("the copy was still going").isNotDone();
        } finally {
            process.stdout.close();
        }
    }

    @Test
    void awaitOutputDrained_afterAWaitGaveUp_returnsAtOnce_thoughTheCopyStillMoves() throws Exception {
        // join(), join(Duration.ZERO) again, a pool's handling of the dead worker...: each waited anew for a
        // grandchild that holds the pipes (3 s each here, since it keeps writing); the first wait is enough.
        DeadChild process = new DeadChild();
        Watched watched = watch(process);
        ChildJvm child = watched.child();
        OutputPump out = watched.out();
        try {
            child.awaitOutputDrained(); // gives up after 3 s: the copy never ends
            long start = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                child.awaitOutputDrained();
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // the bug waited 3 s each time, 9 s in all
            assertThat(millis).as("three more waits took %d ms", millis).isLessThan(2_000);
            assertThat(out.drained()).as("the copy was still going").isNotDone();
        } finally {
            process.stdout.close();
        }
    }

    @Test
    void awaitOutputDrained_cutShortByTheCallersLimit_stillWaitsNextTime() throws Exception {
        // a timed join with little time left must not stop a later join() from waiting for the output due
        DeadChild process = new DeadChild();
        Watched watched = watch(process);
        ChildJvm child = watched.child();
        OutputPump out = watched.out();
        try {
            child.awaitOutputDrained(100);
            long start = System.nanoTime();
            child.awaitOutputDrained(1_000);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(millis).as("the second, longer wait took %d ms", millis).isGreaterThanOrEqualTo(900);
        } finally {
            process.stdout.close();
        }
    }

    @Test
    void awaitOutputDrained_inPollsThatWaitForNothing_givesUpAsOneWaitWould() throws Exception {
        // join(Duration.ZERO) in a loop: no poll waits, so none alone sees the 3 s after which a wait for a copy that
        // keeps moving gives up; together they must, or a poll loop never sees the child done
        DeadChild process = new DeadChild();
        Watched watched = watch(process);
        ChildJvm child = watched.child();
        OutputPump out = watched.out();
        try {
            assertThat(child.awaitOutputDrained(0)).as("the first poll").isFalse();
            long start = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> child.awaitOutputDrained(0));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(millis).as("given up after %d ms", millis).isGreaterThanOrEqualTo(2_500);
            assertThat(out.drained()).as("the copy was still going").isNotDone();
            assertThat(child.awaitOutputDrained(0)).as("given up for good").isTrue();
        } finally {
            process.stdout.close();
        }
    }
}

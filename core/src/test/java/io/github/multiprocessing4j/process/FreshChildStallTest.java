package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.process.fixtures.BigTaskStalledChildMain;
import io.github.multiprocessing4j.testing.TestJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A fresh child gets its task on stdin, in its boot record ({@code DirectStart}); a child that never reads it must
 * not hold start() beyond its timeout. Run in a JVM of its own, for its short timeout.
 */
class FreshChildStallTest {

    @Test
    void aTaskLargerThanAPipe_forAChildThatNeverReadsIt_failsTheStartAtItsTimeout_insteadOfHangingInTheWrite()
            throws Exception {
        // start() wrote the boot record, task and all, to the child's stdin before it began to wait for the start
        // signal with a timeout: a task larger than the pipe's 64 KiB blocked that write, uninterruptibly, until the
        // child read it, and a child that never reached main (waiting for a debugger) held start() for ever.
        try (TestJvm jvm = TestJvm.start(BigTaskStalledChildMain.class,
                List.of("-Dmp4j.spare=false", "-Dmp4j.connectTimeoutSeconds=3"))) {
            try {
                assertThat(jvm.nextLineStartingWith("THROWN ", 90)).as(jvm::stderr)
                        .startsWith("THROWN " + ProcessStartException.class.getName()).contains("did not start within 3 s");
            } finally {
                // a child stuck before main never notices its parent's death
                jvm.process().descendants().forEach(ProcessHandle::destroyForcibly);
            }
        }
    }
}

package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.process.fixtures.InterruptedFirstStartMain;
import io.github.multiprocessing4j.testing.TestJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The first start in a JVM creates its session (a directory and a locked liveness file). Run in a JVM of its
 * own: in the test JVM, whichever test starts a child first creates the session, so an interrupted start there
 * only ever met a session made already.
 */
class InterruptedFirstStartTest {

    @Test
    void theFirstStartInAJvm_onAnInterruptedThread_failsWithProcessStartException_andTheSessionStillWorks()
            throws Exception {
        // The interrupt made the lock of the liveness file (an interruptible FileChannel) fail, and start()
        // threw UncheckedIOException "cannot lock the session directory" instead of the documented exception.
        try (TestJvm jvm = TestJvm.start(InterruptedFirstStartMain.class, List.of())) {
            assertThat(jvm.nextLineStartingWith("THROWN ", 60))
                    .startsWith("THROWN " + ProcessStartException.class.getName()).contains("interrupted");
            assertThat(jvm.nextLineStartingWith("INTERRUPTED ", 30)).as("the interrupt status stays set")
                    .isEqualTo("INTERRUPTED true");
            assertThat(jvm.nextLineStartingWith("AFTER ", 60)).isEqualTo("AFTER OptionalInt[0]");
        }
    }
}

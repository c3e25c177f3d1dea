package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.process.fixtures.InterruptedStartAfterRemovalMain;
import io.github.multiprocessing4j.process.fixtures.RemovedSessionDirectoryMain;
import io.github.multiprocessing4j.testing.TestJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A cleaner of temporary files (systemd-tmpfiles, tmpreaper) or a logout that takes {@code $XDG_RUNTIME_DIR}
 * may remove the session directory, socket and all, while a long-lived JVM runs.
 */
class RemovedSessionDirectoryTest {

    @Test
    void childrenStartedAfterTheSessionDirectoryWasRemoved_connectToANewOne_andTheOldConnectionsLive() throws Exception {
        // No spare: a spare that connected before the removal would let the second start pass without a new socket
        try (TestJvm jvm = TestJvm.start(RemovedSessionDirectoryMain.class, List.of("-Dmp4j.spare=false"))) {
            assertThat(jvm.nextLine(60)).isEqualTo("pool before: 2");
            assertThat(jvm.nextLine(60)).isEqualTo("first exit: 0");
            Path removed = Path.of(jvm.nextLineStartingWith("directory: ", 30).substring("directory: ".length()));
            assertThat(jvm.nextLine(60)).isEqualTo("second exit: 0");
            assertThat(jvm.nextLine(60)).isEqualTo("pool after: 3");
            Path now = Path.of(jvm.nextLineStartingWith("directory now: ", 30).substring("directory now: ".length()));
            assertThat(now).isNotEqualTo(removed);
            assertThat(jvm.nextLine(30)).isEqualTo("private: true");
            jvm.awaitOutputEnd(Duration.ofSeconds(60));
            assertThat(jvm.process().waitFor()).as(jvm.stderr()).isZero();
            assertThat(now).as("the new directory is removed at exit, as the first would have been").doesNotExist();
            assertThat(Files.exists(removed)).isFalse();
        }
    }

    @Test
    void aStartOnAnInterruptedThreadAfterTheRemoval_failsAsDocumented_andLaterStartsStillWork() throws Exception {
        // The start that makes the new directory locks its liveness file through a FileChannel, which fails on an
        // interrupted thread: it threw UncheckedIOException "cannot lock the session directory", having retired
        // the listener already, so every later start tried to listen in the removed directory and failed too.
        try (TestJvm jvm = TestJvm.start(InterruptedStartAfterRemovalMain.class, List.of("-Dmp4j.spare=false"))) {
            assertThat(jvm.nextLineStartingWith("THROWN ", 60))
                    .startsWith("THROWN " + ProcessStartException.class.getName()).contains("interrupted");
            assertThat(jvm.nextLineStartingWith("INTERRUPTED ", 30)).isEqualTo("INTERRUPTED true");
            assertThat(jvm.nextLineStartingWith("AFTER ", 60)).isEqualTo("AFTER OptionalInt[0]");
        }
    }
}

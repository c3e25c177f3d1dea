package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.process.fixtures.StartAfterTheSessionClosedMain;
import io.github.multiprocessing4j.process.fixtures.StartFromAShutdownHookMain;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.TestJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A program whose first start of a child (or pool) comes from a shutdown hook, when no child can outlive it. */
class ShutdownHookStartTest {
    @TempDir
    Path tmp;

    @Test
    void aFirstStartFromAShutdownHook_isRefusedClearly_andLeavesNoSessionDirectoryBehind() throws Exception {
        // The session directory goes where the program's $XDG_RUNTIME_DIR says: here, where the test can look
        try (TestJvm program = TestJvm.start(null, System.getProperty("java.class.path"),
                StartFromAShutdownHookMain.class.getName(), List.of("-Djava.io.tmpdir=" + tmp),
                Map.of("XDG_RUNTIME_DIR", tmp.toString()))) {
            assertThat(program.nextLine(30)).isEqualTo("EXITING");
            String child = program.nextLine(30);
            String pool = program.nextLine(30);
            assertThat(program.process().waitFor(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
            try (Stream<Path> left = Files.list(tmp)) {
                // one per refused start, for good: nothing deleted them, and the next sweeper only if it ran as root
                assertThat(left.map(p -> p.getFileName().toString()))
                        .noneMatch(name -> name.startsWith("mp4j-" + program.process().pid() + "-"));
            }
            // It was "REFUSED java.lang.IllegalStateException: Shutdown in progress", from the session's hook
            String refused = "REFUSED java.lang.IllegalStateException: this JVM is shutting down: no child JVM can be"
                    + " started now";
            assertThat(child).as("the child").isEqualTo(refused);
            assertThat(pool).as("the pool").isEqualTo(refused);
        }
    }

    @Test
    void aStartFromAShutdownHookOnceTheSessionHasClosed_isRefusedClearly_andLeavesNoSessionDirectoryBehind()
            throws Exception {
        try (TestJvm program = TestJvm.start(null, System.getProperty("java.class.path"),
                StartAfterTheSessionClosedMain.class.getName(), List.of("-Djava.io.tmpdir=" + tmp),
                Map.of("XDG_RUNTIME_DIR", tmp.toString()))) {
            assertThat(program.nextLine(60)).isEqualTo("EXITING");
            String late = program.nextLine(60);
            assertThat(program.process().waitFor(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
            try (Stream<Path> left = Files.list(tmp)) {
                // The start made a new session directory, as for one a cleaner removed, which nothing deleted
                assertThat(left.map(p -> p.getFileName().toString()))
                        .noneMatch(name -> name.startsWith("mp4j-" + program.process().pid() + "-"));
            }
            assertThat(late).isEqualTo("REFUSED java.lang.IllegalStateException: this JVM is shutting down: no child"
                    + " JVM can be started now");
        }
    }
}

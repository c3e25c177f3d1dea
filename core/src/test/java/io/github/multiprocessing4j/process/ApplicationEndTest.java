package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.process.fixtures.ApplicationEndMain;
import io.github.multiprocessing4j.process.fixtures.StartJoinThenExitMain;
import io.github.multiprocessing4j.testing.ChildProcesses;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.TestJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How an application that uses everything of the library at once ends (see {@link ApplicationEndMain}): its
 * JVM ends without delay, every process it or its children started is gone, its stderr has nothing of ours,
 * and its session directory is removed (after a SIGKILL, by the next session's sweeper).
 */
class ApplicationEndTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"return", "exit", "throw", "SIGTERM", "SIGINT", "SIGKILL"})
    void theApplicationEnds_atOnce_andLeavesNothingBehind(String end) throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "Linux");
        // what the application and everything it starts inherit, and the test finds them by
        String markerValue = UUID.randomUUID().toString();
        String marker = "MP4J_APPLICATION_END=" + markerValue;
        boolean signal = end.startsWith("SIG");
        List<ProcessHandle> started = new ArrayList<>();
        try (TestJvm app = TestJvm.start(null, System.getProperty("java.class.path"), ApplicationEndMain.class.getName(),
                List.of("-Djava.io.tmpdir=" + tmp), Map.of("XDG_RUNTIME_DIR", tmp.toString(), "MP4J_APPLICATION_END",
                        markerValue), signal ? "wait" : end)) {
            long pid = app.process().pid();
            long poolSleep = Long.parseLong(app.nextLineStartingWith("POOL SLEEP ", 120).substring(11));
            long[] ready = Arrays.stream(app.nextLineStartingWith("READY ", 120).substring(6).split(" "))
                    .mapToLong(Long::parseLong).toArray();
            started.addAll(marked(marker));
            assertThat(started.stream().map(ProcessHandle::pid))
                    .as("the JVM, the child, the sleep, the spare, the sleep of the pool's task; stderr: %s", app.stderr())
                    .contains(pid, ready[0], ready[1], ready[2], poolSleep);
            if (end.equals("SIGINT")) {
                // A JVM started with SIGINT ignored (a build run as a background job of a non-interactive shell: POSIX
                // ignores SIGINT there, and children inherit it) keeps it ignored, as nohup wants: no end to test
                Assumptions.assumeFalse(ignores(pid, 2), "the application's JVM was started with SIGINT ignored");
            }
            long ended;
            if (signal) {
                ended = System.currentTimeMillis();
                new ProcessBuilder("kill", "-" + end.substring(3), Long.toString(pid)).start().waitFor();
            } else {
                app.process().getOutputStream().write('\n');
                app.process().getOutputStream().flush();
                ended = Long.parseLong(app.nextLineStartingWith("END ", 30).substring(4));
            }
            assertThat(app.process().waitFor(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS))
                    .as("the application's JVM ended; stderr: %s", app.stderr()).isTrue();
            long took = System.currentTimeMillis() - ended;
            System.out.printf("%s: the JVM ended %d ms after the end%n", end, took);
            // About 330 ms here but after SIGKILL, 300 of them HotSpot's wait at exit for threads in native code
            // (-XX:UserThreadWaitAttemptsAtExit): a plain program pays it too once it has a live child (the JDK's
            // reaper waits in waitpid) or its virtual threads have used a socket (the JDK's poller waits in epoll)
            assertThat(took).as("ms from the end to the JVM's exit").isLessThan(Delays.seconds(3).toMillis());
            // The application's own command is not ours to end: as Python's Popen and the JDK's Process, it runs on
            long sleep = ready[1];
            Awaitility.await().atMost(Delays.seconds(10)).pollInterval(Duration.ofMillis(50))
                    .untilAsserted(() -> assertThat(marked(marker).stream().filter(p -> p.pid() != sleep)
                            .map(ApplicationEndTest::describe))
                            .as("processes left behind").isEmpty());
            String expectedStderr = end.equals("throw")
                    ? "Exception in thread \"main\" " + ApplicationEndMain.class.getName() + "$Ended: the application ends\n"
                    : "";
            assertThat(app.stderr()).as("stderr").isEqualTo(expectedStderr);
            if (end.equals("SIGKILL")) {
                assertThat(sessionDirectoriesOf(pid)).as("the killed session's directory").hasSize(1);
                try (TestJvm next = TestJvm.start(null, System.getProperty("java.class.path"),
                        StartJoinThenExitMain.class.getName(), List.of("-Djava.io.tmpdir=" + tmp),
                        Map.of("XDG_RUNTIME_DIR", tmp.toString()))) {
                    assertThat(next.nextLine(60)).isEqualTo("JOINED 0");
                    assertThat(next.process().waitFor(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
                }
            }
            Awaitility.await().atMost(Delays.seconds(10)).pollInterval(Duration.ofMillis(50))
                    .untilAsserted(() -> assertThat(sessionDirectoriesOf(pid)).as("session directories left").isEmpty());
        } finally {
            started.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** The running processes whose environment holds {@code marker}: the application and what it started. */
    private static List<ProcessHandle> marked(String marker) {
        String entry = marker + "\0";
        return ProcessHandle.allProcesses().filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(ChildProcesses::running).filter(p -> {
                    try {
                        byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ"));
                        return new String(environ, StandardCharsets.ISO_8859_1).contains(entry);
                    } catch (IOException | SecurityException e) {
                        return false; // gone, or not ours
                    }
                }).toList();
    }

    /** Whether process {@code pid} ignores signal {@code number} (the SigIgn mask of /proc/PID/status). */
    private static boolean ignores(long pid, int number) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << (number - 1))) != 0;
            }
        }
        return false;
    }

    private static String describe(ProcessHandle process) {
        return process.pid() + " " + process.info().commandLine().orElse("?");
    }

    private List<String> sessionDirectoriesOf(long pid) throws IOException {
        try (Stream<Path> entries = Files.list(tmp)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("mp4j-" + pid + "-")).toList();
        }
    }
}

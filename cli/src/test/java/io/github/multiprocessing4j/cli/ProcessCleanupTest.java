package io.github.multiprocessing4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI JVM stopped by a signal (Ctrl-C, kill) while a demo runs: what it started does not outlive it. */
class ProcessCleanupTest {
    private static final Pattern STARTED = Pattern.compile("shell (\\d+) started sleep (\\d+)");

    /**
     * SIGTERM to {@code mp4j demo subprocess} while its shell waited for its {@code sleep 30} left both running
     * (the JVM's exit kills no process it started). The CLI now kills the processes it started, with
     * their children, as it exits during a demo, and does not report the demo that fails as they die.
     */
    @TempDir
    Path tmp;

    @Test
    void theCliStoppedDuringADemo_leavesNoProcessItStartedRunning() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process cli = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                InterruptedDemoMain.class.getName()).redirectError(tmp.resolve("err").toFile()).start();
        List<ProcessHandle> started = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(cli.getInputStream(), StandardCharsets.UTF_8));
            String line;
            Matcher m = null;
            while ((line = out.readLine()) != null && !(m = STARTED.matcher(line)).find()) {
                // the demo's header lines
            }
            assertThat(line).as("the shell said which sleep it started").isNotNull();
            ProcessHandle.of(Long.parseLong(m.group(1))).ifPresent(started::add);
            ProcessHandle.of(Long.parseLong(m.group(2))).ifPresent(started::add);
            assertThat(started).as("the shell and its sleep are running").hasSize(2);

            cli.destroy(); // SIGTERM, as kill does; Ctrl-C's SIGINT runs the same shutdown hooks
            assertThat(cli.waitFor(60, TimeUnit.SECONDS)).as("the CLI exited").isTrue();

            // Generous: the sleep would run for 60 s if nothing killed it.
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < end && started.stream().anyMatch(ProcessCleanupTest::running)) {
                Thread.sleep(50);
            }
            assertThat(started).as("the shell and its sleep, after the CLI exited")
                    .noneMatch(ProcessCleanupTest::running);
            // The demo failed as its shell was killed: no failure to report, the user stopped it.
            assertThat(Files.readString(tmp.resolve("err"))).doesNotContain("failed");
        } finally {
            cli.destroyForcibly();
            started.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** Alive and not a zombie (a killed orphan stays one until it is reaped). */
    private static boolean running(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException noProcfs) {
            return p.isAlive();
        }
    }
}

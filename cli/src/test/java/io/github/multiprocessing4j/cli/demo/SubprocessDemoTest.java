package io.github.multiprocessing4j.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubprocessDemoTest {
    private static final Pattern SLEEP = Pattern.compile("started sleep (\\d+)");

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    /** The demo's own script: the shell and its sleep are both killed, and the sleep is shown gone by its pid. */
    @Test
    void theTimeout_killsTheShellAndItsSleep_andSaysSoByTheSleepsPid() throws Exception {
        SubprocessDemo.timeoutKillsTree(out, SubprocessDemo.TREE_SCRIPT, Duration.ofSeconds(1));

        String text = printed.toString(StandardCharsets.UTF_8);
        Matcher sleep = SLEEP.matcher(text);
        assertThat(sleep.find()).as(text).isTrue();
        assertThat(text).contains("pid " + sleep.group(1) + " (the sleep): gone")
                .doesNotContain("STILL RUNNING");
    }

    /**
     * A grandchild that left the tree before the timeout (its parent, a subshell, exited: it was reparented)
     * is not among the pids the timeout killed. The demo checks the sleep the shell named on its own, so it
     * fails saying the sleep still runs, where it used to check the killed pids only and report success.
     */
    @Test
    void aSleepThatEscapedTheTree_isReportedStillRunning_andFailsTheDemo() {
        String escaping = "(sleep 30 >/dev/null 2>&1 & echo \"shell $$ started sleep $!\"); exec sleep 30";
        try {
            assertThatThrownBy(() -> SubprocessDemo.timeoutKillsTree(out, escaping, Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("left processes of the tree running");
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("STILL RUNNING");
        } finally {
            Matcher sleep = SLEEP.matcher(printed.toString(StandardCharsets.UTF_8));
            if (sleep.find()) {
                ProcessHandle.of(Long.parseLong(sleep.group(1))).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /**
     * Step 2 streams through {@code tr a-z A-Z} and did not look at its exit code: a {@code tr} that failed
     * (here one first on the PATH that prints nothing and exits 3) left the step silently empty, and
     * {@code mp4j demo subprocess} exited 0. The demo fails now, naming the command and its exit code.
     */
    @Test
    void aStreamingStepThatFails_failsTheDemo_withItsExitCode(@TempDir Path tmp) throws Exception {
        Path bin = Files.createDirectory(tmp.resolve("bin"));
        Path tr = Files.writeString(bin.resolve("tr"), "#!/bin/sh\ncat >/dev/null\nexit 3\n");
        Files.setPosixFilePermissions(tr, PosixFilePermissions.fromString("rwxr-xr-x"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder cli = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.github.multiprocessing4j.cli.Main", "demo", "subprocess")
                .redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile());
        cli.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process p = cli.start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the demo ended").isTrue();
            String err = Files.readString(tmp.resolve("err"));
            assertThat(p.exitValue()).as(Files.readString(tmp.resolve("out")) + err).isEqualTo(1);
            assertThat(err).contains("tr a-z A-Z").contains("exit code 3");
        } finally {
            p.destroyForcibly();
        }
    }
}

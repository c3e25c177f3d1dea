package io.github.multiprocessing4j.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

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
}

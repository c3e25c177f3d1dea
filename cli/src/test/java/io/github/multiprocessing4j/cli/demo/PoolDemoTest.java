package io.github.multiprocessing4j.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PoolDemoTest {

    /** A task that fails fails the demo (so {@code mp4j demo pool} exits non-zero), instead of "all process end". */
    @Test
    void aTaskThatFails_failsTheDemo_afterThePoolHasClosed() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

        assertThatThrownBy(() -> PoolDemo.run(out, i -> {
            if (i == 3) {
                throw new IllegalArgumentException("task three cannot run");
            }
            return i;
        })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("task 3 failed")
                .hasMessageContaining("task three cannot run");

        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("Waiting for all tasks")
                .doesNotContain("all process end");
    }
}

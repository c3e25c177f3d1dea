package io.github.multiprocessing4j.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProcessDemoTest {

    /** A child that fails fails the demo (so {@code mp4j demo process} exits non-zero), instead of "Child process end.". */
    @Test
    void aChildThatFails_failsTheDemo_withItsExitCodeAndException() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

        assertThatThrownBy(() -> ProcessDemo.run(out, () -> {
            throw new IllegalArgumentException("no such student");
        })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("failed with exit code 1")
                .hasMessageContaining("no such student");

        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("Child process will start.")
                .doesNotContain("Child process end.");
    }
}

package io.github.multiprocessing4j.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FigureRunTest {

    @Test
    void figureLines_areCollected_andOtherLinesIgnored() throws Exception {
        assertThat(FigureRun.run(List.of("sh", "-c", "echo hello there world; echo spawn_ms 12.5; echo not a_figure"), 10, "echo"))
                .containsExactly(Map.entry("spawn_ms", 12.5));
    }

    @Test
    void aHungProgram_isKilledAtTheTimeout_withTheProcessesItStarted() throws Exception {
        long start = System.nanoTime();
        IOException e = catchThrowableOfType(IOException.class,
                () -> FigureRun.run(List.of("sh", "-c", "sleep 30 & echo sleeper $!; wait"), 1, "hung"));
        assertThat((System.nanoTime() - start) / 1e9).as("seconds; the sleeper alone would take 30").isLessThan(20);
        assertThat(e).hasMessageContaining("hung did not finish in 1 s").hasMessageContaining("sh -c sleep 30");
        Matcher m = Pattern.compile("sleeper (\\d+)").matcher(e.getMessage());
        assertThat(m.find()).as("the output so far is in the message: %s", e.getMessage()).isTrue();
        long sleeper = Long.parseLong(m.group(1));
        for (int i = 0; i < 50 && ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(100);
        }
        assertThat(ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false)).as("sleep 30 lives on").isFalse();
    }
}

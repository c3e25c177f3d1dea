package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.TestJvm;
import java.util.List;

/** Runs {@link SlowTimerStartProbeMain}: the first use of the coroutine timer of a JVM, made slow. */
final class SlowTimerStartProbe {
    private SlowTimerStartProbe() {
    }

    /**
     * How much later than asked the first sleep woke, or the first deadline fired, in ms. Before the fix, at
     * least the slow start ({@link SlowTimerStartProbeMain#SLOW_START_MS}): the wait was counted from when the
     * timer had started, not from the call.
     */
    static long lateness(String what) throws Exception {
        try (TestJvm jvm = TestJvm.start(SlowTimerStartProbeMain.class, List.of(
                "-Djava.util.logging.config.class=" + SlowTimerStartProbeMain.SlowLoggingConfig.class.getName()),
                what)) {
            assertThat(jvm.nextLine(30)).as("the timer's slow start came within the call")
                    .isEqualTo("slow start in the call: true");
            String late = jvm.nextLine(30);
            assertThat(late).startsWith("late ms: ");
            return Long.parseLong(late.substring("late ms: ".length()));
        }
    }
}

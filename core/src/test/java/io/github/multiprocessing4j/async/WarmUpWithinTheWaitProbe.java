package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.TestJvm;
import java.util.List;

/** Runs {@link WarmUpWithinTheWaitProbeMain}: the first wait of a JVM, its JIT warm-up made to wait its longest. */
final class WarmUpWithinTheWaitProbe {
    private WarmUpWithinTheWaitProbe() {
    }

    /**
     * How much later than asked the first {@code "sleep"} woke, or the first {@code "timeout"} fired, in ms,
     * in a JVM with one carrier for virtual threads.
     */
    static long lateness(String what) throws Exception {
        try (TestJvm jvm = TestJvm.start(WarmUpWithinTheWaitProbeMain.class,
                List.of("-Djdk.virtualThreadScheduler.parallelism=1", "-Djdk.virtualThreadScheduler.maxPoolSize=1"),
                what)) {
            String late = jvm.nextLine(60);
            assertThat(late).startsWith("late ms: ");
            return Long.parseLong(late.substring("late ms: ".length()));
        }
    }
}

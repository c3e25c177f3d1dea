package io.github.multiprocessing4j.subprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.multiprocessing4j.testing.Delays;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** Test helpers about processes the tests start through a shell that prints their pids. */
final class Pids {
    private Pids() {
    }

    /** The whitespace-separated pids on {@code line}. */
    static List<Long> parse(String line) {
        return Arrays.stream(line.strip().split("\\s+")).map(Long::parseLong).toList();
    }

    /** Whether {@code pid} runs (a zombie does not: it has exited and waits for init to reap it). */
    static boolean running(long pid) {
        return ProcessHandle.of(pid).map(ProcessTree::isRunning).orElse(false);
    }

    /** Waits (scaled) until none of {@code pids} runs; fails naming the survivors otherwise. */
    static void awaitGone(List<Long> pids) {
        await().atMost(Delays.seconds(5)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(pids)
                        .as("processes still running").noneMatch(Pids::running));
    }

    /** Kills whatever of {@code pids} still runs: cleanup for a test that failed half-way. */
    static void killAll(List<Long> pids) {
        pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
}

package io.github.multiprocessing4j.subprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.multiprocessing4j.testing.Delays;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * The state letter of {@code pid} in {@code /proc/<pid>/stat}: R running, S sleeping, T stopped, Z zombie;
     * '?' if there is no such process (or no procfs).
     */
    static char state(long pid) {
        try {
            String stat = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "stat")),
                    StandardCharsets.ISO_8859_1);
            int afterName = stat.lastIndexOf(')');
            return afterName >= 0 && afterName + 2 < stat.length() ? stat.charAt(afterName + 2) : '?';
        } catch (IOException e) {
            return '?';
        }
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

package io.github.multiprocessing4j.cli.bench;

import io.github.multiprocessing4j.async.Coroutines;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * One measurement of {@code mp4j bench coroutines}, run in a fresh JVM so that its peak RSS is its own:
 * {@code N} coroutines each sleeping, started and then all waited for. Prints {@code name value} lines as
 * the Python side does: {@code wall_ms}, {@code cpu_ms}, {@code gc_ms} (time in collections),
 * {@code rss_base} (VmRSS before the first coroutine) and {@code rss_peak} (VmHWM at the end).
 *
 * <p>Scenarios: {@code ours} — {@link Coroutines#gather} of callables that call {@link Coroutines#sleep};
 * {@code ours-thread-sleep} — the same with {@link Thread#sleep}, to tell the timer's share;
 * {@code raw} — {@code Thread.ofVirtual().start(...)} with {@code Thread.sleep}, then {@code join} each:
 * what plain JDK code does.
 */
public final class CoroutinesBenchChild {
    private CoroutinesBenchChild() {
    }

    public static void main(String[] args) throws Exception {
        String scenario = args[0];
        int n = Integer.parseInt(args[1]);
        Duration sleep = Duration.ofMillis(Long.parseLong(args[2]));
        long base = status("VmRSS");
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        int done = switch (scenario) {
            case "ours" -> ours(n, () -> {
                Coroutines.sleep(sleep);
                return null;
            });
            case "ours-thread-sleep" -> ours(n, () -> {
                Thread.sleep(sleep);
                return null;
            });
            case "raw" -> raw(n, sleep);
            default -> throw new IllegalArgumentException("unknown scenario: " + scenario);
        };
        long wall = System.nanoTime() - t0;
        long cpu = cpuNanos() - cpu0;
        if (done != n) {
            throw new IllegalStateException("gathered " + done + " of " + n);
        }
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        System.out.printf(Locale.ROOT,
                "wall_ms %.1f%ncpu_ms %.1f%ngc_ms %d%nrss_base %d%nrss_peak %d%n", wall / 1e6, cpu / 1e6,
                gcMillis, base, status("VmHWM"));
    }

    private static int ours(int n, Callable<Void> sleeper) throws InterruptedException {
        List<Void> values = Coroutines.gather(Collections.nCopies(n, sleeper));
        return values.size();
    }

    private static int raw(int n, Duration sleep) throws InterruptedException {
        Runnable sleeper = () -> {
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Thread[] threads = new Thread[n];
        for (int i = 0; i < n; i++) {
            threads[i] = Thread.ofVirtual().start(sleeper);
        }
        for (Thread t : threads) {
            t.join();
        }
        return n;
    }

    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** A size field of /proc/self/status in bytes, or -1 off Linux. */
    static long status(String field) throws IOException {
        Path p = Path.of("/proc/self/status");
        if (!Files.exists(p)) {
            return -1;
        }
        for (String line : Files.readAllLines(p)) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
            }
        }
        return -1;
    }
}

package io.github.multiprocessing4j.soak;

import io.github.multiprocessing4j.async.Coroutines;
import io.github.multiprocessing4j.async.Task;
import io.github.multiprocessing4j.async.TaskGroup;
import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.pool.ThreadPool;
import io.github.multiprocessing4j.pool.VirtualThreadPool;
import io.github.multiprocessing4j.process.JvmProcess;
import io.github.multiprocessing4j.subprocess.Subprocess;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * A soak for leaks, not run by CI (a main, no {@code @Test}): in rounds it starts child JVMs, recycles pool workers,
 * runs external commands and task groups, and after each round prints what a long-lived JVM could accumulate: open
 * descriptors (by kind), live Java threads and the process's threads, entries in the session directory, heap used
 * after a GC, and RSS. A column that grows round after round without levelling off is a leak.
 *
 * <p>A round at {@code -Dsoak.scale=1} does: 300 {@code JvmProcess.start().join()}
 * (100 with {@code -Dsoak.indirect=true}, meant for {@code -Dmp4j.directStart=false}); 20 times a {@code ProcessPool}
 * with {@code maxTasksPerChild(1)} running 300 tasks in all, and one whose task timeout kills 30 hung tasks in all;
 * 2,000 {@code Subprocess} runs of {@code true}, 200 timeouts killing a {@code sleep}, 200 pipelines; 100k
 * {@code Coroutines.gather} and {@code TaskGroup} spawns with sleeps, cancels and timeouts; 200 {@code ThreadPool}
 * and {@code VirtualThreadPool} built and closed. {@code longpool} keeps one {@code maxTasksPerChild(1)} pool open
 * across the rounds, as a server does, and recycles 300 of its workers a round. That takes minutes; the default
 * scale, 0.1, about 10 s a round.
 * Run it on a copy of the classes (a build meanwhile would change them under it):
 *
 * <pre>{@code
 * ./mvnw -q -B -o -pl core -DskipTests test-compile
 * ./mvnw -q -o -pl core dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * cp -r core/target/classes /tmp/soak-classes; cp -r core/target/test-classes /tmp/soak-test-classes
 * java -Dsoak.scale=1 -cp /tmp/soak-test-classes:/tmp/soak-classes:$(cat /tmp/cp.txt) \
 *     io.github.multiprocessing4j.soak.SoakMain 5 all      # rounds (2 by default), then all | jvm | pool | longpool | sub | async
 * java -Dmp4j.directStart=false -Dsoak.indirect=true -cp ... io.github.multiprocessing4j.soak.SoakMain 5 jvm
 * }</pre>
 * {@code -XX:NativeMemoryTracking=summary} and {@code jcmd <pid> VM.native_memory summary} show where RSS goes
 * (direct buffers count under "Other"). RSS that creeps up by a few MB now and then while the JVM's own count stays
 * flat is memory the C library's malloc keeps after the JVM freed it (the JIT compiler's arenas, mostly):
 * {@code jcmd <pid> System.trim_native_heap} hands it back. In 9 rounds at {@code -Dsoak.scale=0.3} (2026-11-27),
 * RSS crept from 103 to 121 MB while the JVM's committed memory did not grow; the trim took it to 105 MB.
 */
public final class SoakMain {

    private static final double SCALE = Double.parseDouble(System.getProperty("soak.scale", "0.1"));

    private SoakMain() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        String what = args.length > 1 ? args[1] : "all";
        System.out.println(header());
        System.out.println(sample("start"));
        for (int round = 1; round <= rounds; round++) {
            long t0 = System.nanoTime();
            if (what.equals("all") || what.equals("jvm")) {
                jvmStarts(n(Boolean.getBoolean("soak.indirect") ? 100 : 300));
            }
            if (what.equals("all") || what.equals("pool")) {
                pools(n(20));
            }
            if (what.equals("longpool")) {
                longPool(n(300));
            }
            if (what.equals("all") || what.equals("sub")) {
                subprocesses();
            }
            if (what.equals("all") || what.equals("async")) {
                async();
            }
            System.out.println(sample("r" + round + " " + (System.nanoTime() - t0) / 1_000_000_000 + "s"));
        }
        System.exit(0);
    }

    private static int n(int count) {
        return Math.max(1, (int) Math.round(count * SCALE));
    }

    private static void jvmStarts(int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            try (JvmProcess child = JvmProcess.start("soak", () -> { })) {
                child.join();
                if (child.exitCode().orElse(-1) != 0) {
                    throw new IllegalStateException("child exit " + child.exitCode() + " " + child.failure());
                }
            }
        }
    }

    private static void pools(int times) throws Exception {
        for (int t = 0; t < times; t++) {
            try (ProcessPool pool = ProcessPool.builder().processes(2).maxTasksPerChild(1).build()) {
                List<CompletableFuture<Integer>> all = new ArrayList<>();
                for (int i = 0; i < n(300) / times + 1; i++) {
                    int x = i;
                    all.add(pool.applyAsync((Integer v) -> v + 1, x));
                }
                for (CompletableFuture<Integer> f : all) {
                    f.get();
                }
            }
            try (ProcessPool pool = ProcessPool.builder().processes(2).taskTimeout(Duration.ofMillis(300)).build()) {
                List<CompletableFuture<Object>> all = new ArrayList<>();
                for (int i = 0; i < Math.max(1, n(30) / times); i++) {
                    all.add(pool.applyAsync((Integer v) -> {
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return v;
                    }, i));
                }
                for (CompletableFuture<Object> f : all) {
                    try {
                        f.get();
                        throw new IllegalStateException("a hung task returned");
                    } catch (java.util.concurrent.ExecutionException expected) {
                        // the timeout
                    }
                }
            }
        }
    }

    /** One pool for the whole run, as a server keeps it: its workers recycled after each task. */
    private static ProcessPool kept;

    private static void longPool(int tasks) throws Exception {
        if (kept == null) {
            kept = ProcessPool.builder().processes(2).maxTasksPerChild(1).taskTimeout(Duration.ofMinutes(5)).build();
        }
        List<CompletableFuture<Integer>> all = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            all.add(kept.applyAsync((Integer v) -> v + 1, i));
        }
        for (CompletableFuture<Integer> f : all) {
            f.get();
        }
    }

    private static void subprocesses() throws Exception {
        for (int i = 0; i < n(2000); i++) {
            Subprocess.command("true").run();
        }
        for (int i = 0; i < n(200); i++) {
            try {
                Subprocess.command("sleep", "30").timeout(Duration.ofMillis(20)).run();
                throw new IllegalStateException("no timeout");
            } catch (io.github.multiprocessing4j.subprocess.TimeoutExpiredException expected) {
                // killed
            }
        }
        for (int i = 0; i < n(200); i++) {
            Subprocess.pipeline(Subprocess.command("echo", "x"), Subprocess.command("cat")).captureOutput().run();
        }
    }

    private static void async() throws Exception {
        int total = n(100_000);
        int done = 0;
        while (done < total) {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int x = i;
                calls.add(() -> {
                    Coroutines.sleep(Duration.ofMillis(x % 3));
                    return x;
                });
            }
            Coroutines.gather(calls);
            try (TaskGroup group = TaskGroup.withTimeout(Duration.ofSeconds(30))) {
                List<Task<Integer>> tasks = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    int x = i;
                    tasks.add(group.spawn(() -> {
                        Coroutines.sleep(Duration.ofMillis(x % 2 == 0 ? 1 : 60_000));
                        return x;
                    }));
                }
                for (int i = 1; i < 100; i += 2) {
                    tasks.get(i).cancel(true);
                }
            }
            try {
                Coroutines.timeout(Duration.ofMillis(1), () -> {
                    Coroutines.sleep(Duration.ofMinutes(1));
                    return 0;
                });
            } catch (java.util.concurrent.TimeoutException expected) {
                // cancelled
            }
            done += 200;
        }
        for (int i = 0; i < n(200); i++) {
            try (ThreadPool threads = ThreadPool.create(2)) {
                threads.submit(() -> 1).get();
            }
            try (VirtualThreadPool virtual = VirtualThreadPool.create()) {
                virtual.submit(() -> 1).get();
            }
        }
    }

    private static String header() {
        return String.format("%-10s %5s %s %7s %7s %5s %8s %8s", "round", "fds", "{kinds}", "javaThr", "osThr",
                "sess", "heapKB", "rssKB");
    }

    private static String sample(String label) throws IOException {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Map<String, Integer> kinds = new TreeMap<>();
        int fds = 0;
        try (DirectoryStream<Path> fd = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : fd) {
                fds++;
                String kind;
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    int colon = target.indexOf(':');
                    kind = target.startsWith("/") ? (target.endsWith(".jar") ? "jar" : "file")
                            : colon > 0 ? target.substring(0, colon) : target;
                } catch (IOException e) {
                    kind = "gone";
                }
                kinds.merge(kind, 1, Integer::sum);
            }
        }
        long heap = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1024;
        long rss = 0;
        long osThreads = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("\\D", ""));
            } else if (line.startsWith("Threads:")) {
                osThreads = Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return String.format("%-10s %5d %s %7d %7d %5s %8d %8d", label, fds, kinds, Thread.getAllStackTraces().size(),
                osThreads, sessionEntries(), heap, rss);
    }

    private static String sessionEntries() throws IOException {
        long pid = ProcessHandle.current().pid();
        int count = 0;
        boolean found = false;
        List<Path> bases = new ArrayList<>();
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null) {
            bases.add(Path.of(xdg));
        }
        bases.add(Path.of(System.getProperty("java.io.tmpdir")));
        for (Path base : bases) {
            if (!Files.isDirectory(base)) {
                continue;
            }
            try (DirectoryStream<Path> s = Files.newDirectoryStream(base, "mp4j-" + pid + "-*")) {
                for (Path dir : s) {
                    found = true;
                    try (DirectoryStream<Path> in = Files.newDirectoryStream(dir)) {
                        for (Path ignored : in) {
                            count++;
                        }
                    }
                }
            }
        }
        return found ? Integer.toString(count) : "-";
    }
}

package io.github.multiprocessing4j.cli.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * {@code mp4j bench coroutines}: 100k and 1M coroutines each sleeping 1 s, then gathered — wall time and
 * peak RSS per coroutine — for {@code Coroutines.gather} + {@code Coroutines.sleep}, for plain virtual
 * threads ({@code Thread.sleep} + {@code join}), and for CPython's {@code asyncio.gather} of
 * {@code asyncio.sleep}, in the same run.
 *
 * <p>Every measurement runs in a fresh process ({@link CoroutinesBenchChild}, or the Python script), so its
 * peak RSS (VmHWM) is its own; bytes per coroutine = (VmHWM at the end − VmRSS before the first coroutine)
 * / N. The child JVMs get no options: the JDK's defaults (G1, heap sized from the machine's memory).
 */
public final class CoroutinesBench implements Bench {
    private static final int DEFAULT_TRIALS = 3;
    private static final long SLEEP_MS = 1000;
    private static final int[] SIZES = {100_000, 1_000_000};
    private static final long GOAL_MILLIS_1M = 5_000;
    private static final long GOAL_BYTES = 1_100;
    /** The JVM option behind the "huge pages" rows: the heap in 2 MiB pages, a page fault each instead of 512. */
    private static final String HUGE_PAGES = "-XX:+UseTransparentHugePages";

    @Override
    public String name() {
        return "coroutines";
    }

    @Override
    public String summary() {
        return "100k and 1M sleeping coroutines gathered vs asyncio";
    }

    /** One run's figures: wall_ms, cpu_ms, gc_ms (Java only), rss_base, rss_peak. */
    private record Run(Map<String, Double> figures, int n) {
        double wallMs() {
            return figures.getOrDefault("wall_ms", Double.NaN);
        }

        double cpuMs() {
            return figures.getOrDefault("cpu_ms", Double.NaN);
        }

        double gcMs() {
            return figures.getOrDefault("gc_ms", Double.NaN);
        }

        double bytesEach() {
            return (figures.getOrDefault("rss_peak", Double.NaN) - figures.getOrDefault("rss_base", Double.NaN)) / n;
        }
    }

    @Override
    public Report run(int trials, PrintStream log) throws Exception {
        int t = trials > 0 ? trials : DEFAULT_TRIALS;
        boolean python = PythonBaseline.available();
        boolean huge = transparentHugePagesOnRequest();
        Report report = new Report(name(), "Sleeping coroutines, gathered (`mp4j bench coroutines`)");
        for (int n : SIZES) {
            String size = n >= 1_000_000 ? (n / 1_000_000) + "M" : (n / 1_000) + "k";
            List<Run> ours = new ArrayList<>();
            List<Run> oursThreadSleep = new ArrayList<>();
            List<Run> raw = new ArrayList<>();
            List<Run> oursHuge = new ArrayList<>();
            List<Run> asyncio = new ArrayList<>();
            for (int i = 0; i < t; i++) {
                log.printf(Locale.ROOT, "coroutines: %s sleepers, trial %d of %d: mp4j, mp4j with Thread.sleep, "
                        + "raw virtual threads%s%s...%n", size, i + 1, t, huge ? ", mp4j with huge pages" : "",
                        python ? ", asyncio" : "");
                ours.add(java("ours", n));
                oursThreadSleep.add(java("ours-thread-sleep", n));
                raw.add(java("raw", n));
                if (huge) {
                    oursHuge.add(java("ours", n, HUGE_PAGES));
                }
                if (python) {
                    asyncio.add(new Run(PythonBaseline.run("coroutines_sleep.py", 600, String.valueOf(n),
                            String.valueOf(SLEEP_MS)), n));
                }
            }
            double oursMs = median(ours, Run::wallMs);
            double oursBytes = median(ours, Run::bytesEach);
            double pyMs = median(asyncio, Run::wallMs);
            double pyBytes = median(asyncio, Run::bytesEach);
            boolean million = n >= 1_000_000;
            report.add(Row.time(size + " x sleep(1 s), gathered: wall time (vs asyncio)", "ms", oursMs, pyMs,
                            million ? "<= " + GOAL_MILLIS_1M + " ms" : "", million ? oursMs <= GOAL_MILLIS_1M : null))
                    .add(Row.time("  raw virtual threads: Thread.sleep + join", "ms", median(raw, Run::wallMs), pyMs,
                            "", null))
                    .add(Row.time("  mp4j gather with Thread.sleep (the JDK's timer)", "ms",
                            median(oursThreadSleep, Run::wallMs), pyMs, "", null))
                    .add(Row.time("  mp4j, JVM run with " + HUGE_PAGES, "ms", median(oursHuge, Run::wallMs), pyMs,
                            million ? "<= " + GOAL_MILLIS_1M + " ms" : "",
                            million && huge ? median(oursHuge, Run::wallMs) <= GOAL_MILLIS_1M : null))
                    .add(Row.time(size + ": peak RSS per coroutine (vs asyncio)", "B", oursBytes, pyBytes,
                            million ? "<= " + GOAL_BYTES + " B" : "", million ? oursBytes <= GOAL_BYTES : null))
                    .add(Row.time("  raw virtual threads", "B", median(raw, Run::bytesEach), pyBytes, "", null))
                    .add(Row.time("  mp4j, JVM run with " + HUGE_PAGES, "B", median(oursHuge, Run::bytesEach), pyBytes,
                            "", null))
                    .add(Row.time(size + ": CPU time, all threads (vs asyncio)", "ms", median(ours, Run::cpuMs),
                            median(asyncio, Run::cpuMs), "", null))
                    .add(Row.time("  raw virtual threads", "ms", median(raw, Run::cpuMs), median(asyncio, Run::cpuMs),
                            "", null))
                    .add(Row.time(size + ": time in GC (G1, default heap)", "ms", median(ours, Run::gcMs),
                            Double.NaN, "", null))
                    .add(Row.time("  raw virtual threads", "ms", median(raw, Run::gcMs), Double.NaN, "", null))
                    .add(Row.time("  mp4j, JVM run with " + HUGE_PAGES, "ms", median(oursHuge, Run::gcMs), Double.NaN,
                            "", null));
            report.note(String.format(Locale.ROOT,
                    "%s, mp4j: wall %s ms, %s B per coroutine (min-max of the %d runs; the machine "
                    + "is shared, so single runs wander)", size, range(ours, Run::wallMs), range(ours, Run::bytesEach),
                    t));
        }
        return closingNotes(report, t, python, huge);
    }

    /**
     * The notes under the table: how it was measured, and what the measurements showed. {@code python}: CPython's
     * side ran; {@code huge}: the huge-page rows were measured.
     */
    static Report closingNotes(Report report, int t, boolean python, boolean huge) {
        report.note("Medians of " + t + " runs; each run is a fresh process (child JVMs with the JDK's default "
                + "options). Wall time runs from the first spawn to the end of gather; bytes per coroutine = "
                + "(peak RSS - RSS before the first coroutine) / N. mp4j = Coroutines.gather of callables calling "
                + "Coroutines.sleep; "
                // no usable Python: the asyncio column is all dashes, and the note must not describe it as measured
                + (python ? "asyncio = asyncio.gather of coroutines awaiting asyncio.sleep."
                        : "CPython's side was not measured in this run."));
        report.note("Why plain virtual threads need so long for 1M sleepers, found with -Xlog:deoptimization=debug, "
                + "-Xlog:gc, per-thread CPU times, heap histograms and pre-touched heaps: (1) memory: 1M parked threads "
                + "are ~1 GB of fresh stack chunks, and on this VM the first touch of each 4 KiB page is a costly "
                + "fault: with the heap pre-touched (-Xms4g -Xmn1500m -XX:+AlwaysPreTouch) the same 1M gather takes "
                + "~2.2 s instead of ~5.5 s, and the spawning phase 1.1 s instead of 4.4 s; (2) GC: G1 copies those "
                + "live chunks young -> survivor -> old, 100-400 ms pauses into fresh regions (faults again), ~2 s "
                + "in all; (3) a JIT deoptimization storm: C2 compiles the sleeping code before any sleeper has "
                + "woken, so the code after the park is an uncommon trap, and every frozen frame is deoptimized on "
                + "its own when it resumes (~50k in VirtualThread.sleepNanos and ~60k 'unloaded' traps in "
                + "VirtualThread.run per 1M sleepers); (4) the timer: each Thread.sleep goes into the scheduler's "
                + "DelayScheduler, one thread sifting a 4-ary heap of 1M entries scattered over the heap (~1.5 s of "
                + "its CPU; wake-ups up to 4 s late). Spawning from virtual threads instead of the calling platform "
                + "thread (local instead of external submissions) was tried and made no measurable difference.");
        report.note("Fixed in our layer: Coroutines.sleep parks on a 1 ms hashed timing wheel (O(1) expiry, ~0.3 s "
                + "of timer CPU per 1M) written so that resuming hits no uncommon trap, and the first group ends one "
                + "virtual thread before any coroutine starts so VirtualThread.run is compiled with its classes "
                + "loaded: no deoptimizations left. Not fixable in a library: the page faults and the GC (the heap "
                + "is the application's; " + HUGE_PAGES + " - huge pages for the heap where the kernel's THP mode "
                + "is 'madvise', the default of most distributions - cuts both, "
                + (huge ? "see its rows" : "but its rows were not measured in this run: this kernel gives no "
                        + "transparent huge pages on request")
                + "), and the root "
                + "container's map entry per virtual thread (jdk.trackAllThreads, ~40 B each).");
        return report;
    }

    /** True where the kernel gives transparent huge pages to memory that asks (modes "always" and "madvise"). */
    private static boolean transparentHugePagesOnRequest() {
        try {
            String mode = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
            return mode.contains("[always]") || mode.contains("[madvise]");
        } catch (IOException e) {
            return false; // not Linux, or no THP
        }
    }

    private static Run java(String scenario, int n, String... jvmOptions) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), CoroutinesBenchChild.class.getName(), scenario,
                String.valueOf(n), String.valueOf(SLEEP_MS)));
        Map<String, Double> figures = FigureRun.run(cmd, 600, scenario + " " + n);
        return new Run(figures, n);
    }

    private static String range(List<Run> runs, ToDoubleFunction<Run> f) {
        Stats s = Stats.of(runs.stream().mapToDouble(f).toArray());
        return String.format(Locale.ROOT, "%.0f-%.0f", s.min(), s.max());
    }

    private static double median(List<Run> runs, ToDoubleFunction<Run> f) {
        return Stats.of(runs.stream().mapToDouble(f).toArray()).median();
    }
}

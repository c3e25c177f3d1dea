package io.github.multiprocessing4j.cli.bench;

import io.github.multiprocessing4j.subprocess.CompletedProcess;
import io.github.multiprocessing4j.subprocess.Subprocess;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code mp4j bench subprocess}: what launching a command and moving data through one cost, beside
 * CPython's {@code subprocess} in the same run.
 *
 * <ul>
 *   <li>{@code run("true")}: {@code Subprocess.command("true").run()}, the JDK's {@code ProcessBuilder}
 *       directly (the floor under ours), and {@code subprocess.run(["true"])}; trials interleaved in all
 *       six orders, medians.
 *       Also with the output captured (two pipes and their drain threads).</li>
 *   <li>The JDK's launch mechanisms: {@code ProcessBuilder} in child JVMs started with
 *       {@code -Djdk.lang.Process.launchMechanism=POSIX_SPAWN|FORK|VFORK}, since the JDK reads the
 *       property once per JVM ({@link SubprocessLaunchProbe}).</li>
 *   <li>100 MiB through {@code cat}: {@code communicate(data)} then {@code stdoutBytes()}, against
 *       CPython's {@code Popen(["cat"]).communicate(data)}, and the same two pipe hops done by C tools
 *       alone ({@code head -c | cat | cat > /dev/null}), the ceiling of this machine; the same bytes read
 *       as a stream from {@code stdout()} and dropped, beside CPython doing the same, to tell the pipes' speed
 *       from what keeping 100 MiB costs; and one {@code System.arraycopy} of 100 MiB, the machine's memory
 *       speed.</li>
 * </ul>
 *
 * <p>Run: {@code ./mp4j bench subprocess --no-doc} (add {@code --trials N} for N launches per
 * measurement, and N transfers of 100 MiB each way if N is below 5).
 */
public final class SubprocessBench implements Bench {
    private static final int DEFAULT_TRIALS = 200;
    /** The transfers of 100 MiB each way, at most (see pipeTrials). */
    private static final int PIPE_TRIALS = 5;
    private static final int MEGABYTES = 100;
    private static final int BYTES = MEGABYTES * 1024 * 1024;
    private static final double GOAL_MB_S = 1500;
    private static final double OVERHEAD_GOAL_MS = 0.1;
    /** The orders of ours (0), ProcessBuilder (1) and ours with capture (2) that the launch trials cycle through. */
    private static final int[][] ORDERS = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}, {1, 0, 2}, {0, 2, 1}};
    private static final List<String> MECHANISMS = List.of("POSIX_SPAWN", "FORK", "VFORK");

    @Override
    public String name() {
        return "subprocess";
    }

    @Override
    public String summary() {
        return "run(\"true\") latency and 100 MiB through cat vs CPython subprocess";
    }

    @Override
    public Report run(int trials, PrintStream log) throws Exception {
        int n = trials > 0 ? trials : DEFAULT_TRIALS;
        log.printf(Locale.ROOT,
                "subprocess: %d x run(\"true\"), ours / ProcessBuilder / ours with capture, in rotating order...%n", n);
        double[] ours = new double[n];
        double[] builder = new double[n];
        double[] captured = new double[n];
        for (int i = 0; i < 20; i++) {
            runTrue();
            builderTrue();
            runTrueCaptured();
        }
        for (int i = 0; i < n; i++) {
            // Each launch leaves a little work behind (the JDK's reaper, our drain threads) that slows the
            // next one: cycle through all six orders so that no measurement always comes first or after
            // the capturing run. With a fixed order the paired difference read 0.1 ms higher.
            for (int which : ORDERS[i % ORDERS.length]) {
                switch (which) {
                    case 0 -> ours[i] = runTrue();
                    case 1 -> builder[i] = builderTrue();
                    default -> captured[i] = runTrueCaptured();
                }
            }
        }
        Map<String, Double> mechanisms = new LinkedHashMap<>();
        Map<String, String> mechanismWarnings = new LinkedHashMap<>();
        for (String m : MECHANISMS) {
            log.printf(Locale.ROOT,
                    "subprocess: %d x ProcessBuilder(\"true\") in a child JVM with launchMechanism=%s...%n", n, m);
            probe(m, n, mechanisms, mechanismWarnings);
        }
        int transfers = pipeTrials(trials);
        log.printf(Locale.ROOT, "subprocess: %d x %d MiB through cat with communicate...%n", transfers, MEGABYTES);
        byte[] data = new byte[BYTES];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        for (int i = 0; i < 3; i++) {
            // A young JVM touches fresh heap for each 100 MB it keeps (a page fault per 4 KiB, costlier than
            // the copy itself) until its collector starts reusing memory: warm up before measuring.
            throughCat(data);
            jdkThroughCat(data);
            streamThroughCat(data);
        }
        double[] rates = new double[transfers];
        double[] jdkRates = new double[transfers];
        double[] streamRates = new double[transfers];
        double[] copyRates = new double[transfers];
        for (int i = 0; i < transfers; i++) {
            rates[i] = throughCat(data);
            jdkRates[i] = jdkThroughCat(data);
            streamRates[i] = streamThroughCat(data);
            copyRates[i] = copyRate(data);
        }
        log.printf(Locale.ROOT, "subprocess: %d x the same through C tools alone (head | cat | cat)...%n", transfers);
        double[] ceiling = new double[transfers];
        for (int i = 0; i < transfers; i++) {
            ceiling[i] = shellCeiling();
        }
        Map<String, Double> py = Map.of();
        if (PythonBaseline.available()) {
            log.println("subprocess: CPython's side...");
            py = PythonBaseline.run("subprocess_bench.py", 900, String.valueOf(n), String.valueOf(transfers),
                    String.valueOf(MEGABYTES));
        }
        double[] overhead = new double[n];
        for (int i = 0; i < n; i++) {
            overhead[i] = ours[i] - builder[i];
        }
        return report(n, transfers, Stats.of(ours).median(), Stats.of(builder).median(), Stats.of(overhead).median(),
                Stats.of(captured).median(), mechanisms, mechanismWarnings,
                new PipeFigures(Stats.of(rates).median(), Stats.of(jdkRates).median(), Stats.of(streamRates).median(),
                        Stats.of(ceiling).median(), Stats.of(copyRates).median()), py);
    }

    Report report(int n, int transfers, double ours, double builder, double overhead, double captured,
            Map<String, Double> mechanisms, Map<String, String> warnings, PipeFigures pipe, Map<String, Double> py) {
        double rate = pipe.communicate();
        double ceiling = pipe.cTools();
        double pyTrue = py.getOrDefault("run_true_ms", Double.NaN);
        double pyCaptured = py.getOrDefault("run_true_capture_ms", Double.NaN);
        double pyRate = py.getOrDefault("cat_mb_s", Double.NaN);
        Report report = new Report(name(), "External commands: launch latency and pipe throughput (`mp4j bench subprocess`)")
                .add(Row.time("run(\"true\")", "ms", ours, pyTrue, "", null))
                .add(Row.time("  JDK ProcessBuilder(\"true\").start().waitFor() (baseline)", "ms", builder, pyTrue, "", null))
                .add(Row.time("  ours minus ProcessBuilder (median of paired trials)", "ms", overhead, Double.NaN,
                        "<= " + OVERHEAD_GOAL_MS + " ms", overhead <= OVERHEAD_GOAL_MS))
                .add(Row.time("run(\"true\") with captureOutput()", "ms", captured, pyCaptured, "", null));
        for (String m : MECHANISMS) {
            report.add(Row.time("  ProcessBuilder, launchMechanism=" + m + " (own JVM)", "ms",
                    mechanisms.getOrDefault(m, Double.NaN), pyTrue, "", null));
        }
        report.add(Row.rate(MEGABYTES + " MiB through cat, communicate()", "MB/s", rate, pyRate,
                        ">= " + (int) GOAL_MB_S + " MB/s", rate >= GOAL_MB_S))
                .add(Row.rate("  JDK ProcessBuilder + ByteArrayOutputStream (baseline)", "MB/s", pipe.jdk(), pyRate, "",
                        null))
                .add(Row.rate("  read as a stream, nothing kept (stdout() loop)", "MB/s",
                        pipe.stream(), py.getOrDefault("cat_stream_mb_s", Double.NaN), "", null))
                .add(Row.rate("  C tools alone: head -c | cat | cat > /dev/null", "MB/s", ceiling, pyRate, "", null))
                .add(Row.rate("  memory speed: one arraycopy of " + MEGABYTES + " MiB", "MB/s",
                        pipe.memoryCopy(), Double.NaN, "", null));
        report.note("Medians of " + n + " launches (ours, ProcessBuilder and ours with capture interleaved, "
                + "cycling through all six orders) and of "
                + transfers + (transfers == 1 ? " transfer" : " transfers") + " of " + MEGABYTES
                + " MiB; MB/s = 10^6 bytes per second. "
                // py is empty when CPython did not run (no usable Python): the note must not say that it ran
                + (py.isEmpty() ? "CPython's side was not measured in this run."
                        : "CPython runs subprocess.run([\"true\"]) and Popen([\"cat\"]).communicate(data) in the same run."));
        double spawn = mechanisms.getOrDefault("POSIX_SPAWN", Double.NaN);
        double vfork = mechanisms.getOrDefault("VFORK", Double.NaN);
        double fork = mechanisms.getOrDefault("FORK", Double.NaN);
        // One launch per mechanism and trial on a shared machine: VFORK can come out slower, and then the run
        // shows no cost of the helper, rather than a negative one. A probe that failed gives no figure (NaN): then
        // the run measured no cost at all, and "costs about n/a ms" would claim one.
        String helperCost = Double.isNaN(spawn) || Double.isNaN(vfork)
                ? "so this run cannot tell what jspawnhelper costs: the " + (Double.isNaN(vfork) && Double.isNaN(spawn)
                        ? "VFORK and POSIX_SPAWN probes gave" : (Double.isNaN(vfork) ? "VFORK" : "POSIX_SPAWN")
                        + " probe gave") + " no figure"
                : spawn <= vfork ? "so this run shows no cost of jspawnhelper (the machine's noise is larger)"
                : "so jspawnhelper costs about " + Row.format(spawn - vfork) + " ms here";
        report.note(String.format(Locale.ROOT,
                "Launch: the JDK's default on Linux, POSIX_SPAWN, spawns the jspawnhelper binary, "
                + "which then execs the command: two execs per launch. VFORK (one exec, no helper) took %s ms vs %s ms, "
                + "%s; FORK copies the JVM's page tables and took %s ms. "
                + "CPython's _posixsubprocess uses vfork directly.", Row.format(vfork), Row.format(spawn),
                helperCost, Row.format(fork)));
        report.note("VFORK still exists in JDK 25 but is deprecated: " + warnings.getOrDefault("VFORK", "(no warning seen)")
                + " The property is read once per JVM, so a library cannot switch it for its own launches, and the only "
                + "faster path (vfork/posix_spawn without the helper) needs native code; we do not use it. What we "
                + "control is our own overhead: run() without capture starts no thread and no pipe.");
        report.note(String.format(Locale.ROOT,
                "Throughput: each 64 KiB pipe (Linux default; its size can only be raised with "
                + "fcntl(F_SETPIPE_SZ), native code again) is crossed twice, and cat copies every byte in and out: "
                + "C tools alone reach %s MB/s on this machine, and our pipes read as a stream %s MB/s. The %d MB/s "
                + "goal for communicate() is %s. What communicate() adds is memory, not pipe work: it keeps the "
                + "100 MiB in chunks (arrays the JVM zeroes first) and stdoutBytes() hands out a new array each call "
                + "(zeroed, then filled), about four more passes over 100 MiB at %s MB/s each, plus a page fault per "
                + "4 KiB of heap the JVM has not touched before. CPython's communicate keeps its chunks and joins "
                + "them the same way. Ours writes 64 KiB per call on one pooled platform thread and reads 64 KiB per "
                + "call into chunks of up to 1 MiB on another; CPython's communicate writes PIPE_BUF (4 KiB) per "
                + "select() round.", Row.format(ceiling), Row.format(pipe.stream()), (int) GOAL_MB_S,
                rate >= GOAL_MB_S ? "met" : String.format(Locale.ROOT,
                        "missed by %.1fx (%.0f%% of the C-tools ceiling, %.0f%% of our own streaming rate)",
                        GOAL_MB_S / rate, 100 * rate / ceiling, 100 * rate / pipe.stream()),
                Row.format(pipe.memoryCopy())));
        return report;
    }

    /**
     * How many times each way moves the 100 MiB: {@value #PIPE_TRIALS}, or fewer when --trials asks for fewer (a
     * quick run); never more, as --trials counts launches too, whose 200 transfers would move 80 GB.
     */
    static int pipeTrials(int trials) {
        return trials > 0 ? Math.min(trials, PIPE_TRIALS) : PIPE_TRIALS;
    }

    private static double runTrue() throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Subprocess.command("true").run();
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double runTrueCaptured() throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Subprocess.command("true").captureOutput().run();
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double builderTrue() throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        new ProcessBuilder("true").inheritIO().start().waitFor();
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double throughCat(byte[] data) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        byte[] out;
        try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).captureOutput().start()) {
            CompletedProcess done = cat.communicate(data, Duration.ofMinutes(5));
            out = done.stdoutBytes();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (out.length != data.length) {
            throw new IllegalStateException("cat returned " + out.length + " bytes of " + data.length);
        }
        return data.length / seconds / 1e6;
    }

    /** MB/s of each way of moving the 100 MiB, medians over the trials. */
    record PipeFigures(double communicate, double jdk, double stream, double cTools, double memoryCopy) {
    }

    /**
     * The same bytes through cat with our handle, read as they come and dropped: the pipes' own speed, with
     * nothing kept. A platform thread writes stdin() as a user would; the caller reads stdout().
     */
    private static double streamThroughCat(byte[] data) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        long total = 0;
        try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE).start()) {
            Thread writer = Thread.ofPlatform().start(() -> {
                try (var in = cat.stdin()) {
                    for (int at = 0; at < data.length; at += 64 * 1024) {
                        in.write(data, at, Math.min(64 * 1024, data.length - at));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] buffer = new byte[64 * 1024];
            var out = cat.stdout();
            for (int n; (n = out.read(buffer)) > 0; ) {
                total += n;
            }
            writer.join();
            cat.waitFor();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (total != data.length) {
            throw new IllegalStateException("cat returned " + total + " bytes of " + data.length);
        }
        return data.length / seconds / 1e6;
    }

    /** One copy of {@code data} into an array touched before: what one pass over 100 MiB costs here. */
    private static double copyRate(byte[] data) {
        byte[] target = new byte[data.length];
        System.arraycopy(data, 0, target, 0, data.length); // touch it first
        long t0 = System.nanoTime();
        System.arraycopy(data, 0, target, 0, data.length);
        return data.length / ((System.nanoTime() - t0) / 1e9) / 1e6;
    }

    /** The baseline: the JDK's ProcessBuilder, a writer thread and a read loop into a ByteArrayOutputStream. */
    private static double jdkThroughCat(byte[] data) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process cat = new ProcessBuilder("cat").start();
        Thread writer = Thread.ofPlatform().start(() -> {
            try (var in = cat.getOutputStream()) {
                in.write(data);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        var out = new java.io.ByteArrayOutputStream(1 << 20);
        cat.getInputStream().transferTo(out);
        writer.join();
        cat.waitFor();
        byte[] bytes = out.toByteArray();
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (bytes.length != data.length) {
            throw new IllegalStateException("cat returned " + bytes.length + " bytes of " + data.length);
        }
        return data.length / seconds / 1e6;
    }

    private static double shellCeiling() throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Subprocess.command("sh", "-c", "head -c " + BYTES + " /dev/zero | cat | cat > /dev/null").check().run();
        return BYTES / ((System.nanoTime() - t0) / 1e9) / 1e6;
    }

    private static void probe(String mechanism, int n, Map<String, Double> results, Map<String, String> warnings)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        CompletedProcess done = Subprocess.command(java, "-Djdk.lang.Process.launchMechanism=" + mechanism,
                        "-cp", System.getProperty("java.class.path"), SubprocessLaunchProbe.class.getName(),
                        String.valueOf(n))
                .captureOutput().timeout(Duration.ofMinutes(5)).run();
        String stderr = done.stderr().strip();
        if (!stderr.isEmpty()) {
            warnings.put(mechanism, "with it the JDK prints \"" + stderr.lines().findFirst().orElse("")
                    + " ...\" on stderr.");
        }
        for (String line : done.stdout().split("\n")) {
            if (line.startsWith("launch_ms ")) {
                results.put(mechanism, Double.parseDouble(line.substring("launch_ms ".length()).strip()));
            }
        }
        if (done.returnCode() != 0 || !results.containsKey(mechanism)) {
            warnings.put(mechanism, "the probe failed (exit " + done.returnCode() + "): " + stderr);
        }
    }

}

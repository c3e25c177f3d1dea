package io.github.multiprocessing4j.cli;

import io.github.multiprocessing4j.cli.bench.Bench;
import io.github.multiprocessing4j.cli.bench.Benches;
import io.github.multiprocessing4j.cli.bench.BenchmarksDoc;
import io.github.multiprocessing4j.cli.bench.PythonBaseline;
import io.github.multiprocessing4j.cli.bench.Report;
import io.github.multiprocessing4j.internal.launch.ChildLauncher;
import io.github.multiprocessing4j.process.JvmProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mp4j bench [topic...]}: measures ours beside CPython and records the table in docs/benchmarks.md. */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Measures the library beside CPython's equivalent in the same run.",
            "Prints medians and ratios, and records the table in docs/benchmarks.md.",
            "With no topic, runs every topic (several minutes: coroutines alone takes about four)."})
final class BenchCommand implements Callable<Integer> {

    /** The exit code when a topic failed, or its figures could not be written. */
    static final int FAILED = 1;

    @Spec
    CommandSpec spec;

    private final List<Bench> available;

    BenchCommand() {
        this(Benches.all());
    }

    /** A command over other benchmarks than the library's, for tests. */
    BenchCommand(List<Bench> available) {
        this.available = List.copyOf(available);
    }

    @Parameters(arity = "0..*", paramLabel = "TOPIC", completionCandidates = TopicNames.class,
            description = "Benchmark topics: ${COMPLETION-CANDIDATES}")
    List<String> topics = new ArrayList<>();

    @Option(names = "--trials", description = "Trials per measurement (default: each topic's own)")
    int trials;

    @Option(names = "--doc", description = "Where to record the tables (default: the checkout's docs/benchmarks.md)")
    Path doc;

    @Option(names = "--no-doc", description = "Print only; do not touch docs/benchmarks.md")
    boolean noDoc;

    @Override
    public Integer call() throws Exception {
        if (spec.commandLine().getParseResult().hasMatchedOption("--trials") && trials < 1) {
            // Checked first: a bad value would otherwise be taken for "the topic's own" and run for minutes.
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--trials must be at least 1, not " + trials);
        }
        if (doc != null && doc.toString().isBlank()) {
            // Path.of("") is the current folder, which the check below would only call "a folder".
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--doc needs a file name, e.g. --doc my-benchmarks.md");
        }
        if (doc != null && noDoc) {
            // Else --no-doc would win, silently: the tables asked for in --doc would go nowhere.
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--doc and --no-doc exclude each other: --doc records the tables there, --no-doc prints only");
        }
        List<Bench> chosen = Topics.choose(topics, available, Bench::name, "benchmark", spec.commandLine());
        String skipped = PythonBaseline.whySkipped();
        if (!skipped.isEmpty()) {
            System.out.println("Note: " + skipped + "; CPython's side is skipped "
                    + "(set MP4J_PYTHON to a Python 3.8 or newer to include it).");
        }
        Path target = doc != null ? doc : BenchmarksDoc.defaultPath();
        if (!noDoc) {
            try {
                // Now, not after minutes of measuring: a document whose markers are broken cannot take the tables.
                for (Bench bench : chosen) {
                    BenchmarksDoc.check(target, bench.name());
                }
            } catch (IOException e) {
                spec.commandLine().getErr().println("mp4j bench: " + e.getMessage());
                return 1;
            }
        }
        int exit = 0;
        List<String> failed = new ArrayList<>();
        try (ProcessCleanup cleanup = ProcessCleanup.whileRunning()) {
            trainAotCacheFirst();
            for (Bench bench : chosen) {
                Report report;
                try {
                    report = bench.run(trials, System.out);
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception | Error e) {
                    if (cleanup.stopping()) {
                        return FAILED; // stopped by Ctrl-C or kill, which is no failure of the topic to report
                    }
                    // As for demos: one broken topic (CPython's script failing, say) must not cancel the others.
                    System.out.flush();
                    PrintWriter err = spec.commandLine().getErr();
                    err.println("mp4j bench: topic '" + bench.name() + "' failed: " + e);
                    e.printStackTrace(err);
                    err.flush();
                    failed.add(bench.name());
                    continue;
                }
                System.out.println();
                report.print(System.out);
                System.out.println();
                if (!noDoc) {
                    try {
                        BenchmarksDoc.write(target, report);
                        System.out.println("(recorded in " + target.toAbsolutePath().normalize() + ")");
                    } catch (IOException e) {
                        // Checked above, but the file may have changed since: say so, not with a stack trace.
                        spec.commandLine().getErr().println("mp4j bench: the table of '" + bench.name()
                                + "' (printed above) was not recorded: " + e);
                        spec.commandLine().getErr().flush();
                        exit = FAILED;
                    }
                }
            }
        }
        if (!failed.isEmpty()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("mp4j bench: " + failed.size() + " of " + chosen.size() + " topics failed: "
                    + String.join(", ", failed));
            err.flush();
            return FAILED;
        }
        return exit;
    }

    /**
     * The first child JVM of a new build trains an AOT cache in the background: a JVM busy for seconds, which
     * would run beside the first measurements (on 2 cores it doubled {@code apply}'s round trip). So one
     * child runs first and its training is waited for.
     */
    private static void trainAotCacheFirst() throws InterruptedException {
        try (JvmProcess warmup = JvmProcess.start("aot-warmup", () -> { })) {
            warmup.join();
        }
        if (!ChildLauncher.get().awaitAotTraining(Duration.ofMinutes(2))) {
            System.out.println("Note: the AOT cache of child JVMs is still being trained; early figures may be slow.");
        }
    }

    static final class TopicNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Benches.all().stream().map(Bench::name).iterator();
        }
    }
}

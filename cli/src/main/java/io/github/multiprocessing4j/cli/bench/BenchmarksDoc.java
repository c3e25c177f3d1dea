package io.github.multiprocessing4j.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/**
 * Writes a benchmark topic's section into {@code docs/benchmarks.md}, replacing the section of the same
 * topic from an earlier run and leaving the others alone. Sections sit between
 * {@code <!-- bench:TOPIC -->} and {@code <!-- /bench:TOPIC -->}.
 */
public final class BenchmarksDoc {
    private static final String HEADER = """
            # Benchmarks

            Figures written by `./mp4j bench <topic>`. Each row is the median of several trials of ours and of
            CPython's equivalent, **measured in the same run on the same machine**; the machines are shared and
            noisy, so compare the ratio, not the absolute figures across runs.
            """;

    private BenchmarksDoc() {
    }

    /** Where the document lives: {@code $MP4J_HOME/docs/benchmarks.md} (set by ./mp4j), else ./docs. */
    public static Path defaultPath() {
        String home = System.getenv("MP4J_HOME");
        return (home == null || home.isBlank() ? Path.of(".") : Path.of(home)).resolve("docs").resolve("benchmarks.md");
    }

    public static String machine() {
        return "Measured " + LocalDate.now() + " on " + Runtime.getRuntime().availableProcessors() + " cores ("
                + cpuName() + "), JDK " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + "), "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + "; CPython: "
                + PythonBaseline.version() + ".";
    }

    private static String cpuName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    public static void write(Path doc, Report report) throws IOException {
        String begin = "<!-- bench:" + report.topic() + " -->";
        String end = "<!-- /bench:" + report.topic() + " -->";
        String section = begin + "\n" + report.markdown(machine()) + end;
        String text = Files.exists(doc) ? Files.readString(doc) : HEADER;
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from >= 0 && to > from) {
            text = text.substring(0, from) + section + text.substring(to + end.length());
        } else {
            text = text.stripTrailing() + "\n\n" + section + "\n";
        }
        Files.createDirectories(doc.toAbsolutePath().getParent());
        Files.writeString(doc, text);
    }
}

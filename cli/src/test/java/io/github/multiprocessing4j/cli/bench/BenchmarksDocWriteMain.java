package io.github.multiprocessing4j.cli.bench;

import java.nio.file.Path;

/**
 * Run by {@link BenchmarksDocTest} in a child JVM whose file size limit ({@code ulimit -f}) is smaller than the
 * document it writes: {@code BenchmarksDoc.write} of a {@code process} section of {@code args[1]} rows into
 * {@code args[0]}, so that the write fails midway with EFBIG, as on a full disk.
 */
public final class BenchmarksDocWriteMain {
    private BenchmarksDocWriteMain() {
    }

    public static void main(String[] args) throws Exception {
        Report report = new Report("process", "Process");
        for (int i = 0; i < Integer.parseInt(args[1]); i++) {
            report.add(Row.time("start->join, trial " + i + " of a long table", "ms", 70 + i, 80, "", null));
        }
        BenchmarksDoc.write(Path.of(args[0]), report);
    }
}

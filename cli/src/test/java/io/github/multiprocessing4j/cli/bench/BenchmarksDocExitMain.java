package io.github.multiprocessing4j.cli.bench;

import java.nio.file.Path;

/**
 * Run by {@link BenchmarksDocTest} in a child JVM: {@code BenchmarksDoc.write} of a {@code process} section into
 * {@code args[0]}, the JVM ending (System.exit(130), which runs the shutdown hooks as Ctrl-C does, and no finally
 * block of the writing thread) while the write's temporary file exists.
 */
public final class BenchmarksDocExitMain {
    private BenchmarksDocExitMain() {
    }

    public static void main(String[] args) throws Exception {
        BenchmarksDoc.whileWriting = () -> System.exit(130);
        BenchmarksDoc.write(Path.of(args[0]),
                new Report("process", "Process").add(Row.time("start", "ms", 60, 80, "", null)));
    }
}

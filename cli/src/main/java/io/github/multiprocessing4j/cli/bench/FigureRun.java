package io.github.multiprocessing4j.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a measuring program in a process of its own (a CPython script, or a fresh JVM) and collects the
 * figures it prints, one {@code name value} line each; other lines are ignored.
 */
final class FigureRun {
    private FigureRun() {
    }

    /**
     * @param what names the program in error messages
     * @throws IOException if it fails or overruns {@code timeoutSeconds}; its output is in the message
     */
    static Map<String, Double> run(List<String> command, long timeoutSeconds, String what)
            throws IOException, InterruptedException {
        Map<String, Double> figures = new LinkedHashMap<>();
        for (String line : output(command, timeoutSeconds, what).split("\n")) {
            String[] parts = line.strip().split("\\s+");
            if (parts.length == 2) {
                try {
                    figures.put(parts[0], Double.parseDouble(parts[1]));
                } catch (NumberFormatException ignored) {
                    // not a figure
                }
            }
        }
        return figures;
    }

    /**
     * Runs {@code command} and returns what it printed, stdout and stderr together. When it overruns
     * {@code timeoutSeconds} it is killed, with every process it started.
     *
     * @param what names the program in error messages
     * @throws IOException if it fails or overruns {@code timeoutSeconds}; its output is in the message
     */
    static String output(List<String> command, long timeoutSeconds, String what) throws IOException, InterruptedException {
        // to a file, not a pipe: reading a pipe to its end would wait for the program however long it hangs
        Path file = Files.createTempFile("mp4j-bench-", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(file.toFile()).start();
            boolean finished = false;
            try {
                finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            } finally {
                if (!finished) {
                    kill(p);
                }
            }
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            if (!finished) {
                throw new IOException(what + " did not finish in " + timeoutSeconds + " s and was killed ("
                        + String.join(" ", command) + "); its output so far:\n" + text);
            }
            if (p.exitValue() != 0) {
                throw new IOException(what + " failed (exit " + p.exitValue() + "):\n" + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Kills {@code p} and its descendants (a CPython pool's workers, say), which would otherwise live on. */
    private static void kill(Process p) {
        List<ProcessHandle> descendants = p.descendants().toList();
        p.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }
}

package io.github.multiprocessing4j.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(what + " did not finish in " + timeoutSeconds + " s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(what + " failed (exit " + p.exitValue() + "):\n" + text);
        }
        Map<String, Double> figures = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
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
}

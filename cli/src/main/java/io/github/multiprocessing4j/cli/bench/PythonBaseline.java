package io.github.multiprocessing4j.cli.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs CPython's side of a benchmark: a script from {@code src/main/resources/python} that prints one
 * {@code name value} line per figure. {@code python3} is taken from the PATH, or from
 * {@code MP4J_PYTHON}; when there is none, or it is older than Python 3.8 (the scripts need it), benchmarks
 * report our side alone and say so.
 */
public final class PythonBaseline {
    /** The scripts use f-strings, {@code asyncio.run} and {@code subprocess.run(capture_output=...)}. */
    static final int MIN_MINOR_VERSION = 8;
    private static final Pattern PYTHON_3 = Pattern.compile("Python 3\\.(\\d+)");

    private PythonBaseline() {
    }

    public static String executable() {
        String configured = System.getenv("MP4J_PYTHON");
        return configured == null || configured.isBlank() ? "python3" : configured;
    }

    /** "Python 3.11.7", or "not found" (also when it fails, or does not answer within 10 s). */
    public static String version() {
        try {
            return FigureRun.output(List.of(executable(), "--version"), 10, executable() + " --version").strip();
        } catch (IOException e) {
            return "not found";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not found";
        }
    }

    /** Whether CPython's side can run: the interpreter answers, and is a Python 3.8 or newer. */
    public static boolean available() {
        return usable(version());
    }

    /** Whether {@code version}, as {@link #version()} gives it, names a Python the scripts run on. */
    static boolean usable(String version) {
        Matcher m = PYTHON_3.matcher(version);
        return m.lookingAt() && Integer.parseInt(m.group(1)) >= MIN_MINOR_VERSION;
    }

    /** Why CPython's side is skipped, for a note; empty when it is not. */
    public static String whySkipped() {
        String version = version();
        if (usable(version)) {
            return "";
        }
        return executable() + (version.equals("not found") ? " was not found" : " is \"" + version
                + "\", not a Python 3." + MIN_MINOR_VERSION + " or newer");
    }

    /**
     * Runs {@code python/<script>} with {@code args} and returns its figures.
     *
     * @throws IOException if the script fails; its output is in the message
     */
    public static Map<String, Double> run(String script, long timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        Path file = Files.createTempFile("mp4j-bench-", ".py");
        try {
            try (InputStream in = PythonBaseline.class.getResourceAsStream("/python/" + script)) {
                if (in == null) {
                    throw new IOException("missing benchmark script python/" + script);
                }
                Files.write(file, in.readAllBytes());
            }
            List<String> cmd = new ArrayList<>(List.of(executable(), file.toString()));
            cmd.addAll(List.of(args));
            return FigureRun.run(cmd, timeoutSeconds, script);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}

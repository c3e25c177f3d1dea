package io.github.multiprocessing4j.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A separate JVM that a test starts with the test class path and a main class of its own, to play a
 * parent that can be killed, or a program whose output is checked. Lines it prints are queued.
 */
public final class TestJvm implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer stderr = new StringBuffer();
    /** Counted down when the reader of stdout has reached its end (or failed). */
    private final CountDownLatch stdoutEnded = new CountDownLatch(1);

    private TestJvm(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().start(() -> {
            try {
                copy(process.inputReader(StandardCharsets.UTF_8), lines, null);
            } finally {
                stdoutEnded.countDown();
            }
        });
        Thread.ofPlatform().daemon().start(() -> copy(process.errorReader(StandardCharsets.UTF_8), null, stderr));
    }

    public static TestJvm start(Class<?> main, List<String> jvmOptions, String... args) throws IOException {
        return start(System.getProperty("java.class.path"), main.getName(), jvmOptions, args);
    }

    public static TestJvm start(String classPath, String main, List<String> jvmOptions, String... args) throws IOException {
        return start(null, classPath, main, jvmOptions, args);
    }

    /** @param workingDirectory the JVM's working directory (and its children's), or null for this one's */
    public static TestJvm start(Path workingDirectory, String classPath, String main, List<String> jvmOptions,
                                String... args) throws IOException {
        return start(workingDirectory, classPath, main, jvmOptions, Map.of(), args);
    }

    /**
     * @param workingDirectory the JVM's working directory (and its children's), or null for this one's
     * @param environment      variables added to the inherited ones
     */
    public static TestJvm start(Path workingDirectory, String classPath, String main, List<String> jvmOptions,
                                Map<String, String> environment, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-Dmp4j.test.delayFactor=" + System.getProperty("mp4j.test.delayFactor", "1"));
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(main);
        cmd.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(cmd);
        builder.environment().putAll(environment);
        if (workingDirectory != null) {
            builder.directory(workingDirectory.toFile());
        }
        return new TestJvm(builder.start());
    }

    private static void copy(BufferedReader reader, BlockingQueue<String> queue, StringBuffer text) {
        try (reader) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (queue != null) {
                    queue.add(line);
                } else {
                    text.append(line).append('\n');
                }
            }
        } catch (IOException ignored) {
            // the process is gone
        }
    }

    /** The next line the JVM printed, waiting up to {@code seconds} (scaled); fails if none comes. */
    public String nextLine(double seconds) throws InterruptedException {
        String line = lines.poll(Delays.seconds(seconds).toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError("no output from the test JVM within " + seconds + " s; stderr:\n" + stderr);
        }
        return line;
    }

    /** The next line that starts with {@code prefix}, skipping others. */
    public String nextLineStartingWith(String prefix, double seconds) throws InterruptedException {
        long deadline = System.nanoTime() + Delays.seconds(seconds).toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = lines.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no line starting with '" + prefix + "' within " + seconds + " s; stderr:\n" + stderr);
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /**
     * Waits until every line the JVM printed on stdout is queued: its stdout reached its end (the JVM, and
     * any child that shares its stdout, closed it). Fails if that takes longer than {@code timeout} (scaled).
     */
    public void awaitOutputEnd(Duration timeout) throws InterruptedException {
        if (!stdoutEnded.await(Delays.scaled(timeout).toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError("the test JVM's stdout did not end within " + timeout + "; stderr:\n" + stderr);
        }
    }

    /** Every line printed so far and not yet taken. */
    public List<String> drainLines() {
        List<String> all = new ArrayList<>();
        lines.drainTo(all);
        return all;
    }

    public Process process() {
        return process;
    }

    public String stderr() {
        return stderr.toString();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

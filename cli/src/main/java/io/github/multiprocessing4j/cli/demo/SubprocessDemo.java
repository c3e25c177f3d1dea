package io.github.multiprocessing4j.cli.demo;

import io.github.multiprocessing4j.subprocess.CompletedPipeline;
import io.github.multiprocessing4j.subprocess.CompletedProcess;
import io.github.multiprocessing4j.subprocess.Subprocess;
import io.github.multiprocessing4j.subprocess.TimeoutExpiredException;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Python's {@code subprocess} examples, in Java:
 *
 * <pre>{@code
 * r = subprocess.run(["uname", "-sr"], capture_output=True, text=True, check=True)
 * print(r.stdout)
 *
 * r = subprocess.run(["sort"], input="pear\napple\nfig\n", capture_output=True, text=True)
 *
 * try:
 *     subprocess.run(["sh", "-c", "sleep 30 & echo ...; wait"], timeout=1)
 * except subprocess.TimeoutExpired as e:
 *     ...   # CPython kills the shell only; its sleep lives on. Ours kills both.
 * }</pre>
 */
public final class SubprocessDemo implements Demo {
    /** A shell that starts a sleep in the background, says which, and waits for it. */
    static final String TREE_SCRIPT = "sleep 30 & echo \"shell $$ started sleep $!\"; wait";
    private static final Pattern STARTED_SLEEP = Pattern.compile("started sleep (\\d+)");

    @Override
    public String name() {
        return "subprocess";
    }

    @Override
    public String summary() {
        return "capture output, pipe data through a child, kill a process tree on timeout (subprocess)";
    }

    @Override
    public void run(PrintStream out) throws Exception {
        out.println("1. Capture a command's output");
        CompletedProcess uname = Subprocess.command("uname", "-sr").captureOutput().check().run();
        out.println("   $ uname -sr  ->  " + uname.stdout().strip() + "  (return code " + uname.returnCode() + ")");

        out.println();
        out.println("2. Pipe data through a child");
        CompletedProcess sorted = Subprocess.command("sort").input("pear\napple\nfig\n").captureOutput().check().run();
        out.println("   sort <<< pear apple fig  ->  " + sorted.stdout().strip().replace('\n', ' '));
        try (Subprocess upper = Subprocess.command("tr", "a-z", "A-Z").input("streamed\nline by line\n")
                .stdout(Redirect.PIPE).start();
             Stream<String> lines = upper.stdoutLines()) {
            lines.forEach(line -> out.println("   tr a-z A-Z streams: " + line));
            // check() is for run(): a started process's exit code is ours to look at, or a failed step passes silently
            int exit = upper.waitFor();
            if (exit != 0) {
                throw new IllegalStateException("tr a-z A-Z (pid " + upper.pid() + ") failed with exit code " + exit
                        + "; its stderr is above");
            }
        }
        CompletedPipeline counted = Subprocess.pipeline(
                        Subprocess.command("printf", "b\\na\\nb\\nc\\nb\\n"),
                        Subprocess.command("sort"),
                        Subprocess.command("uniq", "-c"),
                        Subprocess.command("sort", "-rn"))
                .captureOutput().check().run();
        out.println("   printf ... | sort | uniq -c | sort -rn  (statuses " + counted.returnCodes() + "):");
        counted.stdout().lines().forEach(line -> out.println("     " + line.strip()));

        out.println();
        out.println("3. A timeout kills the sleeping child and its own child");
        timeoutKillsTree(out, TREE_SCRIPT, Duration.ofSeconds(1));
    }

    /**
     * Runs {@code sh -c script} with {@code timeout}, then checks that every process the timeout killed is
     * gone, and so is the grandchild the script names in a line {@code started sleep <pid>}: that one is
     * checked on its own, not only through {@link TimeoutExpiredException#killedPids()}, so a grandchild
     * the kill missed is reported as still running rather than left out.
     *
     * @throws IllegalStateException if the command did not time out, did not name its grandchild, or a
     *                               process of the tree is still running
     */
    static void timeoutKillsTree(PrintStream out, String script, Duration timeout)
            throws IOException, InterruptedException {
        try {
            Subprocess.command("sh", "-c", script).captureOutput().timeout(timeout).run();
            throw new IllegalStateException("the command was to time out after " + timeout.toSeconds()
                    + " s, but it finished");
        } catch (TimeoutExpiredException e) {
            out.println("   output before the timeout: " + e.stdout().strip());
            out.println("   " + e.getMessage());
            Matcher started = STARTED_SLEEP.matcher(e.stdout());
            if (!started.find()) {
                throw new IllegalStateException("the shell did not say which sleep it started: " + e.stdout(), e);
            }
            long grandchild = Long.parseLong(started.group(1));
            Set<Long> pids = new LinkedHashSet<>(e.killedPids());
            pids.add(grandchild);
            waitUntilGone(pids, Duration.ofSeconds(5));
            boolean left = false;
            for (long pid : pids) {
                boolean running = ProcessHandle.of(pid).map(SubprocessDemo::running).orElse(false);
                out.println("   pid " + pid + (pid == grandchild ? " (the sleep)" : "") + ": "
                        + (running ? "STILL RUNNING" : "gone")
                        + (e.killedPids().contains(pid) ? "" : ", not among the killed pids"));
                left |= running;
            }
            if (left) {
                throw new IllegalStateException("the timeout left processes of the tree running: " + pids
                        + " (killed: " + e.killedPids() + ")");
            }
        }
    }

    private static void waitUntilGone(Set<Long> pids, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end && pids.stream()
                .anyMatch(pid -> ProcessHandle.of(pid).map(SubprocessDemo::running).orElse(false))) {
            Thread.sleep(10);
        }
    }

    /** Alive and not a zombie (a killed grandchild stays one until init reaps it). */
    private static boolean running(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException noProcfs) {
            return p.isAlive();
        }
    }
}

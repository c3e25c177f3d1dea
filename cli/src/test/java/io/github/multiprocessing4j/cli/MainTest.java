package io.github.multiprocessing4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI run in-process, its output captured (children's output is copied to our System.out). */
class MainTest {

    record Run(int exitCode, List<String> out, String err) {
    }

    static Run run(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.commandLine().execute(args);
            return new Run(code, Arrays.asList(out.toString(StandardCharsets.UTF_8).split("\n")),
                    err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    @Test
    void version_andHelp() {
        assertThat(run("--version").out().getFirst()).startsWith("mp4j ");
        Run help = run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(String.join("\n", help.out())).contains("demo").contains("bench");
    }

    /** demo --help and bench --help list -V, --version ("Print version information and exit"). */
    @Test
    void version_ofASubcommand_printsTheVersion_asItsHelpSays() {
        for (String command : List.of("demo", "bench")) {
            for (String option : List.of("--version", "-V")) {
                Run version = run(command, option);
                assertThat(version.exitCode()).as("%s %s", command, option).isZero();
                assertThat(version.out().getFirst()).as("%s %s", command, option).startsWith("mp4j ");
            }
        }
    }

    /** Each topic's summary is in its command's help, as Demo.summary() and Bench.summary() say. */
    @Test
    void demoAndBenchHelp_describeEachTopic() {
        Run demo = run("demo", "--help");
        assertThat(demo.exitCode()).isZero();
        assertThat(demo.out()).contains("Topics:",
                "  pool        five tasks on a pool of four worker JVMs (multiprocessing.Pool)");
        assertThat(String.join(" ", demo.out()).replaceAll("\\s+", " "))
                .contains("cpu-vs-io CPU-bound and I/O-bound jobs sequentially, on threads, virtual threads and child JVMs");
        Run bench = run("bench", "--help");
        assertThat(bench.exitCode()).isZero();
        assertThat(bench.out()).contains("Topics:",
                "  coroutines  100k and 1M sleeping coroutines gathered vs asyncio");
    }

    @Test
    void demoProcess_printsTheSeedsLines_withTwoDifferentPids_inOrder() {
        Run run = run("demo", "process");
        assertThat(run.exitCode()).isZero();
        List<String> lines = run.out();
        long parent = ProcessHandle.current().pid();
        assertThat(lines).containsExactly(
                "Parent process " + parent + ".",
                "Child process will start.",
                lines.get(2),
                "Child process end.");
        Matcher child = Pattern.compile("Run child process test \\((\\d+)\\)\\.\\.\\.").matcher(lines.get(2));
        assertThat(child.matches()).as(lines.get(2)).isTrue();
        assertThat(Long.parseLong(child.group(1))).isNotEqualTo(parent);
    }

    @Test
    void demoPool_runsFiveTasksOnAtMostFourWorkers_andEndsLast() {
        Run run = run("demo", "pool");
        assertThat(run.exitCode()).isZero();
        List<String> started = run.out().stream().filter(l -> l.startsWith("run task ")).toList();
        assertThat(started).hasSize(5);
        assertThat(started.stream().map(l -> l.substring(l.indexOf('(') + 1, l.indexOf(')'))).distinct().count())
                .isBetween(1L, 4L);
        assertThat(run.out().stream().filter(l -> l.startsWith("task ") && l.endsWith(" seconds"))).hasSize(5);
        assertThat(run.out().getLast()).isEqualTo("all process end");
    }

    @Test
    void demoThreads_lockedBalanceIsZero() {
        Run run = run("demo", "threads");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("balance with a lock:    0 (always 0)", "Hello, Alice (in Thread-A)",
                "Hello, Bob (in Thread-B)", "thread LoopThread >>> 5");
    }

    /**
     * {@code mp4j nope} said "Unmatched argument at index 0: 'nope'" and {@code mp4j} alone "Missing required
     * subcommand": neither says that a command was wanted, nor which. Both name the commands now.
     */
    @Test
    void anUnknownOrMissingCommand_isAUsageError_namingTheCommands() {
        Run unknown = run("nope");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("mp4j: no command named 'nope'; commands: demo, bench, help\n")
                .contains("Usage: mp4j");
        Run none = run();
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).startsWith("mp4j: give a command: demo, bench or help (mp4j demo runs every demo)\n")
                .contains("Usage: mp4j");
        Run option = run("--nope");
        assertThat(option.exitCode()).isEqualTo(2);
        assertThat(option.err()).startsWith("Unknown option: '--nope'").contains("Usage: mp4j");
    }

    @Test
    void anUnknownTopic_isAUsageError() {
        Run run = run("demo", "no-such-topic");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("no demo named 'no-such-topic'").contains("process")
                .contains("Usage: mp4j demo");
        Run bench = run("bench", "no-such-topic");
        assertThat(bench.exitCode()).isEqualTo(2);
        assertThat(bench.err()).contains("no benchmark named 'no-such-topic'").contains("Usage: mp4j bench");
    }

    /**
     * {@code ./mp4j demo | head -3}: once the reader has gone, the demos still to come are not run (they
     * took a minute, for nobody) and the exit code says so, as a shell's for a command killed by SIGPIPE.
     */
    @Test
    void demo_stopsBeforeTheNextTopic_onceStdoutIsClosed() {
        StringBuilder attempted = new StringBuilder();
        OutputStream closedAfterFirstLine = new OutputStream() {
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                String text = new String(b, off, len, StandardCharsets.UTF_8);
                if (closed) {
                    synchronized (attempted) {
                        attempted.append(text);
                    }
                    throw new IOException("Broken pipe");
                }
                closed = text.contains("\n");
            }
        };
        PrintStream originalOut = System.out;
        System.setOut(new PrintStream(closedAfterFirstLine, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.commandLine().execute("demo", "threads", "subprocess");
        } finally {
            System.setOut(originalOut);
        }
        assertThat(code).isEqualTo(141);
        assertThat(attempted.toString()).contains("thread main is running...").doesNotContain("Capture a command's output");
    }

    /** A document the tables cannot go into is reported at once, not after the topic has measured for minutes. */
    @Test
    void benchIntoADocumentWithBrokenMarkers_failsBeforeMeasuring(@TempDir Path tmp) throws IOException {
        Path doc = tmp.resolve("benchmarks.md");
        Files.writeString(doc, "# Benchmarks\n\n<!-- bench:process -->\nits end marker was deleted\n");

        Run bench = run("bench", "--trials", "1", "--doc", doc.toString(), "process");

        assertThat(bench.exitCode()).isEqualTo(1);
        assertThat(bench.err()).contains("mp4j bench: " + doc + ": the markers of topic 'process' are broken");
        assertThat(bench.out()).noneMatch(line -> line.startsWith("process:"));
        assertThat(Files.readString(doc)).isEqualTo("# Benchmarks\n\n<!-- bench:process -->\nits end marker was deleted\n");
    }

    @Test
    void benchTrialsBelowOne_isAUsageError_beforeAnyTopicRuns() {
        for (String trials : List.of("0", "-3")) {
            Run bench = run("bench", "--no-doc", "--trials", trials, "no-such-topic");
            assertThat(bench.exitCode()).as(trials).isEqualTo(2);
            assertThat(bench.err()).as(trials).contains("--trials must be at least 1, not " + trials)
                    .contains("Usage: mp4j bench");
        }
    }
}

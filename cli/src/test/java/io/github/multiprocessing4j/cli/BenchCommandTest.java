package io.github.multiprocessing4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.cli.bench.Bench;
import io.github.multiprocessing4j.cli.bench.Report;
import io.github.multiprocessing4j.cli.bench.Row;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchCommandTest {

    /** A topic that prints one line and either fails with {@code failure} or reports one row. */
    private record Scripted(String name, Exception failure) implements Bench {
        @Override
        public String summary() {
            return "a scripted benchmark";
        }

        @Override
        public Report run(int trials, PrintStream log) throws Exception {
            log.println("bench " + name + " ran");
            if (failure != null) {
                throw failure;
            }
            return new Report(name, "Scripted " + name).add(Row.time("t", "ms", 1, Double.NaN, "", null));
        }
    }

    /**
     * {@code mp4j bench}: a topic that fails (CPython's script exiting 1 in PythonBaseline.run, say) used to
     * end the command, so the topics after it never ran. Now it is reported, the others still run, and the
     * exit code is 1, as for {@code mp4j demo}.
     */
    @Test
    void aFailingTopic_isReported_theOthersStillRun_andTheExitCodeIsOne() {
        List<Bench> benches = List.of(new Scripted("first", null),
                new Scripted("broken", new IOException("pool.py failed (exit 1):\nOSError: [Errno 38]")),
                new Scripted("last", null));
        CommandRun run = CommandRun.of(new BenchCommand(benches), "--no-doc", "--trials", "1");

        assertThat(run.code()).as(run.err()).isEqualTo(1);
        assertThat(run.out())
                .contains("bench first ran", "Scripted first", "bench broken ran", "bench last ran", "Scripted last");
        assertThat(run.err())
                .contains("mp4j bench: topic 'broken' failed: java.io.IOException: pool.py failed (exit 1):")
                .contains("mp4j bench: 1 of 3 topics failed: broken");
    }

    /**
     * {@code mp4j bench process process} measured the topic twice (minutes) and recorded its table twice: a
     * topic given twice is a usage error, and nothing is measured.
     */
    @Test
    void aTopicGivenTwice_isAUsageError_andNothingIsMeasured() {
        List<Bench> benches = List.of(new Scripted("first", null), new Scripted("second", null));
        CommandRun run = CommandRun.of(new BenchCommand(benches), "--no-doc", "second", "first", "second");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).startsWith("topic 'second' is given twice").contains("Usage: bench");
        assertThat(run.out()).doesNotContain("bench first ran").doesNotContain("bench second ran");
    }

    /**
     * {@code mp4j bench --doc my.md --no-doc}: --no-doc won silently, so the tables the user asked to record
     * in my.md, after minutes of measuring, went nowhere. The two options exclude each other: a usage error.
     */
    @Test
    void docAndNoDoc_together_areAUsageError_andNothingIsMeasured() {
        List<Bench> benches = List.of(new Scripted("first", null));
        CommandRun run = CommandRun.of(new BenchCommand(benches), "--doc", "my.md", "--no-doc", "first");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).startsWith("--doc and --no-doc exclude each other").contains("Usage: bench");
        assertThat(run.out()).doesNotContain("bench first ran");
    }

    /**
     * {@code mp4j bench --doc= process} (an empty value, a variable unset in a script) was taken for the
     * current folder: "mp4j bench: /home/me cannot be written: it is a folder", exit 1. It is a usage error.
     */
    @Test
    void anEmptyDoc_isAUsageError_andNothingIsMeasured() {
        List<Bench> benches = List.of(new Scripted("first", null));
        CommandRun run = CommandRun.of(new BenchCommand(benches), "--doc=", "first");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).startsWith("--doc needs a file name").contains("Usage: bench");
        assertThat(run.out()).doesNotContain("bench first ran");
    }

    /** As for demos: a topic failing with an Error ended the command (picocli rethrows it); the others now run. */
    @Test
    void aTopicFailingWithAnError_isReported_andTheOthersStillRun() {
        Bench missingClass = new Bench() {
            @Override
            public String name() {
                return "linkage";
            }

            @Override
            public String summary() {
                return "a topic whose class path lacks a class";
            }

            @Override
            public Report run(int trials, PrintStream log) {
                throw new NoClassDefFoundError("io/github/example/Missing");
            }
        };
        CommandRun run = CommandRun.of(new BenchCommand(List.of(missingClass, new Scripted("last", null))),
                "--no-doc", "--trials", "1");

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("bench last ran");
        assertThat(run.err())
                .contains("mp4j bench: topic 'linkage' failed: java.lang.NoClassDefFoundError: io/github/example/Missing")
                .contains("mp4j bench: 1 of 2 topics failed: linkage");
    }
}

package io.github.multiprocessing4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.cli.demo.Demo;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoCommandTest {

    private record Scripted(String name, RuntimeException failure) implements Demo {
        @Override
        public String summary() {
            return "a scripted demo";
        }

        @Override
        public void run(PrintStream out) {
            out.println("demo " + name + " ran");
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** {@code mp4j demo}: one broken demo is reported, the demos after it still run, and the exit code is 1. */
    @Test
    void aFailingDemo_isReported_theOthersStillRun_andTheExitCodeIsOne() {
        List<Demo> demos = List.of(new Scripted("first", null),
                new Scripted("broken", new IllegalStateException("the child exited with 3")),
                new Scripted("last", null));
        CommandRun run = CommandRun.of(new DemoCommand(demos));

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out())
                .contains("demo first ran", "demo broken ran", "demo last ran");
        assertThat(run.err())
                .contains("mp4j demo: demo 'broken' failed: java.lang.IllegalStateException: the child exited with 3")
                .contains("\tat ")
                .contains("mp4j demo: 1 of 3 demos failed: broken");
    }

    /**
     * A demo that fails with an Error (a class missing from a half-built class path, an assertion) ended the
     * command in picocli's handler, so the demos after it never ran. It is reported as an exception is.
     */
    @Test
    void aDemoFailingWithAnError_isReported_andTheOthersStillRun() {
        Demo missingClass = new Demo() {
            @Override
            public String name() {
                return "linkage";
            }

            @Override
            public String summary() {
                return "a demo whose class path lacks a class";
            }

            @Override
            public void run(PrintStream out) {
                throw new NoClassDefFoundError("io/github/example/Missing");
            }
        };
        CommandRun run = CommandRun.of(new DemoCommand(List.of(missingClass, new Scripted("last", null))));

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("demo last ran");
        assertThat(run.err())
                .contains("mp4j demo: demo 'linkage' failed: java.lang.NoClassDefFoundError: io/github/example/Missing")
                .contains("mp4j demo: 1 of 2 demos failed: linkage");
    }

    /** {@code mp4j demo pool pool} ran the demo twice: a topic given twice is a usage error, and nothing runs. */
    @Test
    void aTopicGivenTwice_isAUsageError_andNoDemoRuns() {
        List<Demo> demos = List.of(new Scripted("first", null), new Scripted("second", null));
        CommandRun run = CommandRun.of(new DemoCommand(demos), "first", "second", "first");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).startsWith("topic 'first' is given twice").contains("Usage: demo");
        assertThat(run.out()).isEmpty();
    }

    /** Topic names are matched ignoring case, so {@code Pool} and {@code pool} are one topic, given twice. */
    @Test
    void topicNames_ignoreCase_alsoWhenGivenTwice() {
        List<Demo> demos = List.of(new Scripted("first", null), new Scripted("second", null));

        CommandRun one = CommandRun.of(new DemoCommand(demos), "SECOND");
        assertThat(one.code()).isZero();
        assertThat(one.out()).contains("demo second ran").doesNotContain("demo first");

        CommandRun twice = CommandRun.of(new DemoCommand(demos), "First", "first");
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err()).startsWith("topic 'first' is given twice");
        assertThat(twice.out()).isEmpty();
    }

    @Test
    void demosThatAllSucceed_exitZero_andPrintNothingOnStderr() {
        CommandRun run = CommandRun.of(new DemoCommand(List.of(new Scripted("only", null))), "only");
        assertThat(run.code()).isZero();
        assertThat(run.err()).isEmpty();
    }
}

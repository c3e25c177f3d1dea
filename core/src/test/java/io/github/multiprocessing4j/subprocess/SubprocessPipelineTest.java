package io.github.multiprocessing4j.subprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.multiprocessing4j.testing.Delays;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code a | b | c}: stages connected by OS pipes, each stage's status, timeouts that kill every stage. */
class SubprocessPipelineTest {

    @Test
    void pipeline_connectsTheStages_andReportsEachStatus() throws Exception {
        CompletedPipeline done = Subprocess.pipeline(
                        Subprocess.command("printf", "b\\na\\nb\\n"),
                        Subprocess.command("sort"),
                        Subprocess.command("uniq", "-c"))
                .captureOutput().run();

        assertThat(done.stdout().lines().map(String::strip).toList()).containsExactly("1 a", "2 b");
        assertThat(done.returnCodes()).containsExactly(0, 0, 0);
        assertThat(done.returnCode()).isZero();
        assertThat(done.stages()).extracting(CompletedProcess::args)
                .containsExactly(List.of("printf", "b\\na\\nb\\n"), List.of("sort"), List.of("uniq", "-c"));
    }

    @Test
    void pipeline_passesLargeBinaryDataThroughEveryStageUnchanged() throws Exception {
        byte[] input = new byte[5 * 1024 * 1024];
        new Random(7).nextBytes(input);

        CompletedPipeline done = Subprocess.pipeline(Subprocess.command("cat"), Subprocess.command("cat"),
                Subprocess.command("cat")).input(input).captureOutput().timeout(Delays.seconds(60)).run();

        assertThat(done.stdoutBytes()).isEqualTo(input);
    }

    @Test
    void pipeline_aFailingMiddleStage_showsInTheStatuses_andCheckNamesIt() throws Exception {
        Subprocess.Builder failing = Subprocess.command("sh", "-c", "cat; echo broken >&2; exit 3");

        CompletedPipeline unchecked = Subprocess.pipeline(Subprocess.command("echo", "x"), failing,
                Subprocess.command("cat")).captureOutput().run();

        assertThat(unchecked.returnCodes()).containsExactly(0, 3, 0);
        assertThat(unchecked.returnCode()).isZero(); // as a shell without pipefail
        assertThat(unchecked.stdout()).isEqualTo("x\n");
        assertThat(unchecked.stages().get(1).stderr()).isEqualTo("broken\n");
        assertThatThrownBy(unchecked::checkReturnCodes).isInstanceOfSatisfying(CalledProcessException.class, e -> {
            assertThat(e.returnCode()).isEqualTo(3);
            assertThat(e.args()).containsExactly("sh", "-c", "cat; echo broken >&2; exit 3");
            assertThat(e.getMessage()).startsWith("stage 2 of 3 [sh, -c, cat; echo broken >&2; exit 3] of pipeline")
                    .endsWith("last lines of stderr:\nbroken");
        });
    }

    @Test
    void pipeline_whoseLastStageExitsEarly_endsTheUpstreamStagesBySigpipe_andReportsAsAShell() throws Exception {
        // bash: `yes | cat | head -c 10; echo ${PIPESTATUS[@]}` prints 141 141 0; $? is 0, 141 with pipefail
        CompletedPipeline done = Subprocess.pipeline(Subprocess.command("yes"), Subprocess.command("cat"),
                Subprocess.command("head", "-c", "10")).captureOutput().timeout(Delays.seconds(60)).run();

        assertThat(done.stdout()).isEqualTo("y\ny\ny\ny\ny\n");
        assertThat(done.returnCodes()).containsExactly(141, 141, 0);
        assertThat(done.returnCode()).isZero();
        assertThat(done.stages().get(0).stderr()).isEmpty(); // killed by the signal, not an error it printed
        assertThatThrownBy(done::checkReturnCodes).isInstanceOfSatisfying(CalledProcessException.class, e -> {
            assertThat(e.returnCode()).isEqualTo(141);
            assertThat(e.getMessage()).startsWith("stage 2 of 3 [cat] of pipeline").contains("killed by SIGPIPE");
        });
        assertThatThrownBy(() -> Subprocess.pipeline(Subprocess.command("yes"), Subprocess.command("head", "-c", "1"))
                .stdout(Redirect.DISCARD).check().timeout(Delays.seconds(60)).run())
                .isInstanceOfSatisfying(CalledProcessException.class, e -> assertThat(e.returnCode()).isEqualTo(141));
    }

    @Test
    void pipeline_fedMoreInputThanItsFirstStageReads_endsWithoutError() throws Exception {
        byte[] input = new byte[10 * 1024 * 1024]; // far more than a pipe holds: the feeder meets a closed pipe
        Arrays.fill(input, (byte) 'x');

        CompletedPipeline headFirst = Subprocess.pipeline(Subprocess.command("head", "-c", "10"), Subprocess.command("cat"))
                .input(input).captureOutput().timeout(Delays.seconds(60)).run();
        CompletedPipeline ignoresStdin = Subprocess.pipeline(Subprocess.command("echo", "no input read"),
                Subprocess.command("cat")).input(input).captureOutput().timeout(Delays.seconds(60)).run();
        CompletedPipeline catFirst = Subprocess.pipeline(Subprocess.command("cat"), Subprocess.command("head", "-c", "3"))
                .input(input).captureOutput().timeout(Delays.seconds(60)).run();

        assertThat(headFirst.returnCodes()).containsExactly(0, 0);
        assertThat(headFirst.stdout()).isEqualTo("xxxxxxxxxx");
        assertThat(ignoresStdin.returnCodes()).containsExactly(0, 0);
        assertThat(ignoresStdin.stdout()).isEqualTo("no input read\n");
        assertThat(catFirst.returnCodes()).containsExactly(141, 0);
        assertThat(catFirst.stdout()).isEqualTo("xxx");
    }

    @Test
    void pipeline_whenTimeoutExpires_theExceptionHoldsEveryStagesStderr() {
        TimeoutExpiredException e = catchThrowableOfType(TimeoutExpiredException.class, () ->
                Subprocess.pipeline(
                                Subprocess.command("sh", "-c", "echo one >&2; exec sleep 60"),
                                Subprocess.command("sh", "-c", "echo two >&2; exec cat"))
                        .captureOutput().check().timeout(Delays.seconds(5)).run()); // time for both to start

        try {
            assertThat(e.stderr()).isEqualTo("one\ntwo\n"); // stage by stage
            assertThat(e.stdout()).isEmpty();
            assertThat(e.getMessage()).endsWith("last lines of stderr:\none\ntwo");
            Pids.awaitGone(e.killedPids());
        } finally {
            Pids.killAll(e.killedPids());
        }
    }

    @Test
    void pipeline_whenTimeoutExpires_theStderrOfAStageKilledInTheMiddleOfALine_isNotGluedToTheNextStages() {
        // A stage killed while its last line was unfinished ("connecting... " and no newline yet, the usual sight
        // of a hang) had the next stage's first line joined to it: stderr() and the message read "connecting... two".
        TimeoutExpiredException e = catchThrowableOfType(TimeoutExpiredException.class, () ->
                Subprocess.pipeline(
                                Subprocess.command("sh", "-c", "echo one >&2; printf 'connecting... ' >&2; exec sleep 60"),
                                Subprocess.command("sh", "-c", "echo two >&2; exec cat"),
                                Subprocess.command("sh", "-c", "printf three >&2; exec cat"))
                        .captureOutput().timeout(Delays.seconds(5)).run()); // time for every stage to write

        try {
            assertThat(e.stderr()).isEqualTo("one\nconnecting... \ntwo\nthree"); // stage by stage, a line each
            assertThat(e.getMessage()).endsWith("last lines of stderr:\none\nconnecting... \ntwo\nthree");
        } finally {
            Pids.killAll(e.killedPids());
        }
    }

    @Test
    void pipeline_streamsThatWereNotCaptured_sayHowToCaptureThemInAPipeline() throws Exception {
        // The message said "call captureOutput() or stdout(Redirect.PIPE) on the builder", which a stage's
        // builder refuses, and which cannot capture what a stage sends down the pipe anyway.
        CompletedPipeline done = Subprocess.pipeline(Subprocess.command("echo", "x"), Subprocess.command("cat"))
                .stdout(Redirect.DISCARD).run();

        assertThatThrownBy(() -> done.stages().getFirst().stdout()).isInstanceOf(IllegalStateException.class)
                .hasMessage("stdout of [echo, x] was not captured: it went to the next stage; only the last stage's "
                        + "stdout can be captured, by captureOutput() or stdout(Redirect.PIPE) on the Pipeline");
        assertThatThrownBy(done::stdout).isInstanceOf(IllegalStateException.class)
                .hasMessage("stdout of [cat] was not captured: it went to DISCARD; call captureOutput() or "
                        + "stdout(Redirect.PIPE) on the Pipeline to capture it");
        assertThatThrownBy(() -> done.stages().getFirst().stderrBytes()).isInstanceOf(IllegalStateException.class)
                .hasMessage("stderr of [echo, x] was not captured: it went to INHERIT; call captureOutput() on the "
                        + "Pipeline, or stderr(Redirect.PIPE) on the stage's builder, to capture it");
    }

    @Test
    void pipeline_withCheck_throwsForAFailingStage() {
        assertThatThrownBy(() -> Subprocess.pipeline(Subprocess.command("false"), Subprocess.command("cat"))
                .stdout(Redirect.DISCARD).check().run())
                .isInstanceOf(CalledProcessException.class).hasMessageContaining("stage 1 of 2 [false]");
    }

    @Test
    void pipeline_withCheck_aFailingStageWhoseStderrWasNotCaptured_saysHowToCaptureItInAPipeline() throws Exception {
        // The message said "captureOutput() without stderrToStdout() puts its last lines in this message": the
        // stage's builder refuses captureOutput(), and a pipeline whose stdout is set cannot call it either.
        Subprocess.Builder failing = Subprocess.command("sh", "-c", "echo bad >&2; exit 2");
        CalledProcessException e = catchThrowableOfType(CalledProcessException.class,
                () -> Subprocess.pipeline(failing, Subprocess.command("cat")).stdout(Redirect.DISCARD).check()
                        .timeout(Delays.seconds(60)).run());

        assertThat(e.getMessage()).isEqualTo("stage 1 of 2 [sh, -c, echo bad >&2; exit 2] of pipeline [sh, -c, echo bad >&2; "
                + "exit 2] | [cat] returned non-zero exit status 2 (stderr was not captured: call captureOutput() on the "
                + "Pipeline, or stderr(Redirect.PIPE) on the stage's builder, to put its last lines in this message)");
        CalledProcessException followed = catchThrowableOfType(CalledProcessException.class,
                () -> Subprocess.pipeline(Subprocess.command("sh", "-c", "echo bad >&2; exit 2").stderr(Redirect.PIPE),
                        Subprocess.command("cat")).stdout(Redirect.DISCARD).check().timeout(Delays.seconds(60)).run());
        assertThat(followed.getMessage()).endsWith("last lines of stderr:\nbad");
        CalledProcessException merged = catchThrowableOfType(CalledProcessException.class,
                () -> Subprocess.pipeline(Subprocess.command("sh", "-c", "echo bad; exit 2").stderrToStdout(),
                        Subprocess.command("cat")).stdout(Redirect.DISCARD).check().timeout(Delays.seconds(60)).run());
        assertThat(merged.getMessage()).endsWith("returned non-zero exit status 2 (its stderr went down the pipe to the "
                + "next stage, with its stdout (stderrToStdout()))");
    }

    @Test
    void pipeline_whenTimeoutExpires_killsEveryStagesTree() {
        TimeoutExpiredException e = catchThrowableOfType(TimeoutExpiredException.class, () ->
                Subprocess.pipeline(
                                Subprocess.command("sh", "-c", "echo $$ >&2; sleep 60 & wait"),
                                Subprocess.command("sh", "-c", "echo $$ >&2; cat"))
                        .captureOutput().timeout(Delays.seconds(1.5)).run());

        List<Long> shells = e.stderr().lines().map(Long::parseLong).toList();
        try {
            assertThat(shells).hasSize(2);
            assertThat(e.killedPids()).containsAll(shells).hasSizeGreaterThanOrEqualTo(3); // + the sleep
            assertThat(e.args()).contains("|");
            Pids.awaitGone(e.killedPids());
        } finally {
            Pids.killAll(e.killedPids());
        }
    }

    @Test
    void pipeline_stageSettingWhatBelongsToThePipeline_isRejectedSayingWhere() {
        assertThatThrownBy(() -> Subprocess.pipeline(Subprocess.command("echo"),
                Subprocess.command("cat").captureOutput()).run())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stage 2 of 2 of the pipeline ([cat]) sets captureOutput()");
    }

    @Test
    void pipeline_stageWithStderrToStdout_sendsItsStderrDownThePipe() throws Exception {
        CompletedPipeline done = Subprocess.pipeline(
                        Subprocess.command("sh", "-c", "echo oops >&2").stderrToStdout(),
                        Subprocess.command("tr", "a-z", "A-Z"))
                .captureOutput().run();

        assertThat(done.stdout()).isEqualTo("OOPS\n");
    }

    @Test
    void pipeline_lastStageWithStderrToThePipelinesOutputFile_keepsBothInWriteOrder(@TempDir Path tmp) throws Exception {
        // As for one command: two opens of the file, each from offset 0, made stderr overwrite stdout.
        File file = tmp.resolve("out.txt").toFile();
        Subprocess.pipeline(Subprocess.command("printf", "out1\nout2\n"),
                        Subprocess.command("sh", "-c", "read a; echo $a; echo err1 >&2; read b; echo $b; echo err2 >&2")
                                .stderr(Redirect.to(file)))
                .stdout(Redirect.to(file)).run();

        assertThat(java.nio.file.Files.readString(file.toPath())).isEqualTo("out1\nerr1\nout2\nerr2\n");
    }

    @Test
    void pipeline_withAMissingExecutable_namesIt() {
        assertThatThrownBy(() -> Subprocess.pipeline(Subprocess.command("echo"),
                Subprocess.command("no-such-filter-mp4j")).run())
                .isInstanceOfSatisfying(NoSuchFileException.class,
                        e -> assertThat(e.getFile()).isEqualTo("no-such-filter-mp4j"));
    }

    @Test
    void pipeline_withAMissingMiddleStage_namesIt() {
        assertThatThrownBy(() -> Subprocess.pipeline(Subprocess.command("echo"), Subprocess.command("no-such-filter-mp4j"),
                Subprocess.command("cat")).captureOutput().run())
                .isInstanceOfSatisfying(NoSuchFileException.class, e -> {
                    assertThat(e.getFile()).isEqualTo("no-such-filter-mp4j");
                    assertThat(e.getMessage()).contains("executable of [no-such-filter-mp4j] not found on PATH");
                });
    }

    @Test
    void pipeline_whoseLaterStageCannotStart_leaksNoFileDescriptor() {
        // The JDK's startPipeline closes the read end of a stage's output pipe only once the next stage has
        // started, so each run whose second stage failed to start left one descriptor open for good.
        File fds = new File("/proc/self/fd");
        Subprocess.Builder missingCwd = Subprocess.command("cat").cwd(Path.of("/no-such-dir-mp4j"));
        Subprocess.Builder nulArgument = Subprocess.command("cat", "a\0b");
        for (Subprocess.Builder bad : List.of(Subprocess.command("no-such-filter-mp4j"), missingCwd, nulArgument)) {
            Pipeline pipeline = Subprocess.pipeline(Subprocess.command("echo"), Subprocess.command("cat"), bad)
                    .captureOutput();
            assertThatThrownBy(pipeline::run).isInstanceOf(IOException.class); // warm-up: class loading
            int before = fds.list().length;
            for (int i = 0; i < 100; i++) {
                assertThatThrownBy(pipeline::run).isInstanceOf(IOException.class);
            }
            assertThat(fds.list().length).as("open file descriptors").isLessThan(before + 50);
        }
        File missingDir = new File("/no-such-dir-mp4j/out");
        for (Pipeline pipeline : List.of(
                Subprocess.pipeline(Subprocess.command("echo"), Subprocess.command("cat")).stdout(Redirect.to(missingDir)),
                Subprocess.pipeline(Subprocess.command("echo"), Subprocess.command("cat").stderr(Redirect.appendTo(missingDir))))) {
            assertThatThrownBy(pipeline::run).isInstanceOf(IOException.class).hasMessageContaining(missingDir.toString());
            int before = fds.list().length;
            for (int i = 0; i < 100; i++) {
                assertThatThrownBy(pipeline::run).isInstanceOf(IOException.class);
            }
            assertThat(fds.list().length).as("open file descriptors").isLessThan(before + 50);
        }
    }

    @Test
    void pipeline_whoseLaterStageIsAScriptWithAMissingInterpreter_isRefusedBeforeAnyStageStarts_andLeaksNoDescriptor(@TempDir Path tmp)
            throws Exception {
        // The #! line was read only after startPipeline failed: by then the first stages ran (the JDK kills a
        // stage it started, not what that stage started meanwhile), and each run left a descriptor open.
        Path script = tmp.resolve("filter.sh");
        Files.writeString(script, "#!/no-such-interpreter-mp4j\ncat\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
        Path started = tmp.resolve("first stage started");
        Pipeline pipeline = Subprocess.pipeline(Subprocess.command("sh", "-c", ": > \"$0\"", started.toString()),
                Subprocess.command("cat"), Subprocess.command(script.toString())).captureOutput();
        assertThatThrownBy(pipeline::run).isInstanceOfSatisfying(NoSuchFileException.class, e -> {
            assertThat(e.getFile()).isEqualTo("/no-such-interpreter-mp4j");
            assertThat(e.getMessage()).contains("the interpreter that the #! line of " + script);
        });
        File fds = new File("/proc/self/fd");
        int before = fds.list().length;

        for (int i = 0; i < 100; i++) {
            assertThatThrownBy(pipeline::run).isInstanceOf(NoSuchFileException.class);
        }

        assertThat(fds.list().length).as("open file descriptors").isLessThan(before + 50);
        assertThat(started).doesNotExist();
    }

    @Test
    void pipeline_withALaterStageWhoseShebangTheKernelCutsShort_runsItThroughSh_asTheJdkDoes(@TempDir Path tmp) throws Exception {
        // The kernel reads 256 bytes of a #! line; an interpreter name longer than that fails with ENOEXEC,
        // and the JDK then runs the script with /bin/sh: the look before the start must not refuse it.
        Path script = tmp.resolve("filter.sh");
        Files.writeString(script, "#!/no-such-dir-mp4j/" + "x".repeat(300) + "\ntr a-z A-Z\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();

        CompletedPipeline done = Subprocess.pipeline(Subprocess.command("echo", "shout"),
                Subprocess.command(script.toString())).captureOutput().timeout(Delays.seconds(60)).run();

        assertThat(done.stdout()).isEqualTo("SHOUT\n");
    }

    @Test
    void pipeline_inAJvmWithoutPath_findsItsStagesWhereTheJdkLooks() throws Exception {
        // Without PATH the JDK searches ":/bin:/usr/bin"; the look for a stage that cannot start, done before
        // any starts, must not call one it would find missing.
        CompletedProcess child = Subprocess.command(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), PipelineWithoutPathMain.class.getName())
                .clearEnv().captureOutput().timeout(Delays.seconds(60)).run();

        assertThat(child.stderr()).isEmpty();
        assertThat(child.stdout()).isEqualTo("PATH=null\npiped\n");
    }

    @Test
    void pipeline_inAJvmThatCannotMakeAPathOfAPathEntry_startsItsStages() throws Exception {
        // In the C locale a PATH entry that is not ASCII reads back with '?' for its bytes, and Path.of refuses
        // it with InvalidPathException: the look for a stage that cannot start threw that, though the JDK,
        // which searches the PATH's bytes, starts the stage.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        CompletedProcess child = Subprocess.command("sh", "-c",
                        "PATH=\"/no-such-dir-mp4j-$(printf '\\303\\251'):/usr/bin:/bin\" LC_ALL=C exec \"$0\" -cp \"$1\" \"$2\"",
                        java, System.getProperty("java.class.path"), UnreadablePathEntryMain.class.getName())
                .clearEnv().captureOutput().timeout(Delays.seconds(60)).run();

        assertThat(child.stderr()).isEmpty();
        assertThat(child.stdout()).isEqualTo("piped\nmissing: IOException\n");
    }

    /** Runs {@code echo piped | cat}, then a command that is nowhere, with a PATH entry it cannot make a Path of. */
    static final class UnreadablePathEntryMain {
        public static void main(String[] args) throws Exception {
            System.out.print(Subprocess.pipeline(Subprocess.command("echo", "piped"), Subprocess.command("cat"))
                    .captureOutput().run().stdout());
            try {
                Subprocess.command("no-such-command-mp4j").run();
            } catch (IOException e) {
                System.out.println("missing: " + e.getClass().getSimpleName());
            }
        }
    }

    /** Runs {@code echo piped | cat}, in a JVM started without environment. */
    static final class PipelineWithoutPathMain {
        public static void main(String[] args) throws Exception {
            System.out.println("PATH=" + System.getenv("PATH"));
            System.out.print(Subprocess.pipeline(Subprocess.command("echo", "piped"), Subprocess.command("cat"))
                    .captureOutput().run().stdout());
        }
    }
}

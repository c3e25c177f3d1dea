package io.github.multiprocessing4j.subprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.TestJvm;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code Subprocess.command(...).run()}: Python's {@code subprocess.run}. */
class SubprocessRunTest {

    @TempDir
    Path tmp;

    @Test
    void run_withCaptureOutput_returnsStdoutStderrAndTheReturnCode() throws Exception {
        CompletedProcess done = Subprocess.command("sh", "-c", "printf 'out\\n'; printf 'err\\n' >&2; exit 3")
                .captureOutput().run();

        assertThat(done.args()).containsExactly("sh", "-c", "printf 'out\\n'; printf 'err\\n' >&2; exit 3");
        assertThat(done.returnCode()).isEqualTo(3);
        assertThat(done.stdout()).isEqualTo("out\n");
        assertThat(done.stderr()).isEqualTo("err\n");
        assertThat(done.stdoutBytes()).isEqualTo("out\n".getBytes(StandardCharsets.UTF_8));
        assertThat(done.stderrBytes()).isEqualTo("err\n".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void run_capturesWhatABackgroundChildWritesAfterTheCommandExited() throws Exception {
        // The shell writes more than a pipe holds, so it exits only once we read; then its background seq
        // writes on and holds stdout open. Python's run() reads to the end of the pipe. The JDK closes the
        // pipe when the shell exits unless a read holds it, which cut the output short (and killed seq with
        // SIGPIPE) in most runs; a few runs make that near-certain.
        byte[] seq = Subprocess.command("seq", "1", "200000").captureOutput().run().stdoutBytes();
        byte[] expected = new byte[100_000 + seq.length];
        System.arraycopy(seq, 0, expected, 100_000, seq.length);
        for (int i = 0; i < 5; i++) {
            CompletedProcess done = Subprocess.command("sh", "-c", "head -c 100000 /dev/zero; seq 1 200000 &")
                    .captureOutput().timeout(Delays.seconds(30)).run();

            assertThat(done.returnCode()).isZero();
            assertThat(done.stdoutBytes()).as("run %d", i).hasSize(expected.length).isEqualTo(expected);
        }
    }

    /** Python's {@code shell=True}: the shell parses pipes, redirections and variables from the command's env. */
    @Test
    void shell_runsTheCommandLineThroughTheShell_withTheCommandsEnvironment() throws Exception {
        CompletedProcess done = Subprocess.shell("printf 'b\\na\\n' | sort; echo \"$GREETING\" >&2; exit 4")
                .env("GREETING", "hi there").captureOutput().run();

        assertThat(done.stdout()).isEqualTo("a\nb\n");
        assertThat(done.stderr()).isEqualTo("hi there\n");
        assertThat(done.returnCode()).isEqualTo(4);
        assertThat(done.args()).containsExactly("/bin/sh", "-c",
                "printf 'b\\na\\n' | sort; echo \"$GREETING\" >&2; exit 4");
        assertThatThrownBy(() -> Subprocess.shell(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("commandLine");
    }

    @Test
    void run_withoutCapture_readingStdout_throwsNamingWhereItWent() throws Exception {
        CompletedProcess done = Subprocess.command("echo", "hi").stdout(Redirect.DISCARD).run();

        assertThat(done.returnCode()).isZero();
        assertThatThrownBy(done::stdout).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stdout of [echo, hi] was not captured")
                .hasMessageContaining("DISCARD")
                .hasMessageContaining("captureOutput()");
    }

    @Test
    void run_withInputText_feedsItToStdin() throws Exception {
        CompletedProcess done = Subprocess.command("sort").input("pear\napple\nfig\n").captureOutput().run();

        assertThat(done.stdout()).isEqualTo("apple\nfig\npear\n");
    }

    @Test
    void run_withInputBytes_passesEveryByteValueUnchanged() throws Exception {
        byte[] all = new byte[256 * 64];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }

        CompletedProcess done = Subprocess.command("cat").input(all).captureOutput().run();

        assertThat(done.stdoutBytes()).isEqualTo(all);
    }

    @Test
    void run_withInputFile_theChildReadsTheFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("in.txt"), "one\ntwo\nthree\n");

        CompletedProcess done = Subprocess.command("wc", "-l").input(file).captureOutput().run();

        assertThat(done.stdout().strip()).isEqualTo("3");
    }

    @Test
    void run_stderrToStdout_mergesBothStreamsInWriteOrder() throws Exception {
        CompletedProcess done = Subprocess.command("sh", "-c", "echo 1; echo 2 >&2; echo 3")
                .stdout(Redirect.PIPE).stderrToStdout().run();

        assertThat(done.stdout()).isEqualTo("1\n2\n3\n");
        assertThatThrownBy(done::stderr).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stderrToStdout()");
    }

    @Test
    void captureOutput_withStderrToStdout_inEitherOrder_capturesTheMergedOutput() throws Exception {
        Subprocess.Builder captureFirst = Subprocess.command("sh", "-c", "echo 1; echo 2 >&2; echo 3")
                .captureOutput().stderrToStdout();
        Subprocess.Builder mergeFirst = Subprocess.command("sh", "-c", "echo 1; echo 2 >&2; echo 3")
                .stderrToStdout().captureOutput();

        for (Subprocess.Builder b : List.of(captureFirst, mergeFirst)) {
            CompletedProcess done = b.run();
            assertThat(done.stdout()).isEqualTo("1\n2\n3\n");
            assertThatThrownBy(done::stderr).isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(() -> Subprocess.command("true").captureOutput().stderrToStdout().stderr(Redirect.DISCARD))
                .isInstanceOf(IllegalStateException.class).hasMessage("stderr was already set by stderrToStdout()");
        assertThatThrownBy(() -> Subprocess.command("true").stderrToStdout().captureOutput().stdout(Redirect.DISCARD))
                .isInstanceOf(IllegalStateException.class).hasMessage("stdout was already set by captureOutput()");
    }

    @Test
    void run_withCharset_encodesInputAndDecodesOutputWithIt() throws Exception {
        CompletedProcess done = Subprocess.command("od", "-An", "-tx1").input("é")
                .charset(StandardCharsets.ISO_8859_1).captureOutput().run();

        assertThat(done.stdout().strip()).isEqualTo("e9"); // one byte in Latin-1, two in UTF-8
    }

    @Test
    void textInputThatTheCharsetCannotEncode_isRefusedBeforeAnythingStarts_notSentAsQuestionMarks() throws Exception {
        Path ran = tmp.resolve("ran");
        String[] cmd = {"sh", "-c", "cat > \"$0\"", ran.toString()};
        assertThatThrownBy(() -> Subprocess.command(cmd).input("café").charset(StandardCharsets.US_ASCII).run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("US-ASCII")
                .hasMessageContaining("U+00E9").hasMessageContaining("index 3");
        assertThatThrownBy(() -> Subprocess.command(cmd).input("a\uD800b").start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lone surrogate");
        assertThatThrownBy(() -> Subprocess.pipeline(Subprocess.command("cat"), Subprocess.command(cmd)).input("ü")
                .charset(StandardCharsets.US_ASCII).run()).isInstanceOf(IllegalArgumentException.class);
        assertThat(ran).as("no command started").doesNotExist();
        try (Subprocess p = Subprocess.command(cmd).stdin(Redirect.PIPE).charset(StandardCharsets.US_ASCII).start()) {
            assertThatThrownBy(() -> p.communicate("naïve")).isInstanceOf(IllegalArgumentException.class);
            assertThat(p.communicate("plain").returnCode()).isZero();
        }
        assertThat(Files.readString(ran)).isEqualTo("plain");
    }

    @Test
    void textInputWithACharacterBeyondU_FFFF_thatTheCharsetCannotEncode_isNamed_notCalledALoneSurrogate() {
        // U+1D800, whose low 16 bits (0xD800) are those of a surrogate: a pair, not a lone surrogate
        assertThatThrownBy(() -> Subprocess.command("true").input("x\uD836\uDC00").charset(StandardCharsets.US_ASCII)
                .run()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("U+1D800 at index 1")
                .hasMessageNotContaining("surrogate").hasMessageContaining("'\uD836\uDC00'");
    }

    @Test
    void textInput_inACharsetThatOnlyDecodes_isRefusedNamingTheCharset_beforeAnythingStarts() throws Exception {
        // x-JISAutoDetect, say: fine for reading a command's output, but it has no encoder, and the JDK's
        // newEncoder() throws UnsupportedOperationException without a message
        Charset decodeOnly = Charset.availableCharsets().values().stream().filter(c -> !c.canEncode()).findFirst()
                .orElse(null);
        Assumptions.assumeTrue(decodeOnly != null, "this JDK has no charset that only decodes");
        Path ran = tmp.resolve("ran");
        String[] cmd = {"sh", "-c", "cat > \"$0\"", ran.toString()};

        assertThatThrownBy(() -> Subprocess.command(cmd).input("x").charset(decodeOnly).run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(decodeOnly.name())
                .hasMessageContaining("only decodes");
        assertThatThrownBy(() -> Subprocess.pipeline(Subprocess.command("cat"), Subprocess.command(cmd)).input("x")
                .charset(decodeOnly).run()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(decodeOnly.name());
        assertThat(ran).as("no command started").doesNotExist();
        try (Subprocess p = Subprocess.command(cmd).stdin(Redirect.PIPE).charset(decodeOnly).start()) {
            assertThatThrownBy(() -> p.communicate("x")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(decodeOnly.name());
            assertThat(p.communicate("plain".getBytes(StandardCharsets.US_ASCII)).returnCode()).isZero();
        }
        assertThat(Files.readString(ran)).isEqualTo("plain");
    }

    @Test
    void run_byDefault_decodesUtf8() throws Exception {
        CompletedProcess done = Subprocess.command("printf", "\\303\\251t\\303\\251").captureOutput().run();

        assertThat(done.stdout()).isEqualTo("été");
    }

    @Test
    void run_decodesBytesThatAreNotUtf8AsReplacementCharacters_andKeepsTheBytes() throws Exception {
        CompletedProcess done = Subprocess.command("printf", "\\377a\\303").captureOutput().run();

        assertThat(done.stdout()).isEqualTo("\uFFFDa\uFFFD");
        assertThat(done.stdoutBytes()).containsExactly(0xff, 'a', 0xc3);
    }

    @Test
    void run_leavesLineEndsAsTheCommandWroteThem() throws Exception {
        // Python's text=True turns \r\n and \r into \n; CompletedProcess keeps them, as its javadoc says
        CompletedProcess done = Subprocess.command("printf", "a\\r\\nb\\rc\\n").captureOutput().run();

        assertThat(done.stdout()).isEqualTo("a\r\nb\rc\n");
    }

    @Test
    void run_withCheck_whenExitIsNonZero_throwsWithTheCodeAndTheTailOfStderr() {
        Subprocess.Builder failing = Subprocess.command("sh", "-c",
                "for i in $(seq 1 30); do echo line $i >&2; done; echo partial; exit 4").captureOutput().check();

        assertThatThrownBy(failing::run).isInstanceOfSatisfying(CalledProcessException.class, e -> {
            assertThat(e.returnCode()).isEqualTo(4);
            assertThat(e.args()).first().isEqualTo("sh");
            assertThat(e.stdout()).isEqualTo("partial\n");
            assertThat(e.stderrTail()).startsWith("line 21\n").endsWith("line 30")
                    .hasLineCount(SubprocessException.TAIL_LINES);
            assertThat(e.getMessage()).contains("returned non-zero exit status 4").contains("line 30")
                    .doesNotContain("line 20\n");
        });
    }

    @Test
    void run_withCheck_whenKilledBySignal_namesTheSignal() {
        assertThatThrownBy(() -> Subprocess.command("sh", "-c", "kill -9 $$").captureOutput().check().run())
                .isInstanceOfSatisfying(CalledProcessException.class, e -> {
                    assertThat(e.returnCode()).isEqualTo(137);
                    assertThat(e.getMessage()).contains("killed by SIGKILL");
                });
    }

    @Test
    void run_withCheck_whenTheExitCodeLooksLikeASignal_doesNotClaimTheSignalForSure() {
        // The JDK reports exit(130) and death by SIGINT alike: the message must not say "died" as a fact.
        assertThatThrownBy(() -> Subprocess.command("sh", "-c", "exit 130").captureOutput().check().run())
                .isInstanceOfSatisfying(CalledProcessException.class, e -> {
                    assertThat(e.returnCode()).isEqualTo(130);
                    assertThat(e.getMessage()).contains("ended with exit value 130 (killed by SIGINT, unless it "
                            + "exited with that code itself)").doesNotContain("died");
                });
    }

    @Test
    void run_withCheck_andStderrMergedIntoStdout_endsTheMessageWithTheLastLinesOfTheMergedOutput() {
        Subprocess.Builder failing = Subprocess.command("sh", "-c",
                "for i in $(seq 1 30); do echo line $i >&2; done; echo the end; exit 3").captureOutput()
                .stderrToStdout().check();

        assertThatThrownBy(failing::run).isInstanceOfSatisfying(CalledProcessException.class, e -> {
            assertThat(e.returnCode()).isEqualTo(3);
            assertThat(e.stderrTail()).as("stderr was not captured on its own").isEmpty();
            assertThat(e.getMessage()).contains("returned non-zero exit status 3")
                    .contains("last lines of its output (stderr merged into stdout):\nline 22\n")
                    .endsWith("line 30\nthe end").doesNotContain("line 21\n");
        });
    }

    @Test
    void run_withCheck_withoutCapture_saysStderrWasNotCaptured() {
        assertThatThrownBy(() -> Subprocess.command("false").check().run())
                .isInstanceOf(CalledProcessException.class)
                .hasMessageContaining("[false] returned non-zero exit status 1")
                .hasMessageContaining("stderr was not captured");
    }

    @Test
    void run_withoutCheck_returnsTheNonZeroCode() throws Exception {
        assertThat(Subprocess.command("false").run().returnCode()).isEqualTo(1);
    }

    @Test
    void checkReturnCode_returnsTheResultForZero_andOtherwiseThrowsWhatCheckWouldHave() throws Exception {
        // Python: CompletedProcess.check_returncode() raises CalledProcessError for a non-zero status
        CompletedProcess ok = Subprocess.command("true").run();
        assertThat(ok.checkReturnCode()).isSameAs(ok);

        CompletedProcess failed = Subprocess.command("sh", "-c", "echo out; echo why >&2; exit 3").captureOutput().run();
        assertThat(failed.returnCode()).isEqualTo(3);
        assertThatThrownBy(failed::checkReturnCode).isInstanceOfSatisfying(CalledProcessException.class, e -> {
            assertThat(e.returnCode()).isEqualTo(3);
            assertThat(e.args()).containsExactly("sh", "-c", "echo out; echo why >&2; exit 3");
            assertThat(e.stdout()).isEqualTo("out\n");
            assertThat(e.stderr()).isEqualTo("why\n");
            assertThat(e.getMessage()).contains("exit status 3");
        });
    }

    @Test
    void run_whenTheExecutableIsMissing_throwsNoSuchFileNamingIt() {
        assertThatThrownBy(() -> Subprocess.command("no-such-command-mp4j", "--flag").run())
                .isInstanceOfSatisfying(NoSuchFileException.class, e -> {
                    assertThat(e.getFile()).isEqualTo("no-such-command-mp4j");
                    assertThat(e.getMessage()).contains("not found on PATH=").contains("[no-such-command-mp4j, --flag]");
                    assertThat(e.getCause()).isInstanceOf(IOException.class);
                });
    }

    @Test
    void run_ofAWholeCommandLineAsTheExecutable_saysToSplitItOrUseShell_notToInstallIt() {
        // command("ls -l"), a shell user's first try, said "check the spelling, install it, or give its absolute
        // path", and "ls -l /tmp | wc -l" (it holds a '/') only "not found (resolved against the current
        // directory)": neither said that the line is one argument here, as in Python without shell=True.
        for (String line : List.of("ls -l", "ls -l /tmp | wc -l")) {
            assertThatThrownBy(() -> Subprocess.command(line).run()).as(line)
                    .isInstanceOfSatisfying(NoSuchFileException.class, e -> {
                        assertThat(e.getFile()).isEqualTo(line);
                        assertThat(e.getMessage()).contains("Subprocess.shell(").contains("own element")
                                .doesNotContain("install it");
                    });
        }
    }

    @Test
    void run_withANulCharacterInTheExecutableOrAnArgument_throwsIOException() {
        // The diagnosis of the JDK's failure made a Path of the executable, and Path.of throws
        // InvalidPathException (unchecked) on a NUL.
        for (List<String> command : List.of(List.of("ec\0ho"), List.of("/bin/ec\0ho"), List.of("echo", "a\0b"))) {
            assertThatThrownBy(() -> Subprocess.command(command).run()).as("%s", command)
                    .isExactlyInstanceOf(IOException.class).hasMessageContaining("NUL");
        }
    }

    @Test
    void run_whenTheExecutablePathIsMissing_throwsNoSuchFileNamingIt() {
        String missing = tmp.resolve("bin/tool").toString();

        assertThatThrownBy(() -> Subprocess.command(missing).run())
                .isInstanceOfSatisfying(NoSuchFileException.class, e -> assertThat(e.getFile()).isEqualTo(missing));
    }

    @Test
    void run_whenTheFileIsNotExecutable_throwsAccessDenied() throws Exception {
        Path script = Files.writeString(tmp.resolve("script.sh"), "echo hi\n");

        assertThatThrownBy(() -> Subprocess.command(script.toString()).run())
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("is not executable");
    }

    @Test
    void run_whenARedirectFileCannotBeOpened_saysWhichFile_notThatTheProgramCannotRun() throws Exception {
        // The JDK reports these as "Cannot run program \"cat\": <file> (No such file or directory)".
        Path missing = tmp.resolve("missing.txt");
        assertThatThrownBy(() -> Subprocess.command("cat").input(missing).run())
                .isInstanceOfSatisfying(NoSuchFileException.class, e -> {
                    assertThat(e.getFile()).isEqualTo(missing.toString());
                    assertThat(e.getMessage()).contains("input file of [cat] does not exist");
                });
        assertThatThrownBy(() -> Subprocess.command("cat").input(tmp).run())
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("input file of [cat] is a directory");
        File inMissingDir = tmp.resolve("nowhere/out.txt").toFile();
        assertThatThrownBy(() -> Subprocess.command("echo").stdout(Redirect.to(inMissingDir)).run())
                .isInstanceOfSatisfying(NoSuchFileException.class, e -> assertThat(e.getMessage())
                        .contains("the directory of the output file of [echo] does not exist"));
        assertThatThrownBy(() -> Subprocess.command("echo").stderr(Redirect.appendTo(tmp.toFile())).run())
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("stderr file of [echo] is a directory");
        assertThatThrownBy(() -> Subprocess.command("echo").stdout(Redirect.to(new File("a\0b"))).run())
                .isExactlyInstanceOf(IOException.class).hasMessageContaining("invalid name");
    }

    @Test
    void run_whenTheWorkingDirectoryIsMissing_throwsNamingTheDirectory() {
        Path missing = tmp.resolve("nowhere");

        assertThatThrownBy(() -> Subprocess.command("pwd").cwd(missing).run())
                .isInstanceOfSatisfying(NoSuchFileException.class, e -> {
                    assertThat(e.getFile()).isEqualTo(missing.toString());
                    assertThat(e.getMessage()).contains("working directory");
                });
    }

    @Test
    void run_withCwd_runsTheCommandThere() throws Exception {
        Files.writeString(tmp.resolve("marker"), "");

        CompletedProcess done = Subprocess.command("ls").cwd(tmp).captureOutput().run();

        assertThat(done.stdout()).isEqualTo("marker\n");
    }

    @Test
    void run_withEnv_addsVariablesToTheInheritedEnvironment() throws Exception {
        CompletedProcess done = Subprocess.command("sh", "-c", "echo \"$MP4J_A $MP4J_B\"; echo \"$PATH\"")
                .env("MP4J_A", "alpha").env(Map.of("MP4J_B", "beta")).captureOutput().run();

        assertThat(done.stdout().lines().toList()).containsExactly("alpha beta", System.getenv("PATH"));
    }

    @Test
    void run_withClearEnv_passesOnlyTheGivenVariables() throws Exception {
        CompletedProcess done = Subprocess.command("/usr/bin/env").clearEnv().env("ONLY", "this").captureOutput().run();

        assertThat(done.stdout()).isEqualTo("ONLY=this\n");
    }

    @Test
    void run_withStdoutToAFile_writesAndAppendsThere() throws Exception {
        Path file = tmp.resolve("out.txt");
        Subprocess.command("echo", "first").stdout(Redirect.to(file.toFile())).run();
        Subprocess.command("echo", "second").stdout(Redirect.appendTo(file.toFile())).run();

        assertThat(Files.readString(file)).isEqualTo("first\nsecond\n");
        Subprocess.command("echo", "third").stdout(Redirect.to(file.toFile())).run();
        assertThat(Files.readString(file)).isEqualTo("third\n"); // Redirect.to truncates what was there
    }

    @Test
    void run_withStdoutAndStderrToTheSameFile_keepsBothInWriteOrder_asPythonWithOneFileObject() throws Exception {
        // Python's stdout=f, stderr=f shares one open file. The JDK opened the file twice, each open with its
        // own offset from 0, so stderr's writes overwrote stdout's: the file held "err1\nerr2\n".
        Path file = tmp.resolve("both.txt");
        String script = "echo out1; echo err1 >&2; echo out2; echo err2 >&2";
        Subprocess.command("sh", "-c", script).stdout(Redirect.to(file.toFile())).stderr(Redirect.to(file.toFile())).run();

        assertThat(Files.readString(file)).isEqualTo("out1\nerr1\nout2\nerr2\n");

        // the same file under another spelling of its name
        Files.writeString(file, "before\n");
        Subprocess.command("sh", "-c", script).stdout(Redirect.to(file.toFile()))
                .stderr(Redirect.to(tmp.resolve(".").resolve("both.txt").toFile())).run();
        assertThat(Files.readString(file)).isEqualTo("out1\nerr1\nout2\nerr2\n");
    }

    @Test
    void command_withANullElement_isRefusedNamingItsPosition() {
        // List.of's NullPointerException had no message at all.
        assertThatThrownBy(() -> Subprocess.command("echo", null, "b")).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("argument 1").hasMessageContaining("null");
        assertThatThrownBy(() -> Subprocess.command(java.util.Arrays.asList(null, "a")))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("executable");
    }

    @Test
    void run_ofAScriptWhoseInterpreterIsMissing_namesTheInterpreter_notTheScript() throws Exception {
        // The kernel's ENOENT for the #! line came out as "Cannot run program \"<script>\": ... No such file
        // or directory", of a script that is there (Python says as little).
        Path script = Files.writeString(tmp.resolve("tool.sh"), "#! /no/such/interpreter-mp4j -e\necho hi\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));

        assertThatThrownBy(() -> Subprocess.command(script.toString()).run())
                .isInstanceOfSatisfying(NoSuchFileException.class, e -> {
                    assertThat(e.getFile()).isEqualTo("/no/such/interpreter-mp4j");
                    assertThat(e.getMessage()).contains("interpreter").contains(script.toString());
                });
        assertThatThrownBy(() -> Subprocess.pipeline(Subprocess.command("echo"), Subprocess.command(script.toString())).run())
                .isInstanceOfSatisfying(NoSuchFileException.class,
                        e -> assertThat(e.getFile()).isEqualTo("/no/such/interpreter-mp4j"));
    }

    @Test
    void run_withAnEmptyExecutableName_saysTheNameIsEmpty() {
        // The message read "executable of [] not found on PATH=...", as if the command were empty.
        assertThatThrownBy(() -> Subprocess.command("", "x").run()).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("empty").hasMessageNotContaining("PATH=");
    }

    @Test
    void run_withStdinDiscarded_theChildReadsNothing() throws Exception {
        CompletedProcess done = Subprocess.command("wc", "-c").stdin(Redirect.DISCARD).captureOutput().run();

        assertThat(done.stdout().strip()).isEqualTo("0");
    }

    @Test
    void run_aBuilderRunsTheCommandAgainEachTime() throws Exception {
        Subprocess.Builder date = Subprocess.command("sh", "-c", "echo $$").captureOutput();

        assertThat(date.run().stdout()).isNotEqualTo(date.run().stdout());
    }

    @Test
    void builder_settingTwice_throwsNamingTheFirstSetting() {
        assertThatThrownBy(() -> Subprocess.command("true").captureOutput().stdout(Redirect.DISCARD))
                .isInstanceOf(IllegalStateException.class).hasMessage("stdout was already set by captureOutput()");
        assertThatThrownBy(() -> Subprocess.command("true").timeout(Duration.ofSeconds(1)).timeout(Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class).hasMessage("timeout was already set to PT1S");
        assertThatThrownBy(() -> Subprocess.command("true").env("A", "1").env("A", "2"))
                .isInstanceOf(IllegalStateException.class).hasMessage("env A was already set to 1");
        assertThatThrownBy(() -> Subprocess.command("true").input("x").stdin(Redirect.PIPE))
                .isInstanceOf(IllegalStateException.class).hasMessage("stdin was already set by input(String)");
    }

    @Test
    void builder_aRefusedCaptureOutput_leavesTheBuilderAsItWas() throws Exception {
        Subprocess.Builder b = Subprocess.command("sh", "-c", "echo out; echo err >&2").stderr(Redirect.DISCARD);
        assertThatThrownBy(b::captureOutput).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("stderr was already set by stderr(");
        b.stdout(Redirect.PIPE);
        assertThat(b.run().stdout()).isEqualTo("out\n");
    }

    @Test
    void builder_rejectsInvalidArguments_sayingWhy() {
        assertThatThrownBy(() -> Subprocess.command()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("command is empty");
        assertThatThrownBy(() -> Subprocess.command("true").timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout <= 0: PT0S");
        assertThatThrownBy(() -> Subprocess.command("true").gracePeriod(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("grace < 0: PT-1S");
        assertThatThrownBy(() -> Subprocess.command("true").env("A=B", "1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without '='");
        assertThatThrownBy(() -> Subprocess.command("true").stdout(Redirect.from(new File("/dev/null"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stdout cannot be");
    }

    @Test
    void env_withANulCharacterInTheValue_throwsAtOnceNamingTheVariable() {
        // The builder took it, and run() failed with the JDK's 'Invalid environment variable value: "x y"',
        // which names no variable; Python raises ValueError("embedded null byte") at once.
        assertThatThrownBy(() -> Subprocess.command("true").env("MP4J_A", "x\0y"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MP4J_A").hasMessageContaining("NUL");
        assertThatThrownBy(() -> Subprocess.command("true").env(Map.of("MP4J_A", "x\0y")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MP4J_A");
    }

    @Test
    void env_withAMapThatHasAnInvalidEntry_leavesTheBuilderAsItWas() throws Exception {
        // The entries before the invalid one were set, so setting them again after fixing the map failed
        // with "env MP4J_A was already set".
        Subprocess.Builder b = Subprocess.command("sh", "-c", "echo \"$MP4J_A\"").captureOutput();
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("MP4J_A", "1");
        bad.put("MP4J=B", "2");
        assertThatThrownBy(() -> b.env(bad)).isInstanceOf(IllegalArgumentException.class);
        b.env(Map.of("MP4J_A", "fixed"));

        assertThat(b.run().stdout()).isEqualTo("fixed\n");
        // a map with a key already set is refused whole too: its other keys may still be set
        assertThatThrownBy(() -> b.env(Map.of("MP4J_C", "3", "MP4J_A", "4"))).isInstanceOf(IllegalStateException.class);
        assertThat(b.env("MP4J_C", "5")).isSameAs(b);
    }

    @Test
    void start_withTimeoutOrCheck_throwsSayingTheyApplyToRun() {
        assertThatThrownBy(() -> Subprocess.command("true").timeout(Duration.ofSeconds(1)).start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("applies to run(), not start()");
        assertThatThrownBy(() -> Subprocess.command("true").check().start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("check() applies to run()");
        assertThatThrownBy(() -> Subprocess.command("true").gracePeriod(Duration.ofSeconds(1)).start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("gracePeriod(PT1S) applies to run()");
    }

    @Test
    void aPipeThread_runsAtTheNormalPriority_inTheLibrarysGroup_whoeverMadeIt() throws Exception {
        // Pipe threads are kept a while and shared by every command of the JVM: one made for a background request's
        // command, at the lowest priority and in its group, drained the next commands' output at that priority
        try (TestJvm jvm = TestJvm.start(FirstMadePipeThreadMain.class, List.of())) {
            assertThat(jvm.nextLineStartingWith("OUTPUT ", 60)).isEqualTo("OUTPUT x");
            assertThat(jvm.nextLineStartingWith("PIPE ", 60)).isEqualTo("PIPE 5 mp4j");
        }
    }
}

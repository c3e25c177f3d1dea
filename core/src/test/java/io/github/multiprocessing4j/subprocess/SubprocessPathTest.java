package io.github.multiprocessing4j.subprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a bare command name is looked up: as Python's {@code os.get_exec_path(env)}, on the {@code PATH}
 * the command is given when {@code env(...)} or {@code clearEnv()} changes it, else on this JVM's.
 */
class SubprocessPathTest {

    @TempDir
    Path tmp;

    /** An executable script {@code dir/name} that prints {@code name}, its $0 and its arguments. */
    private static Path script(Path dir, String name) throws Exception {
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\necho " + name + " \"$0\" \"$@\"\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void run_withEnvPath_findsABareNameOnThatPath() throws Exception {
        Path tool = script(tmp.resolve("bin"), "mp4j-tool");

        CompletedProcess done = Subprocess.command("mp4j-tool", "x")
                .env("PATH", tmp.resolve("bin") + ":/usr/bin:/bin").captureOutput().run();

        assertThat(done.stdout()).isEqualTo("mp4j-tool " + tool + " x\n");
        assertThat(done.args()).containsExactly("mp4j-tool", "x");
    }

    @Test
    void run_withEnvPath_runsTheCommandFoundThere_notTheOneOnThisJvmsPath() throws Exception {
        script(tmp.resolve("bin"), "ls");

        CompletedProcess done = Subprocess.command("ls", "/").env("PATH", tmp.resolve("bin").toString())
                .captureOutput().run();

        assertThat(done.stdout()).startsWith("ls ").endsWith(" /\n");
    }

    @Test
    void run_withEnvPathWithoutTheCommand_throwsNoSuchFile_namingItAndThePathSearched() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));

        assertThatThrownBy(() -> Subprocess.command("ls", "/").env("PATH", empty.toString()).captureOutput().run())
                .isInstanceOfSatisfying(NoSuchFileException.class, e -> {
                    assertThat(e.getFile()).isEqualTo("ls");
                    assertThat(e.getMessage()).contains("PATH=" + empty).contains("[ls, /]");
                });
    }

    @Test
    void run_withClearEnvAndNoPath_searchesTheDefaultPath_asPython() throws Exception {
        // Python's os.defpath, "/bin:/usr/bin", where the child has no PATH; an empty PATH finds nothing.
        assertThat(Subprocess.command("ls", "-d", "/").clearEnv().captureOutput().run().stdout()).isEqualTo("/\n");
        assertThatThrownBy(() -> Subprocess.command("ls", "-d", "/").env("PATH", "").run())
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void run_withClearEnvAndAPath_findsTheCommandThere() throws Exception {
        script(tmp.resolve("bin"), "mp4j-tool");

        CompletedProcess done = Subprocess.command("mp4j-tool").clearEnv().env("PATH", tmp.resolve("bin").toString())
                .captureOutput().run();

        assertThat(done.stdout()).startsWith("mp4j-tool ");
    }

    @Test
    void run_withARelativePathEntry_resolvesItAgainstTheWorkingDirectory() throws Exception {
        script(tmp.resolve("work/bin"), "mp4j-tool");

        CompletedProcess done = Subprocess.command("mp4j-tool").env("PATH", "bin").cwd(tmp.resolve("work"))
                .captureOutput().run();

        assertThat(done.stdout()).isEqualTo("mp4j-tool " + tmp.resolve("work/bin/mp4j-tool") + "\n");
    }

    @Test
    void run_skipsANonExecutableFileOrADirectory_andFindsTheNextOnThePath() throws Exception {
        Files.createDirectories(tmp.resolve("a/mp4j-tool"));
        Files.createDirectories(tmp.resolve("b"));
        Files.writeString(tmp.resolve("b/mp4j-tool"), "echo not me\n");
        Path tool = script(tmp.resolve("c"), "mp4j-tool");

        CompletedProcess done = Subprocess.command("mp4j-tool")
                .env("PATH", tmp.resolve("a") + ":" + tmp.resolve("b") + ":" + tmp.resolve("c")).captureOutput().run();

        assertThat(done.stdout()).isEqualTo("mp4j-tool " + tool + "\n");
    }

    @Test
    void run_whenOnlyANonExecutableFileIsOnThePath_throwsAccessDenied() throws Exception {
        Files.createDirectories(tmp.resolve("b"));
        Files.writeString(tmp.resolve("b/mp4j-tool"), "echo not me\n");

        assertThatThrownBy(() -> Subprocess.command("mp4j-tool").env("PATH", tmp.resolve("b").toString()).run())
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("not executable");
    }

    @Test
    void pipeline_aStageWithEnvPath_findsItsCommandOnThatPath() throws Exception {
        script(tmp.resolve("bin"), "mp4j-tool");

        CompletedPipeline done = Subprocess.pipeline(
                        Subprocess.command("mp4j-tool", "a").env("PATH", tmp.resolve("bin").toString()),
                        Subprocess.command("cat"))
                .captureOutput().run();

        assertThat(done.stdout()).startsWith("mp4j-tool ").endsWith(" a\n");
    }

    @Test
    void pipeline_aStageWithEnvPathWithoutItsCommand_throwsNoSuchFile() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));

        assertThatThrownBy(() -> Subprocess.pipeline(Subprocess.command("echo", "a"),
                        Subprocess.command("cat").env("PATH", empty.toString())).captureOutput().run())
                .isInstanceOfSatisfying(NoSuchFileException.class, e -> assertThat(e.getFile()).isEqualTo("cat"));
    }

    @Test
    void start_withEnvPath_findsABareNameOnThatPath() throws Exception {
        script(tmp.resolve("bin"), "mp4j-tool");

        try (Subprocess p = Subprocess.command("mp4j-tool").env("PATH", tmp.resolve("bin").toString())
                .captureOutput().start()) {
            assertThat(p.communicate().stdout()).startsWith("mp4j-tool ");
            assertThat(p.args()).containsExactly("mp4j-tool");
        }
    }
}

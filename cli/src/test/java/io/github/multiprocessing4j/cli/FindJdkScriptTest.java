package io.github.multiprocessing4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/find-jdk.sh, sourced as ./mp4j and ./mvnw source it (under {@code set -euo pipefail}), with
 * {@code MP4J_JAVA_HOME} set; and the ./mp4j launcher's decision to build.
 */
class FindJdkScriptTest {
    private static final Path SCRIPT = Path.of(System.getProperty("user.dir")).getParent()
            .resolve("scripts").resolve("find-jdk.sh");

    @TempDir
    Path tmp;

    record Result(int exitCode, String out, String err) {
    }

    private Result source(String mp4jJavaHome) throws IOException, InterruptedException {
        assertThat(SCRIPT).exists();
        Path out = tmp.resolve("out");
        Path err = tmp.resolve("err");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                "set -euo pipefail; source \"$1\"; echo \"$JAVA_HOME\"", "test", SCRIPT.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("MP4J_JAVA_HOME", mp4jJavaHome);
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the script finished").isTrue();
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8).strip(),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** A JDK without a {@code release} file (a hand-made image; here wrappers of this JDK's tools) is asked its version. */
    @Test
    void aJdkWithoutAReleaseFile_isAcceptedByTheVersionItReports() throws Exception {
        Path jdk = tmp.resolve("jdk without release");
        Files.createDirectories(jdk.resolve("bin"));
        Path home = Path.of(System.getProperty("java.home"));
        for (String tool : new String[] {"java", "javac"}) {
            Path wrapper = jdk.resolve("bin").resolve(tool);
            Files.writeString(wrapper, "#!/bin/sh\nexec '" + home.resolve("bin").resolve(tool) + "' \"$@\"\n");
            assertThat(wrapper.toFile().setExecutable(true)).isTrue();
        }

        Result r = source(jdk.toString());

        assertThat(r.err()).doesNotContain("unbound variable");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(jdk.toString());
    }

    @Test
    void mp4jJavaHome_thatDoesNotExist_failsAndSaysSo() throws Exception {
        Path missing = tmp.resolve("no such jdk");

        Result r = source(missing.toString());

        assertThat(r.exitCode()).isNotZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("MP4J_JAVA_HOME=" + missing + " is not a JDK 25 or newer: there is no such directory");
    }

    /**
     * ./mp4j builds the CLI when its jar is missing or older than the sources. Maven writes the jar before it
     * copies the libraries into cli/target/lib, so a build that failed (or was stopped) between the two left a
     * jar newer than the sources: the next ./mp4j took the build for done and ran what was half built. Here a
     * stand-in for ./mvnw writes the jar and fails: the next run must build again.
     */
    @Test
    void launcher_afterABuildThatFailedOnceItWroteTheJar_buildsAgain() throws Exception {
        Path launcher = checkout("""
                #!/bin/sh
                here=$(dirname "$0")
                echo build >> "$here/builds"
                mkdir -p "$here/cli/target/lib"
                echo 'half built' > "$here/cli/target/mp4j.jar"
                echo 'copy-dependencies failed' >&2
                exit 1
                """);
        Path repo = launcher.getParent();

        for (int run = 1; run <= 2; run++) {
            Process p = launch(launcher, System.getProperty("java.home"), "out" + run);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("run %d finished", run).isTrue();
            String out = Files.readString(tmp.resolve("out" + run), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(out).isEqualTo(1);
            assertThat(out).as("run %d", run).contains("copy-dependencies failed", "mp4j: the build failed");
        }
        assertThat(Files.readAllLines(repo.resolve("builds"))).hasSize(2);
    }

    /**
     * Two ./mp4j started together on a stale build both ran Maven, in the same target directories: one could run the
     * jar that the other was rewriting. The second now waits for the first's build (where there is flock(1), as
     * here), and then finds it done. The stand-in for ./mvnw builds once the test lets it.
     */
    @Test
    void launcher_startedWhileAnotherBuilds_waitsForThatBuild_andDoesNotBuildAgain() throws Exception {
        twoLaunchesOnAStaleBuild(false);
    }

    /**
     * The build lock was a file in cli/target: a {@code ./mvnw clean} run while one ./mp4j built deleted it, and the
     * next ./mp4j locked a new file and built beside the first. The lock is now the launcher itself.
     */
    @Test
    void launcher_startedWhileAnotherBuilds_waitsForThatBuild_evenIfTheTargetDirectoryWasCleanedMeanwhile()
            throws Exception {
        twoLaunchesOnAStaleBuild(true);
    }

    private void twoLaunchesOnAStaleBuild(boolean cleanMeanwhile) throws Exception {
        assertThat(new ProcessBuilder("sh", "-c", "command -v flock").start().waitFor()).as("flock(1) is here")
                .isZero();
        Path launcher = checkout("""
                #!/bin/sh
                here=$(dirname "$0")
                echo build >> "$here/builds"
                i=0
                while [ ! -f "$here/go" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
                mkdir -p "$here/cli/target/lib"
                echo 'built' > "$here/cli/target/mp4j.jar"
                """);
        Path repo = launcher.getParent();
        Path builds = repo.resolve("builds");
        Path jdk = echoingJdk();

        Process first = launch(launcher, jdk.toString(), "out1");
        Process second = null;
        try {
            await("the first run builds", () -> Files.exists(builds));
            if (cleanMeanwhile) {
                deleteTree(repo.resolve("cli/target"));
            }
            second = launch(launcher, jdk.toString(), "out2");
            // until it waits, or builds too (as it did)
            await("the second run waits, or builds", () -> Files.readString(tmp.resolve("out2"), StandardCharsets.UTF_8)
                    .contains("waiting") || Files.readAllLines(builds).size() > 1);
            Files.writeString(repo.resolve("go"), "");
            for (Process p : List.of(first, second)) {
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the run finished").isTrue();
            }
            String out1 = Files.readString(tmp.resolve("out1"), StandardCharsets.UTF_8);
            String out2 = Files.readString(tmp.resolve("out2"), StandardCharsets.UTF_8);
            assertThat(Files.readAllLines(builds)).as("the builds; first run: %s; second run: %s", out1, out2)
                    .hasSize(1);
            assertThat(out2).contains("mp4j: waiting for the build of another ./mp4j to end")
                    .doesNotContain("building the CLI");
            assertThat(first.exitValue()).as(out1).isZero();
            assertThat(second.exitValue()).as(out2).isZero();
            assertThat(out1).contains("ran -cp", "--version");
            assertThat(out2).contains("ran -cp", "--version");
        } finally {
            Files.writeString(repo.resolve("go"), "");
            first.destroyForcibly();
            if (second != null) {
                second.destroyForcibly();
            }
        }
    }

    /**
     * On NFS (v4, Linux 3.4 and later) an exclusive flock(2) on a descriptor open for reading only fails with EBADF,
     * and flock(1) given a descriptor then says "Bad file descriptor" and exits 65: the launcher, which locked itself
     * opened for reading, went on to wait ("waiting for the build of another ./mp4j"), and stopped there (set -e), never
     * building nor running, on every launch of a stale build. Here a flock(1) that does as NFS does stands in for it:
     * the launcher opens itself for writing where it may, and takes the lock.
     */
    @Test
    void launcher_whereAnExclusiveLockNeedsADescriptorOpenForWriting_asOnNfs_buildsAndRuns() throws Exception {
        launchOnAStaleBuildWithFlock("""
                mode=$(awk '/^flags:/ {print $2}' "/proc/$$/fdinfo/$fd")
                if [ $((0$mode & 3)) -eq 0 ]; then
                  echo "flock: $fd: Bad file descriptor" >&2
                  exit 65
                fi
                """, false);
    }

    /**
     * Where the lock cannot be had at all (a file system without flock(2), a launcher that may not be opened for
     * writing on NFS), the launcher builds without it, as where there is no flock(1), rather than stop.
     */
    @Test
    void launcher_whereTheLockCannotBeHad_buildsWithoutIt_andRuns() throws Exception {
        launchOnAStaleBuildWithFlock("""
                echo "flock: $fd: No locks available" >&2
                exit 71
                """, true);
    }

    /**
     * Launches ./mp4j once on a stale build with a flock(1) in front of the real one that runs {@code check} first
     * ({@code $fd}: the descriptor it is given), and checks that it built once and ran.
     */
    private void launchOnAStaleBuildWithFlock(String check, boolean saysSo) throws Exception {
        Process which = new ProcessBuilder("sh", "-c", "command -v flock").start();
        String realFlock = new String(which.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(which.waitFor()).as("flock(1) is here").isZero();
        Path bin = tmp.resolve("bin");
        Files.createDirectories(bin);
        Path flock = bin.resolve("flock");
        Files.writeString(flock, "#!/bin/bash\nfd=\"${@: -1}\"\n" + check + "exec '" + realFlock + "' \"$@\"\n");
        assertThat(flock.toFile().setExecutable(true)).isTrue();
        Path launcher = checkout("""
                #!/bin/sh
                here=$(dirname "$0")
                echo build >> "$here/builds"
                mkdir -p "$here/cli/target/lib"
                echo 'built' > "$here/cli/target/mp4j.jar"
                """);

        Process p = launch(launcher, echoingJdk().toString(), "out", bin);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the run finished").isTrue();
        String out = Files.readString(tmp.resolve("out"), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("building the CLI", "ran -cp", "--version");
        if (saysSo) {
            assertThat(out).contains("building without it");
        } else {
            assertThat(out).doesNotContain("waiting", "without");
        }
        assertThat(Files.readAllLines(launcher.getParent().resolve("builds"))).hasSize(1);
    }

    /** A JDK whose java says what it was asked to run, and exits. */
    private Path echoingJdk() throws IOException {
        Path jdk = tmp.resolve("jdk");
        Files.createDirectories(jdk.resolve("bin"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25\"\n");
        for (String tool : new String[] {"java", "javac"}) {
            Path script = jdk.resolve("bin").resolve(tool);
            Files.writeString(script, "#!/bin/sh\necho \"ran $*\"\n");
            assertThat(script.toFile().setExecutable(true)).isTrue();
        }
        return jdk;
    }

    /**
     * A checkout with the ./mp4j launcher, scripts/find-jdk.sh, sources an hour old and no build, and {@code mvnw}
     * for its ./mvnw.
     *
     * @return the launcher
     */
    private Path checkout(String mvnw) throws IOException {
        Path repo = tmp.resolve("checkout");
        Files.createDirectories(repo.resolve("scripts"));
        Files.copy(SCRIPT, repo.resolve("scripts").resolve("find-jdk.sh"));
        Path launcher = repo.resolve("mp4j");
        Files.copy(SCRIPT.getParent().getParent().resolve("mp4j"), launcher);
        Path wrapper = repo.resolve("mvnw");
        Files.writeString(wrapper, mvnw);
        assertThat(wrapper.toFile().setExecutable(true)).isTrue();
        FileTime anHourAgo = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
        for (String source : new String[] {"pom.xml", "core/pom.xml", "cli/pom.xml", "core/src/main/java/A.java",
                "cli/src/main/java/B.java"}) {
            Path file = repo.resolve(source);
            Files.createDirectories(file.getParent());
            Files.writeString(file, "");
            Files.setLastModifiedTime(file, anHourAgo);
        }
        return launcher;
    }

    private static void deleteTree(Path root) throws IOException {
        if (Files.exists(root)) {
            try (var paths = Files.walk(root)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Waits (60 s at most) until {@code condition} holds: the CLI's tests have no Awaitility. */
    private static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.call()) {
            assertThat(System.nanoTime() - deadline).as(what).isNegative();
            Thread.sleep(50);
        }
    }

    /** Starts {@code launcher --version} on the JDK at {@code javaHome}; its stdout and stderr go to {@code out}. */
    private Process launch(Path launcher, String javaHome, String out) throws IOException {
        return launch(launcher, javaHome, out, null);
    }

    /** As {@link #launch(Path, String, String)}, with {@code bin} first on the PATH (null: none). */
    private Process launch(Path launcher, String javaHome, String out, Path bin) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString(), "--version")
                .redirectErrorStream(true).redirectOutput(tmp.resolve(out).toFile());
        pb.environment().put("MP4J_JAVA_HOME", javaHome);
        if (bin != null) {
            pb.environment().put("PATH", bin + ":" + pb.environment().get("PATH"));
        }
        return pb.start();
    }
}

package io.github.multiprocessing4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/find-jdk.sh, sourced as ./mp4j and ./mvnw source it (under {@code set -euo pipefail}), with
 * {@code MP4J_JAVA_HOME} set.
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
}

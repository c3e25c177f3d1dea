package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.multiprocessing4j.internal.launch.ChildLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child whose process cannot even be created: the {@code java} executable is not executable (as when the JDK was
 * removed or replaced under a running program; a process limit or a full file table fail the same call).
 */
class UncreatableChildTest {
    @TempDir
    Path tmp;

    @Test
    void aChildWhoseProcessCannotBeCreated_failsWithAProcessStartException_thatNamesTheJavaAndTheOsError()
            throws Exception {
        Path java = notExecutableJava();
        ChildLauncher.javaForTests(java);
        ProcessStartException e;
        try {
            e = catchThrowableOfType(ProcessStartException.class, () -> JvmProcess.start("uncreatable", () -> { }));
        } finally {
            ChildLauncher.javaForTests(null);
        }
        assertUncreatable(e, java);

        // nothing of the failed start stands in the way of the next
        try (JvmProcess child = JvmProcess.start("after", () -> { })) {
            child.join();
            assertThat(child.exitCode()).hasValue(0);
        }
    }

    @Test
    void aChildWhoseProcessCannotBeCreated_failsWithAProcessStartException_withoutDirectStarts() throws Exception {
        Path java = notExecutableJava();
        String before = System.getProperty("mp4j.directStart");
        System.setProperty("mp4j.directStart", "false");
        ChildLauncher.javaForTests(java);
        ProcessStartException e;
        try {
            e = catchThrowableOfType(ProcessStartException.class, () -> JvmProcess.start("uncreatable", () -> { }));
        } finally {
            ChildLauncher.javaForTests(null);
            if (before == null) {
                System.clearProperty("mp4j.directStart");
            } else {
                System.setProperty("mp4j.directStart", before);
            }
        }
        assertUncreatable(e, java);
    }

    private Path notExecutableJava() throws IOException {
        return Files.createFile(tmp.resolve("java"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
    }

    static void assertUncreatable(ProcessStartException e, Path java) {
        // It was an UncheckedIOException, which the contract of start() does not name
        assertThat(e).as("the failure of the start").isNotNull();
        assertThat(e.getMessage()).contains(java.toString()).contains("Permission denied");
        assertThat(e.getCause()).isInstanceOf(IOException.class);
        assertThat(e.pid()).isEqualTo(-1);
        assertThat(e.exitCode()).isEmpty();
    }
}

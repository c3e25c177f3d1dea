package io.github.multiprocessing4j.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.tracker.StaleSessionSweeper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session directory: private from birth, and never a directory that someone made before us. */
class SessionDirectoryTest {

    @TempDir
    Path base;

    @Test
    void aNameThatSomeoneTookFirst_isNotUsed_andAnotherIsDrawn() throws Exception {
        // Another user made the directory under the name this JVM draws first, hoping to stop it or to get in.
        Path taken = Files.createDirectory(base.resolve(SessionDirectory.PREFIX + ProcessHandle.current().pid() + "-taken"));
        Files.setPosixFilePermissions(taken, PosixFilePermissions.fromString("rwxrwxrwx"));
        Iterator<String> suffixes = List.of("taken", "free").iterator();

        Path dir = SessionDirectory.create(List.of(base), suffixes::next);

        assertThat(dir.getFileName().toString()).endsWith("-free");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(taken))).as("left alone")
                .isEqualTo("rwxrwxrwx");
    }

    @Test
    void theNamesThatADirectoryIsGiven_carry64RandomBits() {
        Path dir = SessionDirectory.create();
        try {
            assertThat(dir.getFileName().toString()).matches(SessionDirectory.PREFIX + "\\d+-[0-9a-f]{16}");
        } finally {
            StaleSessionSweeper.deleteTree(dir);
        }
    }
}

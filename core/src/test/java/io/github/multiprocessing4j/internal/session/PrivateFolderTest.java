package io.github.multiprocessing4j.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.multiprocessing4j.testing.Delays;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A private folder checked once and used through its handle: a folder put in its place after the check (by another
 * user, after a cleaner removed ours) is not the one read or deleted from.
 */
class PrivateFolderTest {

    @TempDir
    Path tmp;

    @Test
    void aFolderPutInThePlaceOfTheOneChecked_isNotUsed_itsEntriesAreReadAndDeletedInTheOneChecked() throws Exception {
        assumeSecureDirectoryStreams();
        Path dir = privateFolder("session");
        Files.writeString(dir.resolve("report"), "ours");
        Files.writeString(dir.resolve("stop"), "ours");
        try (PrivateFolder folder = PrivateFolder.open(dir).orElseThrow()) {
            assertThat(folder.isHeldOpen()).isTrue();
            // Renamed away, and another folder, writable by all, made under its name, with a FIFO nobody writes and a
            // file of the same names
            Path moved = tmp.resolve("moved");
            Files.move(dir, moved);
            Files.createDirectory(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            mkfifo(dir.resolve("report"));
            Files.writeString(dir.resolve("stop"), "theirs");

            FutureTask<Optional<byte[]>> read = new FutureTask<>(() -> folder.read("report"));
            Thread.ofPlatform().daemon().start(read);
            try {
                assertThat(read.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).map(String::new).hasValue("ours");
            } finally {
                if (!read.isDone()) {
                    Files.newOutputStream(dir.resolve("report")).close(); // a writer that comes and goes: the read ends
                }
            }
            folder.delete("stop");
            assertThat(moved.resolve("stop")).doesNotExist();
            assertThat(dir.resolve("stop")).as("the other folder's entry, left alone").hasContent("theirs");
        }
    }

    @Test
    void aFifoOrALinkInTheFolder_isNotRead() throws Exception {
        assumeSecureDirectoryStreams();
        Path dir = privateFolder("session");
        mkfifo(dir.resolve("fifo"));
        Path elsewhere = Files.writeString(tmp.resolve("elsewhere"), "not in the folder");
        Files.createSymbolicLink(dir.resolve("link"), elsewhere);
        try (PrivateFolder folder = PrivateFolder.open(dir).orElseThrow()) {
            assertThatThrownBy(() -> folder.read("fifo")).isInstanceOf(IOException.class).hasMessageContaining("not a regular file");
            assertThatThrownBy(() -> folder.read("link")).isInstanceOf(IOException.class).hasMessageContaining("not a regular file");
            folder.delete("link");
            assertThat(dir.resolve("link")).doesNotExist();
            assertThat(elsewhere).as("a link is deleted, not what it names").hasContent("not in the folder");
        }
    }

    @Test
    void withHandlesOrWithout_aPrivateFolderIsReadAndDeletedFrom_andOneOthersMayWriteToIsNotOpened() throws Exception {
        for (boolean secure : new boolean[] {true, false}) {
            PrivateFolder.secureStreams = secure;
            try {
                Path dir = privateFolder("session-" + secure);
                Files.writeString(dir.resolve("report"), "ours");
                try (PrivateFolder folder = PrivateFolder.open(dir).orElseThrow()) {
                    assertThat(folder.read("report")).map(String::new).hasValue("ours");
                    assertThat(folder.read("missing")).isEmpty();
                    folder.delete("report");
                    folder.delete("missing");
                    assertThat(dir.resolve("report")).doesNotExist();
                }
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
                assertThat(PrivateFolder.open(dir)).as("writable by all").isEmpty();
                assertThatThrownBy(() -> PrivateFolder.open(tmp.resolve("gone-" + secure)))
                        .isInstanceOf(NoSuchFileException.class);
            } finally {
                PrivateFolder.secureStreams = true;
            }
        }
    }

    private Path privateFolder(String name) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve(name));
        Files.setPosixFilePermissions(dir, PrivatePaths.OWNER_ONLY_FOLDER);
        return dir;
    }

    private void assumeSecureDirectoryStreams() throws IOException {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(tmp)) {
            assumeTrue(stream instanceof SecureDirectoryStream, "SecureDirectoryStream (Linux)");
        }
    }

    static void mkfifo(Path at) throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", at.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).isZero();
    }
}

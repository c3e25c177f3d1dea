package io.github.multiprocessing4j.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.internal.tracker.StaleSessionSweeper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
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
    void aBaseThatOthersMayWriteTo_isPassedOver_unlessItIsSticky() throws Exception {
        // Anyone could rename our directory away from there and put theirs, with a socket of theirs, in its place.
        Path open = Files.createDirectory(base.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path sticky = Files.createDirectory(base.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777); // as /tmp: only an entry's owner may rename it

        Path dir = SessionDirectory.create(List.of(open, sticky), () -> "x");

        assertThat(dir.getParent()).isEqualTo(sticky);
        try (Stream<Path> left = Files.list(open)) {
            assertThat(left).as("nothing left behind").isEmpty();
        }
    }

    @Test
    void aDirectorySwappedForALinkBeforeItIsChecked_isPassedOver_andWhatTheLinkNamesIsLeftAlone() throws Exception {
        // In a base that others may write to and that is not sticky, another user watches for our new directory,
        // renames it away and puts a link in its place before this JVM checks it: a link to a folder of ours, which
        // this JVM would then take as its session directory (and delete, with all in it, when it exits), or to a
        // folder of theirs, where they would relay our sockets.
        Path open = Files.createDirectory(base.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path own = Files.createDirectory(base.resolve("own"));
        Path precious = Files.createDirectory(base.resolve("precious"));
        Files.writeString(precious.resolve("thesis.txt"), "years of work");

        Path dir = SessionDirectory.create(List.of(open, own), () -> "x", (made, moment) -> {
            if (made.startsWith(open) && moment == SessionDirectory.Moment.MODE_SET) {
                Files.move(made, open.resolve("moved-away"));
                Files.createSymbolicLink(made, precious);
            }
        });

        assertThat(dir.getParent()).as("the session directory").isEqualTo(own.toRealPath());
        assertThat(Files.readString(precious.resolve("thesis.txt"))).isEqualTo("years of work");
    }

    @Test
    void aLinkPutInPlaceOfTheNewDirectory_beforeItsModeIsSet_doesNotGetItsTargetsModeChanged() throws Exception {
        // The same move, made before this JVM makes sure the new directory's mode is 0700: a chmod through the
        // link would close a folder of this user's (a shared one, a web root) to everyone else.
        Path open = Files.createDirectory(base.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path own = Files.createDirectory(base.resolve("own"));
        Path shared = Files.createDirectory(base.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));

        Path dir = SessionDirectory.create(List.of(open, own), () -> "x", (made, moment) -> {
            if (made.startsWith(open) && moment == SessionDirectory.Moment.MADE) {
                Files.move(made, open.resolve("moved-away"));
                Files.createSymbolicLink(made, shared);
            }
        });

        assertThat(dir.getParent()).as("the session directory").isEqualTo(own.toRealPath());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shared))).isEqualTo("rwxr-xr-x");
    }

    @Test
    void whenNoBaseWillDo_theErrorSaysWhyEachWasPassedOver() throws Exception {
        Path open = Files.createDirectory(base.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path missing = base.resolve("missing");

        assertThatThrownBy(() -> SessionDirectory.create(List.of(open, missing), () -> "x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("set java.io.tmpdir")
                .hasMessageContaining(open + ": " + open + " belongs to another user or others may write to it")
                .hasMessageContaining(missing + ": not a writable directory");
    }

    @Test
    void aBaseOfAnotherUser_isPassedOver() throws Exception {
        // As after su from another user's session: $XDG_RUNTIME_DIR still names theirs.
        Path theirs = Files.createDirectory(base.resolve("theirs"));
        try {
            Files.setOwner(theirs, base.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        } catch (IOException e) {
            Assumptions.abort("only root can give a directory away: " + e);
        }
        Path own = Files.createDirectory(base.resolve("own"));

        Path dir = SessionDirectory.create(List.of(theirs, own), () -> "x");

        assertThat(dir.getParent()).isEqualTo(own);
    }

    @Test
    void aLinkThatOthersCouldRepoint_isNotKeptInThePath_evenWhenThePathWithoutLinksIsTooLongForASocket() throws Exception {
        // A base reached through a link in a folder others may write to (not sticky): the folder it names is ours
        // and private, but its real path is too long for a socket. The session must not then keep the path through
        // the link: another user could later point the link at a folder of theirs, where this JVM would bind its
        // socket and its children would connect, and relay (and forge) the frames of authenticated connections.
        Path longOwn = Files.createDirectory(base.resolve("a".repeat(90)));
        Path open = Files.createDirectory(base.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path link = Files.createSymbolicLink(open.resolve("l"), longOwn);
        Path own = Files.createDirectory(base.resolve("own"));

        Path dir = SessionDirectory.create(List.of(link, own), () -> "x");

        assertThat(dir.getParent()).as("the session directory").isEqualTo(own.toRealPath());
        try (Stream<Path> left = Files.list(longOwn)) {
            assertThat(left).as("nothing left behind").isEmpty();
        }
    }

    @Test
    void aLinkThatOnlyThisUserControls_stillGivesAShortPath_whenThePathWithoutLinksIsTooLong() throws Exception {
        // As macOS's /var -> /private/var: a link that nobody else can change is as good as the folder it names.
        Path longOwn = Files.createDirectory(base.resolve("a".repeat(90)));
        Path link = Files.createSymbolicLink(base.resolve("l"), longOwn);

        Path dir = SessionDirectory.create(List.of(link), () -> "x");

        assertThat(dir.getParent()).isEqualTo(link.toAbsolutePath());
        assertThat(dir.toRealPath().getParent()).isEqualTo(longOwn.toRealPath());
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

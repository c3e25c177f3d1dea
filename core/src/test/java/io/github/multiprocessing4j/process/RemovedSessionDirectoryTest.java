package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.multiprocessing4j.process.fixtures.CloseAfterRemovalMain;
import io.github.multiprocessing4j.process.fixtures.DirectChildAfterRemovalMain;
import io.github.multiprocessing4j.process.fixtures.GrandchildAfterRemovalMain;
import io.github.multiprocessing4j.process.fixtures.InterruptedStartAfterRemovalMain;
import io.github.multiprocessing4j.process.fixtures.RemovedSessionDirectoryMain;
import io.github.multiprocessing4j.process.fixtures.ReplacedSessionDirectoryMain;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.TestJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cleaner of temporary files (systemd-tmpfiles, tmpreaper) or a logout that takes {@code $XDG_RUNTIME_DIR}
 * may remove the session directory, socket and all, while a long-lived JVM runs.
 */
class RemovedSessionDirectoryTest {

    @Test
    void childrenStartedAfterTheSessionDirectoryWasRemoved_connectToANewOne_andTheOldConnectionsLive() throws Exception {
        // No spare: a spare that connected before the removal would let the second start pass without a new socket
        try (TestJvm jvm = TestJvm.start(RemovedSessionDirectoryMain.class, List.of("-Dmp4j.spare=false"))) {
            assertThat(jvm.nextLine(60)).isEqualTo("pool before: 2");
            assertThat(jvm.nextLine(60)).isEqualTo("first exit: 0");
            Path removed = Path.of(jvm.nextLineStartingWith("directory: ", 30).substring("directory: ".length()));
            assertThat(jvm.nextLine(60)).isEqualTo("second exit: 0");
            assertThat(jvm.nextLine(60)).isEqualTo("pool after: 3");
            Path now = Path.of(jvm.nextLineStartingWith("directory now: ", 30).substring("directory now: ".length()));
            assertThat(now).isNotEqualTo(removed);
            assertThat(jvm.nextLine(30)).isEqualTo("private: true");
            jvm.awaitOutputEnd(Duration.ofSeconds(60));
            assertThat(jvm.process().waitFor()).as(jvm.stderr()).isZero();
            assertThat(now).as("the new directory is removed at exit, as the first would have been").doesNotExist();
            assertThat(Files.exists(removed)).isFalse();
        }
    }

    @Test
    void aDirectoryMadeAgainByAnotherUser_withAnImpostorSocketInIt_isLeftForANewOne_andChildrenStillStart() throws Exception {
        // The listener noticed a removal only by its socket's file being gone: a directory of the same name that another
        // user made again, with a socket of the same name in it, passed for the session's own, and every later child
        // connected to that user's socket, which cannot prove the key: no child could start until the JVM exited.
        // Only root can make the socket another user's, as it would be: one of this user's, on a file system that
        // gives it the inode of the socket just deleted (ext4 does), is this user's own socket for all anyone can tell.
        assumeTrue(isRoot(), "root, to give the directory and its socket to another user");
        try (TestJvm jvm = TestJvm.start(ReplacedSessionDirectoryMain.class, List.of("-Dmp4j.spare=false"))) {
            assertThat(jvm.nextLine(60)).isEqualTo("pool before: 2");
            Path replaced = Path.of(jvm.nextLineStartingWith("directory: ", 30).substring("directory: ".length()));
            assertThat(jvm.nextLine(120)).as(jvm::stderr).isEqualTo("pool after: 3");
            Path now = Path.of(jvm.nextLineStartingWith("directory now: ", 30).substring("directory now: ".length()));
            assertThat(now).isNotEqualTo(replaced);
            assertThat(jvm.nextLine(30)).isEqualTo("private: true");
            jvm.awaitOutputEnd(Duration.ofSeconds(60));
            assertThat(jvm.process().waitFor()).as(jvm::stderr).isZero();
            assertThat(replaced).as("not ours: not deleted at exit").exists();
            try (var left = Files.list(replaced)) {
                assertThat(left.map(f -> f.getFileName().toString()).toList())
                        .as("nor is the other user's socket in it, though it has the name of ours").hasSize(1)
                        .allMatch(name -> name.endsWith(".sock"));
            }
            try (var left = Files.walk(replaced)) { // as the other user would, in the end
                for (Path p : left.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static boolean isRoot() throws java.io.IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .anyMatch(l -> l.startsWith("Uid:") && l.substring(4).trim().split("\\s+")[1].equals("0"));
    }

    @Test
    void aDirectoryMadeAgainByAnotherUser_isNotEmptiedAtExit() throws Exception {
        // With no start after the swap, nothing noticed it: at exit the JVM deleted what was in the directory that had
        // the session's name, the other user's files (as root, or where they had left it writable to all).
        try (TestJvm jvm = TestJvm.start(ReplacedSessionDirectoryMain.class, List.of("-Dmp4j.spare=false"), "exit")) {
            assertThat(jvm.nextLine(60)).isEqualTo("pool before: 2");
            Path replaced = Path.of(jvm.nextLineStartingWith("directory: ", 30).substring("directory: ".length()));
            assertThat(jvm.nextLine(60)).as(jvm::stderr).isEqualTo("exiting");
            jvm.awaitOutputEnd(Duration.ofSeconds(60));
            assertThat(jvm.process().waitFor()).as(jvm::stderr).isZero();
            assertThat(replaced).as("the other user's directory").isDirectory();
            try (var left = Files.list(replaced)) {
                assertThat(left.map(f -> f.getFileName().toString()).toList()).as("the other user's files")
                        .contains("theirs").anyMatch(name -> name.endsWith(".sock"));
            }
            try (var left = Files.walk(replaced)) { // as the other user would, in the end
                for (Path p : left.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    void aChildWhoseInheritedDirectoryWasRemoved_orMadeAgainByAnotherUser_stillStartsChildrenOfItsOwn_fromAPrivateOne()
            throws Exception {
        // A child that starts children of its own binds its socket in the directory its boot record names, on its first
        // start, without the check that a later start makes. Removed (a long-lived child, a cleaner of temporary files),
        // the bind failed ("cannot listen on"), and that child could start no children at all; made again by another
        // user, writable by others, its socket was bound there.
        for (String mode : List.of("removed", "replaced")) {
            try (TestJvm jvm = TestJvm.start(GrandchildAfterRemovalMain.class, List.of("-Dmp4j.spare=false"), mode)) {
                assertThat(jvm.nextLineStartingWith("grandchild ", 120)).as(mode + ": " + jvm.stderr())
                        .isEqualTo("grandchild exit: 7");
                assertThat(jvm.nextLineStartingWith("sockets in a private directory: ", 60)).as(mode)
                        .isEqualTo("sockets in a private directory: true (a new one)");
                Path fresh = Path.of(jvm.nextLineStartingWith("sockets in: ", 60).substring("sockets in: ".length()));
                assertThat(jvm.nextLineStartingWith("child exit: ", 60)).as(mode).isEqualTo("child exit: 0");
                assertThat(jvm.process().waitFor()).as(jvm::stderr).isZero();
                assertThat(fresh).as(mode + ": the child's own directory, deleted at its exit").doesNotExist();
            }
        }
    }

    @Test
    void aChildThatStartsChildrenOfItsOwn_inTheDirectoryItInherited_bindsThere_withoutAWarning(@TempDir Path tmp)
            throws Exception {
        // The first listener of a child checks that the directory its boot record names is still private: a check
        // that said "no" for the parent's own directory would move every such child to a directory of its own (one
        // more per child, a WARNING each time). In java.io.tmpdir as it is, and in one reached by a link of ours.
        Path real = Files.createDirectory(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("l"), real);
        for (List<String> options : List.of(List.of("-Dmp4j.spare=false"),
                List.of("-Dmp4j.spare=false", "-Djava.io.tmpdir=" + link))) {
            try (TestJvm jvm = TestJvm.start(GrandchildAfterRemovalMain.class, options, "intact")) {
                assertThat(jvm.nextLineStartingWith("grandchild ", 120)).as(options + ": " + jvm.stderr())
                        .isEqualTo("grandchild exit: 7");
                assertThat(jvm.nextLineStartingWith("sockets in a private directory: ", 60)).as(options.toString())
                        .isEqualTo("sockets in a private directory: true (the inherited one)");
                assertThat(jvm.nextLineStartingWith("child exit: ", 60)).as(options.toString()).isEqualTo("child exit: 0");
                jvm.awaitOutputEnd(Duration.ofSeconds(60));
                assertThat(jvm.process().waitFor()).as(jvm::stderr).isZero();
                assertThat(jvm.stderr()).as(options.toString()).doesNotContain("no longer private").doesNotContain("WARNING");
            }
        }
        try (var left = Files.list(real)) {
            assertThat(left.toList()).as("nothing left in the configured directory").isEmpty();
        }
    }

    @Test
    void aStartOnAnInterruptedThreadAfterTheRemoval_failsAsDocumented_andLaterStartsStillWork() throws Exception {
        // The start that makes the new directory locks its liveness file through a FileChannel, which fails on an
        // interrupted thread: it threw UncheckedIOException "cannot lock the session directory", having retired
        // the listener already, so every later start tried to listen in the removed directory and failed too.
        try (TestJvm jvm = TestJvm.start(InterruptedStartAfterRemovalMain.class, List.of("-Dmp4j.spare=false"))) {
            assertThat(jvm.nextLineStartingWith("THROWN ", 60))
                    .startsWith("THROWN " + ProcessStartException.class.getName()).contains("interrupted");
            assertThat(jvm.nextLineStartingWith("INTERRUPTED ", 30)).isEqualTo("INTERRUPTED true");
            assertThat(jvm.nextLineStartingWith("AFTER ", 60)).isEqualTo("AFTER OptionalInt[0]");
        }
    }

    @Test
    void aFreshChildWhoseSessionDirectoryIsRemovedWhileItsTaskRuns_exitsWithItsTasksOutcome_notWith1(@TempDir Path tmp)
            throws Exception {
        // A fresh child reports in a file of the session directory; with the directory gone, the write threw
        // NoSuchFileException out of main: a task that had succeeded exited with 1, and a stack trace, where a
        // child with a connection (which does not need the directory) exited with 0.
        try (TestJvm jvm = TestJvm.start(DirectChildAfterRemovalMain.class, List.of("-Dmp4j.spare=false"),
                tmp.toString())) {
            assertThat(jvm.nextLineStartingWith("exit: ", 120)).as(jvm::stderr).isEqualTo("exit: 0");
            assertThat(jvm.nextLineStartingWith("failure: ", 30)).isEqualTo("failure: none");
            assertThat(jvm.process().waitFor()).as(jvm::stderr).isZero();
            jvm.awaitOutputEnd(Duration.ofSeconds(60));
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> jvm.stderr().contains("could not write the report"));
            assertThat(jvm.stderr()).as("the child says why there is no report, and throws nothing out of main")
                    .doesNotContain("Exception in thread \"main\"");
        }
        Files.createDirectories(tmp.resolve("failing"));
        try (TestJvm jvm = TestJvm.start(DirectChildAfterRemovalMain.class, List.of("-Dmp4j.spare=false"),
                tmp.resolve("failing").toString(), "fail")) {
            assertThat(jvm.nextLineStartingWith("exit: ", 120)).as(jvm::stderr).isEqualTo("exit: 1");
            assertThat(jvm.process().waitFor()).as(jvm::stderr).isZero();
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> jvm.stderr().contains("the task's own failure"));
        }
    }

    @Test
    void closeOfAFreshChildAfterTheSessionDirectoryWasRemoved_stillRunsItsShutdownHooks_ratherThanKillingIt(
            @TempDir Path tmp) throws Exception {
        // close() asks a fresh child, which has no connection, to stop with a file in the directory it was given:
        // with that directory gone, the file could not be made (or, once a later start had made a new directory,
        // was made there, where the child does not look), and the child was killed a second later (137), its
        // shutdown hooks skipped.
        for (String mode : List.of("removed", "relocate")) {
            Path dir = Files.createDirectories(tmp.resolve(mode));
            try (TestJvm jvm = TestJvm.start(CloseAfterRemovalMain.class, List.of("-Dmp4j.spare=false"),
                    dir.toString(), mode)) {
                if (mode.equals("relocate")) {
                    assertThat(jvm.nextLineStartingWith("other exit: ", 120)).as(jvm::stderr).isEqualTo("other exit: 0");
                }
                String exit = jvm.nextLineStartingWith("exit: ", 120);
                assertThat(jvm.nextLineStartingWith("hook ran: ", 30)).as(mode + ", " + exit).isEqualTo("hook ran: true");
                assertThat(exit).as(mode).isNotEqualTo("exit: 137");
                assertThat(jvm.process().waitFor()).as(jvm::stderr).isZero();
            }
        }
    }
}

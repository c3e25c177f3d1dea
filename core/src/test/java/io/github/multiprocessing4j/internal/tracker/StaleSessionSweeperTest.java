package io.github.multiprocessing4j.internal.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.tracker.fixtures.HoldsAliveLock;
import io.github.multiprocessing4j.testing.TestJvm;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which session directories the sweeper removes: only those whose root is gone, wherever it ran. */
class StaleSessionSweeperTest {

    @TempDir
    Path base;

    private final List<FileLock> held = new ArrayList<>();

    @AfterEach
    void releaseLocks() throws Exception {
        for (FileLock lock : held) {
            lock.channel().close();
        }
    }

    @Test
    void removesTheDirectoriesOfDeadRoots_andKeepsTheLivingOnes() throws Exception {
        Path own = ownSession();
        long dead = deadPid();
        Path stale = Files.createDirectories(base.resolve("mp4j-" + dead + "-cafebabe"));
        Files.writeString(stale.resolve(StaleSessionSweeper.ALIVE), "");
        Files.writeString(stale.resolve("123.sock"), "left behind");
        Path unrelated = Files.createDirectories(base.resolve("mp4j-notapid"));

        StaleSessionSweeper.sweep(own, "mp4j-");

        assertThat(stale).doesNotExist();
        assertThat(own).exists();
        assertThat(unrelated).exists();
    }

    @Test
    void aRootWhosePidIsNotVisibleHere_isKeptWhileItHoldsItsLock() throws Exception {
        // As a root in another PID namespace that shares /tmp: the pid in the name is nobody here.
        Path own = ownSession();
        Path elsewhere = Files.createDirectories(base.resolve("mp4j-" + deadPid() + "-0ddba11"));
        try (TestJvm root = TestJvm.start(HoldsAliveLock.class, List.of(), elsewhere.toString())) {
            assertThat(root.nextLine(30)).isEqualTo("locked");

            StaleSessionSweeper.sweep(own, "mp4j-");
            assertThat(elsewhere).as("its root is alive").exists();

            root.process().destroyForcibly().waitFor();
            StaleSessionSweeper.sweep(own, "mp4j-");
            assertThat(elsewhere).as("its root died; the kernel released the lock").doesNotExist();
        }
    }

    @Test
    void aDirectoryWithoutTheLockFile_isJudgedByItsPid_onceItIsAMinuteOld() throws Exception {
        Path own = ownSession();
        long dead = deadPid();
        Path old = Files.createDirectories(base.resolve("mp4j-" + dead + "-01d01d01"));
        Files.setLastModifiedTime(old, FileTime.fromMillis(System.currentTimeMillis() - 120_000));
        Path young = Files.createDirectories(base.resolve("mp4j-" + dead + "-ba5eba11"));
        Path oldButLive = Files.createDirectories(base.resolve("mp4j-" + ProcessHandle.current().pid() + "-a11ve"));
        Files.setLastModifiedTime(oldButLive, FileTime.fromMillis(System.currentTimeMillis() - 120_000));

        StaleSessionSweeper.sweep(own, "mp4j-");

        assertThat(old).doesNotExist();
        assertThat(young).as("its root may be creating the lock file right now").exists();
        assertThat(oldButLive).exists();
    }

    @Test
    void aLinkThatLooksLikeAStaleSession_isRemovedAlone_neverWhatItPointsTo() throws Exception {
        Path own = ownSession();
        Path outside = Files.createDirectories(base.resolve("precious"));
        Files.writeString(outside.resolve(StaleSessionSweeper.ALIVE), "");
        Path file = Files.writeString(outside.resolve("data"), "keep me");
        Path inside = Files.createDirectories(base.resolve("mp4j-" + deadPid() + "-deadbeef"));
        Files.writeString(inside.resolve(StaleSessionSweeper.ALIVE), "");
        Path innerLink = Files.createSymbolicLink(inside.resolve("link"), outside);
        Path topLink = Files.createSymbolicLink(base.resolve("mp4j-" + deadPid() + "-11111111"), outside);

        StaleSessionSweeper.sweep(own, "mp4j-");

        assertThat(inside).doesNotExist();
        assertThat(innerLink).doesNotExist();
        assertThat(topLink).doesNotExist();
        assertThat(file).as("nothing behind a link is touched").hasContent("keep me");
        assertThat(outside.resolve(StaleSessionSweeper.ALIVE)).exists();
    }

    /** A session directory of this JVM's, with its lock held, as a root has. */
    private Path ownSession() throws Exception {
        Path own = Files.createDirectories(base.resolve("mp4j-" + ProcessHandle.current().pid() + "-5e1f"));
        held.add(StaleSessionSweeper.holdAlive(own));
        return own;
    }

    /** The pid of a process that has exited. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}

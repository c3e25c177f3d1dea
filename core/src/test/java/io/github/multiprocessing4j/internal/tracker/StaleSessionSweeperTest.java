package io.github.multiprocessing4j.internal.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaleSessionSweeperTest {

    @TempDir
    Path base;

    @Test
    void removesTheDirectoriesOfDeadRoots_andKeepsTheLivingOnes() throws Exception {
        long dead = deadPid();
        Path stale = Files.createDirectories(base.resolve("mp4j-" + dead + "-cafebabe"));
        Files.writeString(stale.resolve("123.sock"), "left behind");
        Path live = Files.createDirectories(base.resolve("mp4j-" + ProcessHandle.current().pid() + "-deadbeef"));
        Path unrelated = Files.createDirectories(base.resolve("mp4j-notapid"));

        StaleSessionSweeper.sweep(base, "mp4j-");

        assertThat(stale).doesNotExist();
        assertThat(live).exists();
        assertThat(unrelated).exists();
    }

    /** The pid of a process that has exited. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}

package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.process.fixtures.DaemonChildMain;
import io.github.multiprocessing4j.process.fixtures.NonDaemonChildMain;
import io.github.multiprocessing4j.process.fixtures.ParentWithChildrenMain;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.TestJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No child outlives its parent: each test plays the parent in a JVM of its own. */
class OrphanTest {

    @Test
    void parentKilledWithSigkill_leavesNoChildAliveAfterTwoSeconds() throws Exception {
        try (TestJvm parent = TestJvm.start(ParentWithChildrenMain.class, List.of())) {
            long[] pids = Arrays.stream(parent.nextLineStartingWith("PIDS ", 60).substring(5).split(" "))
                    .mapToLong(Long::parseLong).toArray();
            assertThat(pids).hasSize(3).doesNotContain(-1L);
            for (long pid : pids) {
                assertThat(ProcessHandle.of(pid)).as("child %d alive before the kill", pid).isPresent();
            }
            parent.process().destroyForcibly();
            parent.process().waitFor(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + Delays.seconds(2).toNanos();
            String[] roles = {"non-daemon child", "daemon child", "warm spare"};
            for (int i = 0; i < pids.length; i++) {
                long pid = pids[i];
                while (ProcessHandle.of(pid).isPresent() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(ProcessHandle.of(pid)).as("%s %d two seconds after its parent was killed", roles[i], pid).isEmpty();
            }
        }
    }

    @Test
    void daemonChild_doesNotKeepItsParentAlive_andEndsWithIt() throws Exception {
        try (TestJvm parent = TestJvm.start(DaemonChildMain.class, List.of())) {
            long pid = Long.parseLong(parent.nextLineStartingWith("DAEMON ", 60).substring(7));
            assertThat(parent.process().waitFor(Delays.seconds(5).toMillis(), TimeUnit.MILLISECONDS))
                    .as("parent exits although its daemon child runs").isTrue();
            long deadline = System.nanoTime() + Delays.seconds(2).toNanos();
            while (ProcessHandle.of(pid).isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(ProcessHandle.of(pid)).isEmpty();
        }
    }

    @Test
    void nonDaemonChild_keepsItsParentAliveUntilItHasFinished(@TempDir Path tmp) throws Exception {
        // the child runs until the gate exists, so it outlasts the wait below however slow the machine
        Path gate = tmp.resolve("gate");
        try (TestJvm parent = TestJvm.start(NonDaemonChildMain.class, List.of(), gate.toString())) {
            parent.nextLineStartingWith("STARTED ", 60);
            assertThat(parent.process().waitFor(Delays.millis(700).toMillis(), TimeUnit.MILLISECONDS))
                    .as("parent still waits for its child").isFalse();
            Files.createFile(gate);
            assertThat(parent.nextLineStartingWith("CHILD DONE", 30)).isEqualTo("CHILD DONE");
            assertThat(parent.process().waitFor(Delays.seconds(10).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(parent.process().exitValue()).isZero();
        }
    }
}

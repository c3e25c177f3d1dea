package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.process.fixtures.DaemonChildMain;
import io.github.multiprocessing4j.process.fixtures.DaemonWithItsOwnChildMain;
import io.github.multiprocessing4j.process.fixtures.NonDaemonChildMain;
import io.github.multiprocessing4j.process.fixtures.ParentDyingBeforeTheGoMain;
import io.github.multiprocessing4j.process.fixtures.ParentWithBusyPoolWorkerMain;
import io.github.multiprocessing4j.process.fixtures.ParentWhoseChildrenStartProcessesMain;
import io.github.multiprocessing4j.process.fixtures.ParentWithChildrenMain;
import io.github.multiprocessing4j.testing.ChildProcesses;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.TestJars;
import io.github.multiprocessing4j.testing.TestJvm;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
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
                while (ChildProcesses.running(pid) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(ChildProcesses.running(pid)).as("%s %d two seconds after its parent was killed", roles[i], pid)
                        .isFalse();
            }
        }
    }

    @Test
    void parentKilledWithSigkill_endsWhatTheTasksOfItsChildrenStarted_too() throws Exception {
        // A child JVM that found its parent gone exited alone: the sleep its task had started (an ffmpeg, a
        // browser elsewhere) was re-parented to init and ran on for its 300 s.
        List<Long> sleeps = new ArrayList<>();
        try (TestJvm parent = TestJvm.start(ParentWhoseChildrenStartProcessesMain.class, List.of())) {
            for (int i = 0; i < 2; i++) {
                sleeps.add(Long.parseLong(parent.nextLineStartingWith("SLEEP ", 60).substring(6).strip()));
            }
            for (long pid : sleeps) {
                assertThat(ChildProcesses.running(pid)).as("sleep %d before the kill", pid).isTrue();
            }
            parent.process().destroyForcibly();
            parent.process().waitFor(10, TimeUnit.SECONDS);
            for (long pid : sleeps) {
                Awaitility.await().atMost(Delays.seconds(10)).pollInterval(Duration.ofMillis(50))
                        .untilAsserted(() -> assertThat(ChildProcesses.running(pid))
                                .as("the sleep %d a task started, after its parent's parent was killed", pid).isFalse());
            }
        } finally {
            sleeps.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    @Test
    void daemonChild_doesNotKeepItsParentAlive_andEndsWithIt() throws Exception {
        try (TestJvm parent = TestJvm.start(DaemonChildMain.class, List.of())) {
            long pid = Long.parseLong(parent.nextLineStartingWith("DAEMON ", 60).substring(7));
            assertThat(parent.process().waitFor(Delays.seconds(5).toMillis(), TimeUnit.MILLISECONDS))
                    .as("parent exits although its daemon child runs").isTrue();
            long deadline = System.nanoTime() + Delays.seconds(2).toNanos();
            while (ChildProcesses.running(pid) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(ChildProcesses.running(pid)).as("daemon child %d", pid).isFalse();
        }
    }

    @Test
    void daemonChild_mayStartAChildOfItsOwn_andBothEndWithTheParent(@TempDir Path tmp) throws Exception {
        // CPython refuses this ("daemonic processes are not allowed to have children"); the javadoc says we allow it
        try (TestJvm parent = TestJvm.start(DaemonWithItsOwnChildMain.class, List.of(), tmp.resolve("pid").toString())) {
            long[] pids = Arrays.stream(parent.nextLineStartingWith("PIDS ", 120).substring(5).split(" "))
                    .mapToLong(Long::parseLong).toArray();
            assertThat(pids[1]).as("the daemon child started a child of its own; stderr: %s", parent.stderr())
                    .isNotEqualTo(-1L);
            assertThat(parent.process().waitFor(Delays.seconds(5).toMillis(), TimeUnit.MILLISECONDS))
                    .as("parent exits although its daemon child and that one's child run").isTrue();
            long deadline = System.nanoTime() + Delays.seconds(10).toNanos();
            for (long pid : pids) {
                while (ChildProcesses.running(pid) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(ChildProcesses.running(pid)).as("process %d of %s", pid, Arrays.toString(pids)).isFalse();
            }
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

    @Test
    void nonDaemonChild_keepsItsParentAliveUntilItHasFinished_evenIfTheParentInterruptsEveryThreadOfItsGroup(
            @TempDir Path tmp) throws Exception {
        // The interrupt reached the thread that keeps the parent alive (it was in main's group): its wait for the
        // child ended, the parent exited at once, and the child ended with it, its work undone.
        Path gate = tmp.resolve("gate");
        try (TestJvm parent = TestJvm.start(NonDaemonChildMain.class, List.of(), gate.toString(), "interrupt-group")) {
            parent.nextLineStartingWith("STARTED ", 60);
            assertThat(parent.process().waitFor(Delays.millis(700).toMillis(), TimeUnit.MILLISECONDS))
                    .as("parent still waits for its child").isFalse();
            Files.createFile(gate);
            assertThat(parent.nextLineStartingWith("CHILD DONE", 30)).isEqualTo("CHILD DONE");
            assertThat(parent.process().waitFor(Delays.seconds(10).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(parent.process().exitValue()).isZero();
        }
    }

    @Test
    void parentKilledWhileAnAotTrainingChildAssemblesItsCache_leavesNeitherBehind(@TempDir Path tmp) throws Exception {
        // A training child (see AotCache) writes its cache as it exits: the JDK launches a JVM of its own to
        // assemble it and waits for that JVM. An orphaned trainer could not end while that went on, nor could its
        // halt: both lived until the assembly was done, seconds later on a big class path. Here the assembly never
        // ends (the assembler pauses at startup), so a trainer that waits for it stays for good.
        Path coreJar = TestJars.jar(tmp.resolve("core.jar"), TestJars.classesOf(JvmProcess.class), p -> true);
        Path fixtureJar = TestJars.jar(tmp.resolve("fixture.jar"), TestJars.classesOf(ParentWithChildrenMain.class),
                p -> p.toString().contains("fixtures/ParentWithChildrenMain"));
        Path pause = tmp.resolve("assembler.paused");
        Map<String, String> environment = Map.of("JDK_AOT_VM_OPTIONS",
                "-XX:+UnlockDiagnosticVMOptions -XX:+PauseAtStartup -XX:PauseAtStartupFile=" + pause);
        List<ProcessHandle> descendants = List.of();
        try (TestJvm parent = TestJvm.start(null, coreJar + File.pathSeparator + fixtureJar,
                ParentWithChildrenMain.class.getName(), List.of("-Dmp4j.aot.dir=" + tmp.resolve("aot")), environment)) {
            parent.nextLineStartingWith("PIDS ", 60);
            long deadline = System.nanoTime() + Delays.seconds(60).toNanos();
            while (!Files.exists(pause) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(pause).as("the assembler of the training child started; stderr: %s", parent.stderr()).exists();
            descendants = parent.process().descendants().toList();
            assertThat(descendants).as("the children, the trainer and its assembler").hasSizeGreaterThanOrEqualTo(3);
            parent.process().destroyForcibly();
            parent.process().waitFor(10, TimeUnit.SECONDS);
            long killed = System.nanoTime();
            deadline = killed + Delays.seconds(10).toNanos();
            while (descendants.stream().anyMatch(ChildProcesses::running) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(descendants).as("gone within 10 s of the parent's SIGKILL (took %d ms)",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed))
                    .noneMatch(ChildProcesses::running);
        } finally {
            descendants.forEach(ProcessHandle::destroyForcibly); // the paused assembler would stay for good
        }
    }

    @Test
    void parentKilledButNotYetReaped_stillEndsTheChildrenThatPollIt(@TempDir Path tmp) throws Exception {
        // A parent that has died stays a zombie until its own parent reaps it, and ProcessHandle counts a zombie
        // as alive: the children that poll their parent (a pool worker in a task, a child whose task has returned
        // but left a non-daemon thread) ran on for as long as the parent went unreaped. Here the parent's parent
        // is a shell that has become "sleep", which never reaps.
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "Linux");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process shell = new ProcessBuilder("sh", "-c", "\"$@\" & echo \"SHELL $!\"; exec sleep 600", "sh", java,
                "-Dmp4j.test.delayFactor=" + System.getProperty("mp4j.test.delayFactor", "1"),
                "-cp", System.getProperty("java.class.path"), ParentWithBusyPoolWorkerMain.class.getName(), tmp.toString())
                .redirectErrorStream(true).start();
        List<ProcessHandle> children = List.of();
        try {
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread.ofPlatform().daemon().start(() -> shell.inputReader().lines().forEach(lines::add));
            long parentPid = Long.parseLong(nextLineStartingWith(lines, "SHELL ", 30).substring(6));
            children = Arrays.stream(nextLineStartingWith(lines, "PIDS ", 60).substring(5).split(" "))
                    .map(pid -> ProcessHandle.of(Long.parseLong(pid)).orElseThrow()).toList();
            long deadline = System.nanoTime() + Delays.seconds(60).toNanos();
            while (!(Files.exists(tmp.resolve("worker")) && Files.exists(tmp.resolve("child"))) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(tmp.resolve("worker")).as("the worker's task runs").exists();
            assertThat(tmp.resolve("child")).as("the child's task has run").exists();
            ProcessHandle.of(parentPid).orElseThrow().destroyForcibly();
            long killed = System.nanoTime();
            deadline = killed + Delays.seconds(10).toNanos();
            while (children.stream().anyMatch(ChildProcesses::running) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(children).as("pool worker and lingering child gone within 10 s of the parent's SIGKILL (took %d ms)",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed)).noneMatch(ChildProcesses::running);
        } finally {
            children.forEach(ProcessHandle::destroyForcibly);
            shell.destroyForcibly(); // "sleep": the zombie parent is then reaped by init
        }
    }

    private static String nextLineStartingWith(BlockingQueue<String> lines, String prefix, double seconds) throws InterruptedException {
        long deadline = System.nanoTime() + Delays.seconds(seconds).toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no line starting with '" + prefix + "' within " + seconds + " s");
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    @Test
    void aFreshChildWhoseParentDiesBeforeItsGo_exits_withoutRunningItsTask(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        // The child took the end of its stdin for its go, and ran its task for up to 200 ms after its parent's death
        Path marker = tmp.resolve("ran");
        try (TestJvm parent = TestJvm.start(ParentDyingBeforeTheGoMain.class, List.of(), marker.toString())) {
            ProcessHandle child = org.awaitility.Awaitility.await().atMost(Delays.seconds(60))
                    .until(() -> parent.process().toHandle().children().findFirst(), java.util.Optional::isPresent)
                    .orElseThrow();
            Thread.sleep(Delays.seconds(3).toMillis()); // time enough to boot and signal its start
            assertThat(marker).as("the task waits for its go").doesNotExist();
            parent.process().destroyForcibly();
            assertThat(child.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS).isAlive()).isFalse();
        }
        Thread.sleep(Delays.millis(500).toMillis());
        assertThat(marker).as("the task of a child whose parent died before its go").doesNotExist();
    }
}

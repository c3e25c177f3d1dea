package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.launch.SpareJvms;
import io.github.multiprocessing4j.process.fixtures.RehearsedTasks;
import io.github.multiprocessing4j.testing.Delays;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A spare decodes the latest start's task ahead, never running it (see SpareJvms). */
class SpareRehearsalTest {
    private final Path log = RehearsedTasks.log(ProcessHandle.current().pid());

    private final Path gate = RehearsedTasks.gate(ProcessHandle.current().pid());

    @BeforeEach
    @AfterEach
    void noLog() throws IOException {
        Files.deleteIfExists(log);
        Files.deleteIfExists(gate);
    }

    @Test
    void theNextSpare_initializesTheLatestTasksClassesAhead_butRunsTheTaskOnlyWhenAStartTakesIt() throws Exception {
        joinAll(startUntilTheSpareRehearses(() -> JvmProcess.builder().task(RehearsedTasks.logged())));
        long spare = awaitSpare();

        Awaitility.await().atMost(Delays.seconds(30)).until(() -> lines().contains("init " + spare));
        assertThat(lines()).as("rehearsed, not run").doesNotContain("ran " + spare);

        try (JvmProcess second = JvmProcess.builder().name("second").task(RehearsedTasks.logged()).start()) {
            assertThat(second.pid()).as("the spare runs the task").isEqualTo(spare);
            second.join();
            assertThat(second.exitCode()).hasValue(0);
        }
        assertThat(lines()).containsOnlyOnce("init " + spare).containsOnlyOnce("ran " + spare);
    }

    @Test
    void aTaskWhoseClassFailsToInitialize_failsInTheSpareThatRehearsedIt_withThatFailure() throws Exception {
        for (JvmProcess first : startUntilTheSpareRehearses(() -> JvmProcess.builder()
                .task(RehearsedTasks.failingToInitialize()))) {
            try (first) {
                first.join();
                assertThat(first.exitCode()).hasValue(1);
                assertThat(first.failure()).hasValueSatisfying(failure -> assertThat(failure)
                        .hasMessageContaining("FailsToInitialize cannot be initialized in a child"));
            }
        }
        long spare = awaitSpare();
        try (JvmProcess second = JvmProcess.builder().name("second").task(RehearsedTasks.failingToInitialize()).start()) {
            assertThat(second.pid()).isEqualTo(spare);
            second.join();
            assertThat(second.exitCode()).hasValue(1);
            assertThat(second.failure()).hasValueSatisfying(failure -> assertThat(failure)
                    .hasMessageContaining("FailsToInitialize cannot be initialized in a child"));
        }
    }

    @Test
    void aTaskObjectWhoseClassFailsToInitialize_failsInTheSpareThatRehearsedIt_withThatFailure() throws Exception {
        joinAll(startUntilTheSpareRehearses(() -> JvmProcess.builder()
                .task(RehearsedTasks.objectFailingToInitialize())));
        long spare = awaitSpare();
        try (JvmProcess second = JvmProcess.builder().name("second")
                .task(RehearsedTasks.objectFailingToInitialize()).start()) {
            assertThat(second.pid()).isEqualTo(spare);
            second.join();
            assertThat(second.exitCode()).hasValue(1);
            assertThat(second.failure()).hasValueSatisfying(failure -> assertThat(failure)
                    .hasMessageContaining("Could not initialize class")
                    .hasMessageContaining("ObjectFailsToInitialize cannot be initialized in a child"));
        }
    }

    @Test
    void aRehearsalWhoseClassThrowsAnError_printsNothing_inTheOutputOfTheStartThatTakesTheSpare() throws Exception {
        joinAll(startUntilTheSpareRehearses(() -> JvmProcess.builder().task(RehearsedTasks.assertingInInitializer())));
        long spare = awaitSpare();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try (JvmProcess second = JvmProcess.builder().name("second")
                .task(RehearsedTasks.assertingInInitializer()).start()) {
            assertThat(second.pid()).isEqualTo(spare);
            second.join();
            assertThat(second.exitCode()).hasValue(1);
            assertThat(second.failure()).hasValueSatisfying(failure -> assertThat(failure)
                    .hasMessageContaining("AssertsInInitializer asserts in a child"));
        } finally {
            System.setErr(original);
        }
        assertThat(stderr.toString(StandardCharsets.UTF_8)).as("the task's failure, once")
                .contains("Exception in process \"second\"").doesNotContain("Exception in thread");
    }

    @Test
    void withRehearsalsTurnedOff_theSpareInitializesTheTasksClassesOnlyWhenAStartTakesIt() throws Exception {
        System.setProperty("mp4j.spare.rehearse", "false"); // before any start: children get mp4j.* settings too
        try {
            // twice: the spare may boot after either start, and would rehearse its task
            startAndJoin(JvmProcess.builder().name("settle").task(RehearsedTasks.logged()));
            startAndJoin(JvmProcess.builder().name("first").task(RehearsedTasks.logged()));
            long spare = awaitSpare(); // a spare says hello once a rehearsal would be over

            assertThat(lines()).doesNotContain("init " + spare);
            try (JvmProcess second = JvmProcess.builder().name("second").task(RehearsedTasks.logged()).start()) {
                assertThat(second.pid()).isEqualTo(spare);
                second.join();
                assertThat(second.exitCode()).hasValue(0);
            }
            assertThat(lines()).containsSubsequence("init " + spare, "ran " + spare);
        } finally {
            System.clearProperty("mp4j.spare.rehearse");
        }
    }

    @Test
    void aStartThatComesWhileTheSpareStillRehearses_doesNotDeadlockWithTheRehearsal() throws Exception {
        Files.createFile(gate); // these children initialize the class of first() at once
        List<String> started = new ArrayList<>();
        for (JvmProcess child : startUntilTheSpareRehearses(() -> JvmProcess.builder().task(RehearsedTasks.first()))) {
            try (child) {
                started.add("first-init " + child.pid());
                child.join();
            }
        }
        Files.delete(gate); // the spare's rehearsal of first() stops at the gate, inside the class's initializer
        long spare = Awaitility.await().atMost(Delays.seconds(30)).until(() -> lines().stream()
                .filter(line -> line.startsWith("first-init ") && !started.contains(line))
                .map(line -> Long.parseLong(line.substring("first-init ".length()))).findFirst(), o -> o.isPresent())
                .orElseThrow();
        // the spare is ready, or has gone: either way the next start takes it, or starts a child of its own
        Awaitility.await().atMost(Delays.seconds(60)).until(() -> SpareJvms.get().sparePid() == spare
                || ProcessHandle.of(spare).map(p -> !p.isAlive()).orElse(true));

        try (JvmProcess second = JvmProcess.builder().name("second").task(RehearsedTasks.second()).start()) {
            // its class needs the class of first(): in a spare, the rehearsal is initializing that one
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> lines().contains("second-init " + second.pid()));
            Files.createFile(gate);
            assertThat(second.join(Delays.seconds(60))).as("the start is not deadlocked with the rehearsal").isTrue();
            assertThat(second.exitCode()).hasValue(0);
        }
        assertThat(lines()).anyMatch(line -> line.startsWith("ran-second "));
    }

    @Test
    void aSpareThatRehearsedATaskWhoseClassStartsAThread_exitsWhenItIsClosedUnused() throws Exception {
        // their thread keeps them running: a spare boots 250 ms after each hand-over
        List<JvmProcess> children = startUntilTheSpareRehearses(() -> JvmProcess.builder()
                .task(RehearsedTasks.lingering()));
        try {
            List<String> started = children.stream().map(child -> "linger-init " + child.pid()).toList();
            long spare = Awaitility.await().atMost(Delays.seconds(30)).until(() -> lines().stream()
                    .filter(line -> line.startsWith("linger-init ") && !started.contains(line))
                    .map(line -> Long.parseLong(line.substring("linger-init ".length()))).findFirst(), o -> o.isPresent())
                    .orElseThrow();
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> SpareJvms.get().sparePid() == spare);

            SpareJvms.get().closeSpare(); // as a pool does, or a start with another spec
            Awaitility.await("the closed spare exits").atMost(Delays.seconds(30))
                    .until(() -> ProcessHandle.of(spare).map(p -> !p.isAlive()).orElse(true));
        } finally {
            Files.createFile(gate); // ends the thread in the children (and in the spare, if it still ran)
            children.forEach(JvmProcess::close);
        }
    }

    @Test
    void aSpareThatRehearsedOneKindOfTask_isNotHandedAnother_whichGetsAFreshChild_andThenAPlainSpare() throws Exception {
        joinAll(startUntilTheSpareRehearses(() -> JvmProcess.builder().task(RehearsedTasks.logged())));
        long spare = awaitSpare();
        Awaitility.await().atMost(Delays.seconds(30)).until(() -> lines().contains("init " + spare));

        // Another lambda: what the rehearsed class's initializer did (here a line; a thread, a hook) stays out of it
        try (JvmProcess other = JvmProcess.builder().name("other").task(() -> { }).start()) {
            assertThat(other.pid()).isNotEqualTo(spare);
            assertThat(other.join(Delays.seconds(60))).isTrue();
            assertThat(other.exitCode()).hasValue(0);
        }
        Awaitility.await("the spare that rehearsed the other kind is closed").atMost(Delays.seconds(30))
                .until(() -> ProcessHandle.of(spare).map(p -> !p.isAlive()).orElse(true));

        // The kinds changed, so the next spare rehearses nothing, and a task of either kind may take it
        long plain = Awaitility.await().atMost(Delays.seconds(30)).until(() -> SpareJvms.get().sparePid(),
                pid -> pid > 0 && pid != spare);
        try (JvmProcess logged = JvmProcess.builder().name("logged").task(RehearsedTasks.logged()).start()) {
            assertThat(logged.pid()).isEqualTo(plain);
            logged.join();
        }
        assertThat(lines()).containsSubsequence("init " + plain, "ran " + plain).containsOnlyOnce("init " + plain);
    }

    @Test
    void aSpareThatRehearsedALambdaOfAnInitializingInterface_isNotHandedAnotherLambdaOfTheSameClass() throws Exception {
        // the spare rehearses a lambda whose decode initializes its functional interface too
        joinAll(startUntilTheSpareRehearses(() -> JvmProcess.builder().task(RehearsedTasks.ofAnInitializingInterface())));
        long spare = awaitSpare();
        Awaitility.await().atMost(Delays.seconds(30)).until(() -> lines().contains("iface-init " + spare));

        // Another lambda of the same capturing class, of another interface: the interface's initializer stays out
        try (JvmProcess other = JvmProcess.builder().name("other").task(RehearsedTasks.plainOfTheSameClass()).start()) {
            assertThat(other.join(Delays.seconds(60))).isTrue();
            assertThat(other.exitCode()).hasValue(0);
            assertThat(lines()).contains("ran-plain " + other.pid())
                    .as("the interface's initializer ran in the process of a task that does not use it")
                    .doesNotContain("iface-init " + other.pid());
            assertThat(other.pid()).isNotEqualTo(spare);
        }
    }

    @Test
    void aProgramWhoseTasksAlternateBetweenTwoKinds_getsPlainSparesThatEitherTakes() throws Exception {
        // No two takes in a row of one kind: no spare rehearses, whichever take it boots after
        startAndJoin(JvmProcess.builder().name("logged").task(RehearsedTasks.logged()));
        startAndJoin(JvmProcess.builder().name("other").task(RehearsedTasks.plainOfTheSameClass()));
        for (int round = 0; round < 2; round++) {
            for (boolean logged : new boolean[] {true, false}) {
                long spare = awaitSpare();
                JvmProcess.Builder builder = JvmProcess.builder().name("round-" + round)
                        .task(logged ? RehearsedTasks.logged() : RehearsedTasks.plainOfTheSameClass());
                try (JvmProcess child = builder.start()) {
                    assertThat(child.pid()).as("the spare is used").isEqualTo(spare);
                    assertThat(child.join(Delays.seconds(60))).isTrue();
                    assertThat(child.exitCode()).hasValue(0);
                }
                Awaitility.await().atMost(Delays.seconds(30)).until(() -> SpareJvms.get().sparePid() != spare);
            }
        }
        assertThat(lines()).as("no spare rehearsed the logged task").filteredOn(line -> line.startsWith("init "))
                .allSatisfy(line -> assertThat(lines()).contains("ran " + line.substring("init ".length())));
    }

    /**
     * Starts tasks of one kind until the spare (booting or booted) is one that rehearses that kind, and returns
     * them started, for the caller to join or close. A spare rehearses after two takes in a row of one kind, so two
     * starts are the rule; but on a loaded machine the second can come while the spare that boots after the first
     * is still booting, and starts a child of its own: that spare, which rehearses nothing, stays. The next start
     * then takes it, and the spare after that one rehearses.
     */
    private static List<JvmProcess> startUntilTheSpareRehearses(Supplier<JvmProcess.Builder> kind)
            throws InterruptedException {
        // A spare an earlier test left, for another spec, would pass below for a plain spare of this kind's (its pid
        // is there at once): each start would then come before the quiet moment after which a spare for this spec
        // boots, and none would ever rehearse
        SpareJvms.get().closeSpare();
        List<JvmProcess> started = new ArrayList<>();
        started.add(kind.get().name("settle").start());
        for (int i = 0; i < 5; i++) {
            started.add(kind.get().name("first").start());
            boolean rehearses = Awaitility.await().atMost(Delays.seconds(30)).until(() -> SpareJvms.get().spareRehearses()
                    ? Boolean.TRUE : SpareJvms.get().sparePid() > 0 ? Boolean.FALSE : null, Objects::nonNull);
            if (rehearses) {
                return started;
            }
        }
        started.forEach(JvmProcess::close);
        throw new AssertionError("no spare rehearsed after " + started.size() + " starts of one kind");
    }

    private static void joinAll(List<JvmProcess> children) throws InterruptedException {
        for (JvmProcess child : children) {
            try (child) {
                child.join();
            }
        }
    }

    private static void startAndJoin(JvmProcess.Builder builder) throws InterruptedException {
        try (JvmProcess child = builder.start()) {
            child.join();
        }
    }

    private static long awaitSpare() {
        return Awaitility.await().atMost(Delays.seconds(30)).until(() -> SpareJvms.get().sparePid(), pid -> pid > 0);
    }

    private List<String> lines() throws IOException {
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }
}

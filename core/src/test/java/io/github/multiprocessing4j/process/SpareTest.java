package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.internal.launch.SpareJvms;
import io.github.multiprocessing4j.process.fixtures.StartJoinThenExitMain;
import io.github.multiprocessing4j.testing.TestJvm;
import io.github.multiprocessing4j.testing.Delays;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpareTest {

    @TempDir
    Path tmp;

    @Test
    void theNextStart_takesOverTheWarmSpare_andANewSpareBoots() throws Exception {
        settleOn(JvmProcess.builder());
        try (JvmProcess first = JvmProcess.start("first", () -> { })) {
            first.join();
        }
        long spare = awaitSpare(-1);
        try (JvmProcess second = JvmProcess.start("second", () -> { })) {
            assertThat(second.pid()).as("the spare runs the task").isEqualTo(spare);
            second.join();
            assertThat(second.exitCode()).hasValue(0);
        }
        long next = awaitSpare(spare);
        assertThat(next).isNotEqualTo(spare);
        assertThat(ProcessHandle.of(next)).isPresent();
    }

    @Test
    void aSpareThatDiedWhileIdle_isReplacedByAFreshChild() throws Exception {
        settleOn(JvmProcess.builder());
        try (JvmProcess first = JvmProcess.start("first", () -> { })) {
            first.join();
        }
        long spare = awaitSpare(-1);
        ProcessHandle.of(spare).orElseThrow().destroyForcibly();
        Awaitility.await().atMost(Delays.seconds(10)).until(() -> ProcessHandle.of(spare).isEmpty());
        try (JvmProcess next = JvmProcess.start("after-spare-died", () -> System.exit(7))) {
            next.join();
            assertThat(next.pid()).isNotEqualTo(spare);
            assertThat(next.exitCode()).hasValue(7);
        }
    }

    @Test
    void start_onAnInterruptedThread_withTheSpareReady_failsAsWithoutASpare_ratherThanLoseTheTask() throws Exception {
        settleOn(JvmProcess.builder());
        try (JvmProcess first = JvmProcess.start("first", () -> { })) {
            first.join();
        }
        long spare = awaitSpare(-1);
        Path ran = tmp.resolve("ran");
        String ranFile = ran.toString();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            Thread.currentThread().interrupt();
            try (JvmProcess child = JvmProcess.start("interrupted", () -> JvmProcessTest.write(ranFile, "yes"))) {
                Thread.interrupted();
                child.join();
                thrown.complete(null);
            } catch (Throwable e) {
                thrown.complete(e);
            } finally {
                stillInterrupted.complete(Thread.interrupted());
            }
        });

        // It used to hand over nothing (the write to the interrupted thread's channel closed it), and the
        // spare, never given its task, exited with code 0 as if it had run it.
        assertThat(thrown.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS))
                .as("start() on an interrupted thread, task ran: %s", Files.exists(ran))
                .isInstanceOf(ProcessStartException.class).hasMessageContaining("interrupted");
        assertThat(stillInterrupted.get(Delays.seconds(5).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        Awaitility.await().atMost(Delays.seconds(10)).alias("the spare it took is not left running")
                .untilAsserted(() -> assertThat(ProcessHandle.of(spare)).isEmpty());
    }

    @Test
    void startsWhoseSpecKeepsChanging_stopBootingSparesNobodyCanUse_andSparesComeBackOnceTheSpecSettles()
            throws Exception {
        SpareJvms spares = SpareJvms.get();
        runOnce(JvmProcess.builder().name("child-1").systemProperty("spare.test.child", "1"));
        runOnce(JvmProcess.builder().name("child-1-again").systemProperty("spare.test.child", "1"));
        awaitSpare(-1);
        long before = spares.sparesLaunched();
        for (int i = 2; i <= 4; i++) {
            runOnce(JvmProcess.builder().name("child-" + i).systemProperty("spare.test.child", "" + i));
        }
        // The spare is for "1": the start of "2" cannot use it and would boot one for "2" (unless "3" follows at
        // once, as it normally does: a spare boots only once no start has come for a moment); from "3" on the spec
        // has changed twice in a row. It used to boot a spare after every start, each closed unused by the next.
        Awaitility.await().atMost(Delays.seconds(30)).during(Delays.seconds(1)).alias("spares booted")
                .until(() -> spares.sparesLaunched() - before, launched -> launched <= 1);
        long afterChanges = spares.sparesLaunched();

        runOnce(JvmProcess.builder().name("settled-1").systemProperty("spare.test.child", "4"));
        Awaitility.await().atMost(Delays.seconds(30)).alias("a spare for the settled spec")
                .until(() -> spares.sparesLaunched() - afterChanges, launched -> launched == 1);
        long spare = awaitSpare(-1);
        JvmProcess.Builder settled = JvmProcess.builder().name("settled-2").systemProperty("spare.test.child", "4");
        try (JvmProcess child = settled.task(nothing()).start()) {
            assertThat(child.pid()).as("a start with the same spec as the one before has a spare again")
                    .isEqualTo(spare);
            child.join();
        }
    }

    @Test
    void whatASpareWritesAsItBoots_isWrittenOnlyOnceItIsTaken() throws Exception {
        // A JVM given JAVA_TOOL_OPTIONS says so on stderr as it boots. The spare booted after a start said it too, at
        // once: one start printed the line twice, the second time after its child had ended, and a program's last
        // spare (which nobody takes) printed it for nothing.
        String property = "-Dmp4j.test.spareBoot=" + System.nanoTime();
        String line = "Picked up JAVA_TOOL_OPTIONS: " + property;
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        settleOn(JvmProcess.builder().jvmOptions(List.of(property)).environment("JAVA_TOOL_OPTIONS", property));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            runOnce(JvmProcess.builder().jvmOptions(List.of(property)).environment("JAVA_TOOL_OPTIONS", property));
            long spare = Awaitility.await().atMost(Delays.seconds(30)).until(() -> SpareJvms.get().sparePid(),
                    pid -> pid > 0 && ProcessHandle.of(pid).flatMap(p -> p.info().arguments())
                            .map(args -> List.of(args).contains(property)).orElse(false));
            Thread.sleep(Delays.millis(500).toMillis()); // time enough to copy what it wrote at boot
            assertThat(count(err, line)).as("after one start, its spare booted: %s", err).isEqualTo(1);
            try (JvmProcess second = JvmProcess.builder().jvmOptions(List.of(property))
                    .environment("JAVA_TOOL_OPTIONS", property).task(nothing()).start()) {
                second.join();
                assertThat(second.pid()).isEqualTo(spare);
            }
            assertThat(count(err, line)).as("once the spare ran a task: %s", err).isEqualTo(2);
        } finally {
            System.setErr(original);
            SpareJvms.get().closeSpare();
        }
    }

    private static int count(ByteArrayOutputStream bytes, String line) {
        return (int) bytes.toString(StandardCharsets.UTF_8).lines().filter(line::equals).count();
    }

    /**
     * The one task of these tests: a spare that rehearsed a lambda runs only that lambda (SpareJvms), and these
     * tests' starts are to find their spare.
     */
    private static SerializableRunnable nothing() {
        return () -> { };
    }

    private static void runOnce(JvmProcess.Builder builder) throws InterruptedException {
        try (JvmProcess child = builder.task(nothing()).start()) {
            child.join();
            assertThat(child.exitCode()).hasValue(0);
        }
    }

    /**
     * Starts a child with the options of {@code builder}, so that the test's next start with them repeats the
     * spec before it and boots a spare whatever ran before in this JVM: after two changes of spec in a row (as
     * earlier test classes leave, JvmProcessTest say) a start boots no spare until a spec repeats.
     */
    private static void settleOn(JvmProcess.Builder builder) throws InterruptedException {
        runOnce(builder.name("settle"));
    }

    private static long awaitSpare(long other) {
        return Awaitility.await().atMost(Delays.seconds(30))
                .until(() -> SpareJvms.get().sparePid(), pid -> pid > 0 && pid != other);
    }

    @Test
    void aProgramThatEndsRightAfterItsOnlyChild_endsCleanly_withNoSpareBootedDuringItsShutdown() throws Exception {
        // The next spare boots a moment after a child is done; in a JVM already shutting down that failed, and the
        // program printed an IllegalStateException ("Shutdown in progress") on its stderr
        try (TestJvm jvm = TestJvm.start(StartJoinThenExitMain.class, List.of())) {
            assertThat(jvm.nextLine(60)).isEqualTo("JOINED 0");
            assertThat(jvm.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            jvm.awaitOutputEnd(Delays.seconds(30));
            assertThat(jvm.process().exitValue()).isZero();
            assertThat(jvm.stderr()).doesNotContain("Exception");
        }
    }
}

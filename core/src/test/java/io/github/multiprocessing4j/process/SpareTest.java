package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.launch.SpareJvms;
import io.github.multiprocessing4j.testing.Delays;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static long awaitSpare(long other) {
        return Awaitility.await().atMost(Delays.seconds(30))
                .until(() -> SpareJvms.get().sparePid(), pid -> pid > 0 && pid != other);
    }
}

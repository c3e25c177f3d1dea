package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.launch.LaunchSpec;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.process.ProcessStartException;
import io.github.multiprocessing4j.testing.ChildProcesses;
import io.github.multiprocessing4j.testing.Delays;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool worker whose initializer writes a READY of its own onto the connection, before the worker's real one:
 * the parent reads a malformed READY, and the start fails saying the worker broke the protocol (not with an
 * exception from inside the parent's decoding).
 */
class ForgedReadyTest {

    static void forge(byte[] payload) {
        try {
            ForgedFrames.writeToParent(ForgedFrames.frame(FrameType.READY, 0, payload));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void startWithInitializer(SerializableRunnable initializer) throws InterruptedException {
        ProcessEngine engine = ProcessEngine.start(new WorkerConfig(1, Codec.standard().encode(initializer), 0, 0, null,
                0, WorkerConfig.ADAPTIVE_PREFETCH,
                new LaunchSpec(new ArrayList<>(ForgedFrames.JVM_OPTIONS), new LinkedHashMap<>(), Map.of()), "ForgedReady"));
        engine.shutdownNow();
        engine.awaitTermination(30_000_000_000L);
    }

    @TempDir
    Path tmp;

    @Test
    void aWorkerKilledForAForgedReady_takesTheProcessesItsInitializerStartedWithIt() throws Exception {
        // The pool kills such a worker; it was SIGKILLed alone, so what its initializer had started (a server, a
        // sleep here) ran on, re-parented to init, as a worker killed for a timeout no longer leaves it.
        String file = tmp.resolve("sleep.pid").toString();
        try {
            assertThatThrownBy(() -> startWithInitializer(() -> {
                try {
                    Process sleep = new ProcessBuilder("sleep", "300").start();
                    Files.writeString(Path.of(file), String.valueOf(sleep.pid()));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                forge(new byte[0]);
            })).isInstanceOf(ProcessStartException.class).hasMessageContaining("broke the pool's protocol");
        } finally {
            if (Files.exists(Path.of(file))) {
                long sleep = Long.parseLong(Files.readString(Path.of(file)).strip());
                try {
                    Awaitility.await().atMost(Delays.seconds(10)).untilAsserted(() -> assertThat(
                            ChildProcesses.running(sleep)).as("the sleep (pid %d) its initializer started", sleep).isFalse());
                } finally {
                    ProcessHandle.of(sleep).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
        assertThat(Path.of(file)).exists();
    }

    @Test
    void anEmptyReady_failsTheStart_sayingTheWorkerBrokeTheProtocol() {
        assertThatThrownBy(() -> startWithInitializer(() -> forge(new byte[0])))
                .isInstanceOf(ProcessStartException.class)
                .hasMessageContaining("broke the pool's protocol").hasMessageContaining("READY");
    }

    @Test
    void aReadyThatReportsAFailureInGarbage_failsTheStart_sayingTheWorkerBrokeTheProtocol() {
        byte[] garbage = new ByteSink().putByte(0).putInt(-5).putByte(1).toByteArray();
        assertThatThrownBy(() -> startWithInitializer(() -> forge(garbage)))
                .isInstanceOf(ProcessStartException.class)
                .hasMessageContaining("broke the pool's protocol").hasMessageContaining("READY");
    }
}

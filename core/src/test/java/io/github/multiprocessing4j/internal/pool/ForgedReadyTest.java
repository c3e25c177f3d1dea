package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.launch.LaunchSpec;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.process.ProcessStartException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

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

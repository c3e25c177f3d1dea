package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.launch.LaunchSpec;
import io.github.multiprocessing4j.internal.wire.FrameType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * A worker joins the pool (and may be given tasks) a moment before its writer thread starts: what a reader thread
 * hands to that writer meanwhile ({@link Worker#flushInBackground()}) is written once it starts, not left in the
 * outbox while the worker idles and the task waits for ever.
 */
class WorkerWriterStartTest {
    @Test
    void aFrameHandedToTheWriterBeforeItStarted_isWrittenOnceItStarts() throws Exception {
        WorkerConfig config = new WorkerConfig(1, new byte[0], 0, 0, null, 0, WorkerConfig.ADAPTIVE_PREFETCH,
                new LaunchSpec(List.of(), new LinkedHashMap<>(), Map.of()), "WriterStart");
        WorkerBoot boot = new WorkerBoot(config, new ReentrantLock());
        Worker w = boot.bootOne(boot.ticket());
        try {
            w.post(FrameType.STOP, 0, new byte[0]);
            w.flushInBackground(); // as a reader thread that gave the new worker work does
            w.startWriter();
            assertThat(w.child.process().waitFor(60, TimeUnit.SECONDS))
                    .as("the worker read its STOP and exited").isTrue();
        } finally {
            w.dead = true;
            w.stopWriter();
            w.child.discard();
        }
    }
}

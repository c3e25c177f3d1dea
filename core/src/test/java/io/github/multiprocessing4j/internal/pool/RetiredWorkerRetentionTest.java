package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.internal.launch.LaunchSpec;
import io.github.multiprocessing4j.testing.Delays;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A worker stopped by the pool (recycled after {@code maxTasksPerChild}, or at close) is timed to be killed if it
 * has not exited a grace period after its STOP. That timer's entry held the whole worker, its connection's direct
 * buffers (96 KiB) included, until it fired, though the worker had long exited: a pool recycling its workers fast
 * held every one stopped within the grace period. The entry is now cancelled once the worker has exited.
 */
class RetiredWorkerRetentionTest {

    @Test
    void aRecycledWorker_onceExited_isNotHeldByTheTimerOfItsKill() throws Exception {
        Duration grace = ProcessEngine.stopGrace;
        // A grace that does not end during the test: what the timer holds, it holds for all of it
        ProcessEngine.stopGrace = Duration.ofHours(1);
        ProcessEngine engine = null;
        try {
            engine = ProcessEngine.start(new WorkerConfig(1, new byte[0], 1, 0, null, 0,
                    WorkerConfig.ADAPTIVE_PREFETCH, new LaunchSpec(List.of(), new LinkedHashMap<>(), Map.of()),
                    "Retention"));
            List<WeakReference<Worker>> retired = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                retired.add(recycle(engine, i));
            }
            await().atMost(Delays.seconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                System.gc();
                assertThat(retired).as("the workers recycled, exited").allMatch(r -> r.get() == null);
            });
        } finally {
            ProcessEngine.stopGrace = grace;
            if (engine != null) {
                engine.shutdownNow();
                engine.awaitTermination(TimeUnit.SECONDS.toNanos(30));
            }
        }
    }

    /** Runs the one task of the pool's worker, which is then stopped, and waits for its replacement. */
    private static WeakReference<Worker> recycle(ProcessEngine engine, int i) throws Exception {
        Worker w = onlyWorker(engine);
        assertThat(w).as("the pool's worker").isNotNull();
        SerializableFunction<Integer, Integer> twice = x -> 2 * x;
        assertThat(engine.call(engine.define(twice, true), CallMode.APPLY, i)
                .get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(2 * i);
        await().atMost(Delays.seconds(60)).alias("the worker was replaced, and has exited").until(() -> {
            Worker now = onlyWorker(engine);
            return now != null && now != w && w.dead;
        });
        return new WeakReference<>(w);
    }

    /** The pool's one worker that takes work, or null while there is none (a replacement boots). */
    private static Worker onlyWorker(ProcessEngine engine) {
        engine.lock.lock();
        try {
            return engine.workers.stream().filter(w -> !w.retiring && !w.stopSent && !w.dead).findFirst()
                    .orElse(null);
        } finally {
            engine.lock.unlock();
        }
    }
}

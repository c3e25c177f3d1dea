package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.Gen;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many tiny tasks whose replies come around the moment each side stops polling and parks
 * ({@code mp4j.pool.spinMicros}): no wake-up may be lost, on the pool's reader threads (asynchronous
 * calls) or on a caller that reads its own outcome ({@code apply}). Seeded; the timeouts only turn a hang
 * into a failure. (The workers get the setting here; the parent's side reads it once per JVM: run this class
 * with {@code -DargLine=-Dmp4j.pool.spinMicros=0} to cover a blocking parent too.)
 */
class PollingWakeUpTest {

    /** Busy for {@code micros} µs, then returns {@code x + 1}. */
    static int busyThenIncrement(int[] xAndMicros) {
        long end = System.nanoTime() + xAndMicros[1] * 1000L;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        return xAndMicros[0] + 1;
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "50"})
    void tinyTasks_atEveryPollingSetting_allComeBack(String spinMicros) throws Exception {
        Gen g = new Gen(0x5eed_0000L + Long.parseLong(spinMicros));
        SerializableFunction<int[], Integer> task = PollingWakeUpTest::busyThenIncrement;
        try (ProcessPool pool = ProcessPool.builder().processes(2)
                .jvmOptions(List.of("-Dmp4j.pool.spinMicros=" + spinMicros)).build()) {
            for (int round = 0; round < 40; round++) {
                int n = g.intBetween(1, 200);
                List<CompletableFuture<Integer>> futures = new ArrayList<>(n);
                List<Integer> expected = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int x = g.intValue();
                    // around the polling window: none, a few µs, just under or over 50 µs, a little more
                    int micros = g.pickInt(0, 0, 1, 5, 20, 45, 55, 80, 200);
                    expected.add(x + 1);
                    if (g.oneIn(4)) {
                        assertThat(pool.apply(task, new int[] {x, micros})).isEqualTo(x + 1);
                        futures.add(CompletableFuture.completedFuture(x + 1));
                    } else {
                        futures.add(pool.applyAsync(task, new int[] {x, micros}));
                    }
                }
                for (int i = 0; i < n; i++) {
                    assertThat(futures.get(i).get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS))
                            .as("round %d, task %d", round, i).isEqualTo(expected.get(i));
                }
            }
        }
    }
}

package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.Gen;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tens of megabytes each way, interleaved with tiny tasks on the same workers: every frame arrives whole,
 * to the right task, whether the pool's reader or a caller that borrowed the worker reads it.
 */
class LargeFramesTest {

    /** The bytes reversed, so that a result cannot be the argument echoed by mistake. */
    static byte[] reversed(byte[] in) {
        byte[] out = new byte[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = in[in.length - 1 - i];
        }
        return out;
    }

    @Test
    void largeArgumentsAndResults_amongTinyTasks_arriveWholeAndToTheirTask() throws Exception {
        Gen g = new Gen(0x1a59eL);
        SerializableFunction<byte[], byte[]> reverse = LargeFramesTest::reversed;
        SerializableFunction<Integer, Integer> next = x -> x + 1;
        try (ProcessPool pool = ProcessPool.builder().processes(2).jvmOptions(List.of("-Xmx512m")).build()) {
            for (int round = 0; round < 3; round++) {
                List<byte[]> big = new ArrayList<>();
                List<CompletableFuture<byte[]>> bigResults = new ArrayList<>();
                List<CompletableFuture<Integer>> small = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    byte[] arg = new byte[g.intBetween(20 << 20, 40 << 20)];
                    new java.util.SplittableRandom(g.longValue()).nextBytes(arg);
                    big.add(arg);
                    bigResults.add(pool.applyAsync(reverse, arg));
                    for (int k = 0; k < 20; k++) {
                        small.add(pool.applyAsync(next, 1000 * i + k));
                    }
                }
                byte[] mine = new byte[g.intBetween(20 << 20, 30 << 20)];
                Arrays.fill(mine, (byte) round);
                mine[0] = 42;
                assertThat(Arrays.equals(pool.apply(reverse, mine), reversed(mine))).isTrue();
                for (int i = 0; i < big.size(); i++) {
                    byte[] got = bigResults.get(i).get(Delays.seconds(120).toMillis(), TimeUnit.MILLISECONDS);
                    assertThat(Arrays.equals(got, reversed(big.get(i)))).as("round %d, big task %d", round, i).isTrue();
                }
                for (int i = 0; i < small.size(); i++) {
                    assertThat(small.get(i).get(Delays.seconds(120).toMillis(), TimeUnit.MILLISECONDS))
                            .isEqualTo(1000 * (i / 20) + i % 20 + 1);
                }
            }
        }
    }
}

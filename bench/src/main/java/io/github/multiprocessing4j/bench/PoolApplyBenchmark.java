package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.pool.ThreadPool;
import io.github.multiprocessing4j.pool.VirtualThreadPool;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The round trip of {@code Pool.apply} with an identity function on each engine (two workers; the
 * virtual-thread pool has no limit, but {@code apply} keeps one task in flight), beside the JDK's
 * {@code Executors.newFixedThreadPool(2)} as the baseline for a hand-off to another thread. The
 * process engine's figure is a Unix-socket round trip to another JVM plus the pool's own work.
 *
 * <pre>
 * ./mvnw -q package -DskipTests -pl bench -am
 * # with the JDK 25 that ./mvnw uses: an older default java cannot load the classes
 * bash -c 'source scripts/find-jdk.sh &amp;&amp; exec "$JAVA_HOME/bin/java" -jar bench/target/benchmarks.jar PoolApplyBenchmark'
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PoolApplyBenchmark {

    @Param({"process", "thread", "virtual", "jdk-fixed-thread-pool"})
    public String engine;

    private Pool pool;
    private ExecutorService baseline;
    private final SerializableFunction<Integer, Integer> identity = x -> x;
    private int i;

    @Setup(Level.Trial)
    public void setUp() {
        switch (engine) {
            case "process" -> pool = ProcessPool.create(2);
            case "thread" -> pool = ThreadPool.create(2);
            case "virtual" -> pool = VirtualThreadPool.create();
            default -> baseline = Executors.newFixedThreadPool(2);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool != null) {
            pool.close();
        }
        if (baseline != null) {
            baseline.close();
        }
    }

    @Benchmark
    public Integer apply() throws InterruptedException, ExecutionException {
        Integer arg = i++;
        if (pool != null) {
            return pool.apply(identity, arg);
        }
        return baseline.submit(() -> identity.apply(arg)).get();
    }
}

package io.github.multiprocessing4j.cli.bench;

import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.pool.ThreadPool;
import io.github.multiprocessing4j.pool.VirtualThreadPool;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * {@code mp4j bench pool}: the three pool workloads of the issue on each engine, beside CPython.
 *
 * <ul>
 *   <li>{@code apply} round trip of an identity function, two workers: microseconds per call;</li>
 *   <li>{@code applyAsync} of 100,000 empty tasks, then wait for all: tasks per second;</li>
 *   <li>{@code map} of an identity function over 1,000,000 small ints, default chunking: items per second.</li>
 * </ul>
 * CPython runs the same on {@code multiprocessing.Pool(2)} ({@code ProcessPoolExecutor(2)} as a note),
 * {@code ThreadPoolExecutor(2)} and {@code multiprocessing.pool.ThreadPool(2)}. Medians of several trials.
 */
public final class PoolBench implements Bench {
    private static final int DEFAULT_TRIALS = 5;
    private static final int N_APPLY = 5_000;
    private static final int N_ASYNC = 100_000;
    private static final int N_MAP = 1_000_000;

    @Override
    public String name() {
        return "pool";
    }

    @Override
    public String summary() {
        return "apply, applyAsync and map on ProcessPool, ThreadPool and VirtualThreadPool vs CPython";
    }

    /** The measured figures of one engine. */
    private record Figures(double applyMicros, double applyMedianMicros, double asyncPerSecond, double mapPerSecond) {
    }

    @Override
    public Report run(int trials, PrintStream log) throws Exception {
        int n = trials > 0 ? trials : DEFAULT_TRIALS;
        List<Integer> data = IntStream.range(0, N_MAP).boxed().toList();
        log.println("pool: ProcessPool(2)...");
        Figures process = measure(() -> ProcessPool.create(2), data, n);
        log.println("pool: ThreadPool(2)...");
        Figures threads = measure(() -> ThreadPool.create(2), data, n);
        log.println("pool: VirtualThreadPool...");
        Figures virtual = measure(VirtualThreadPool::create, data, n);
        log.println("pool: the bare Unix-socket round trip between two JVMs (the floor)...");
        double[] socket = SocketEcho.roundTrips(N_APPLY, false);
        double[] polled = SocketEcho.roundTrips(N_APPLY, true);
        Map<String, Double> py = Map.of();
        if (PythonBaseline.available()) {
            log.println("pool: CPython's side...");
            py = PythonBaseline.run("pool.py", 1800, String.valueOf(n));
        }
        double pyApply = py.getOrDefault("process_apply_us", Double.NaN);
        double pyAsync = py.getOrDefault("process_async_per_s", Double.NaN);
        double pyMap = py.getOrDefault("process_map_per_s", Double.NaN);
        double pyThreadApply = py.getOrDefault("thread_apply_us", Double.NaN);
        double pyThreadAsync = py.getOrDefault("thread_async_per_s", Double.NaN);
        double pyThreadMap = py.getOrDefault("thread_map_per_s", Double.NaN);
        Report report = new Report(name(), "Pools: apply, applyAsync, map (`mp4j bench pool`)")
                .add(Row.time("ProcessPool(2).apply round trip, mean (vs Pool(2).apply)", "us", process.applyMicros(),
                        pyApply, "<= 25 us", process.applyMicros() <= 25))
                .add(Row.time("  the same, median of single calls", "us", process.applyMedianMicros(),
                        py.getOrDefault("process_apply_median_us", Double.NaN), "", null))
                .add(Row.time("  bare Unix-socket round trip between two JVMs, blocking reads, mean", "us", mean(socket),
                        Double.NaN, "", null))
                .add(Row.time("  the same, median", "us", Stats.of(socket).median(), Double.NaN, "", null))
                .add(Row.time("  bare Unix-socket round trip, both ends polling, mean (the floor)", "us", mean(polled),
                        Double.NaN, "", null))
                .add(Row.time("  the same, median", "us", Stats.of(polled).median(), Double.NaN, "", null))
                .add(Row.rate("ProcessPool(2).applyAsync x100k (vs Pool.apply_async)", "tasks/s", process.asyncPerSecond(),
                        pyAsync, ">= 200k tasks/s", process.asyncPerSecond() >= 200_000))
                .add(Row.rate("  CPython ProcessPoolExecutor(2).submit", "tasks/s", Double.NaN,
                        py.getOrDefault("ppe_async_per_s", Double.NaN), "", null))
                .add(Row.rate("ProcessPool(2).map 1M ints (vs Pool(2).map)", "items/s", process.mapPerSecond(), pyMap,
                        ">= 3x CPython", Double.isNaN(pyMap) ? null : process.mapPerSecond() >= 3 * pyMap))
                .add(Row.time("ThreadPool(2).apply round trip, mean (vs ThreadPoolExecutor)", "us", threads.applyMicros(),
                        pyThreadApply, "", null))
                .add(Row.time("  the same, median of single calls", "us", threads.applyMedianMicros(),
                        py.getOrDefault("thread_apply_median_us", Double.NaN), "", null))
                .add(Row.rate("ThreadPool(2).applyAsync x100k (vs ThreadPoolExecutor)", "tasks/s", threads.asyncPerSecond(),
                        pyThreadAsync, "", null))
                .add(Row.rate("ThreadPool(2).map 1M ints (vs pool.ThreadPool(2).map)", "items/s", threads.mapPerSecond(),
                        pyThreadMap, "", null))
                .add(Row.time("VirtualThreadPool.apply round trip, mean (vs ThreadPoolExecutor)", "us",
                        virtual.applyMicros(), pyThreadApply, "", null))
                .add(Row.rate("VirtualThreadPool.applyAsync x100k (vs ThreadPoolExecutor)", "tasks/s",
                        virtual.asyncPerSecond(), pyThreadAsync, "", null))
                .add(Row.rate("VirtualThreadPool.map 1M ints (vs pool.ThreadPool(2).map)", "items/s", virtual.mapPerSecond(),
                        pyThreadMap, "", null));
        report.note("Medians of " + n + " trials; apply: " + N_APPLY + " calls per trial after a warm-up; the functions"
                + " are identity / empty, so the figures are the pools' own overhead.");
        return report;
    }

    private static double mean(double[] values) {
        return java.util.Arrays.stream(values).average().orElse(Double.NaN);
    }

    private static Figures measure(Supplier<Pool> factory, List<Integer> data, int trials) throws Exception {
        SerializableFunction<Integer, Integer> identity = x -> x;
        SerializableFunction<Integer, Object> empty = x -> null;
        try (Pool pool = factory.get()) {
            double[] apply = new double[trials];
            double[] async = new double[trials];
            double[] map = new double[trials];
            // Warm up each path: the JIT in every JVM (C2 must have compiled the apply path on both sides, or
            // its compilations steal a core in the middle of a trial), and the heaps (a young JVM touches fresh
            // memory, a page fault per 4 KiB, until its first collections).
            for (int i = 0; i < 3; i++) {
                pool.map(identity, data);
            }
            for (int i = 0; i < 20_000; i++) {
                pool.apply(identity, i);
            }
            for (int t = 0; t < trials; t++) {
                long start = System.nanoTime();
                for (int i = 0; i < N_APPLY; i++) {
                    pool.apply(identity, i);
                }
                apply[t] = (System.nanoTime() - start) / 1e3 / N_APPLY;
            }
            double[] single = new double[N_APPLY];
            for (int i = 0; i < N_APPLY; i++) {
                long start = System.nanoTime();
                pool.apply(identity, i);
                single[i] = (System.nanoTime() - start) / 1e3;
            }
            for (int t = 0; t < trials; t++) {
                long start = System.nanoTime();
                List<CompletableFuture<Object>> futures = new ArrayList<>(N_ASYNC);
                for (int i = 0; i < N_ASYNC; i++) {
                    futures.add(pool.applyAsync(empty, i));
                }
                for (CompletableFuture<Object> f : futures) {
                    f.join();
                }
                async[t] = N_ASYNC / ((System.nanoTime() - start) / 1e9);
            }
            for (int t = 0; t < trials; t++) {
                long start = System.nanoTime();
                List<Integer> out = pool.map(identity, data);
                map[t] = out.size() / ((System.nanoTime() - start) / 1e9);
            }
            return new Figures(Stats.of(apply).median(), Stats.of(single).median(), Stats.of(async).median(),
                    Stats.of(map).median());
        }
    }
}

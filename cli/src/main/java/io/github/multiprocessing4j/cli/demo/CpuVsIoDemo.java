package io.github.multiprocessing4j.cli.demo;

import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.internal.launch.ChildLauncher;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.pool.ThreadPool;
import io.github.multiprocessing4j.pool.VirtualThreadPool;
import java.io.PrintStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.zip.Deflater;

/**
 * The seed's rule, measured: CPU-bound work to processes, I/O-bound work to threads or coroutines. A
 * CPU-bound job (compress, hash and regex-search a few megabytes: the seed's own examples) and an
 * I/O-bound job (many blocking waits) run sequentially, on platform threads, on virtual threads and on
 * child JVMs, with each speed-up. On CPython threads do not speed up CPU-bound work (the GIL); on the JVM
 * they do, and the demo says so, and says what processes still give.
 */
public final class CpuVsIoDemo implements Demo {
    private static final int CPU_TASKS = 8;
    private static final int CPU_BYTES = 2 << 20;
    private static final int IO_TASKS = 40;
    private static final long IO_MILLIS = 50;
    private static final int RUNS = 4;
    private static final Pattern WORD = Pattern.compile("\\b[a-p]{3,6}q\\b");

    @Override
    public String name() {
        return "cpu-vs-io";
    }

    @Override
    public String summary() {
        return "CPU-bound and I/O-bound jobs sequentially, on threads, virtual threads and child JVMs";
    }

    @Override
    public void run(PrintStream out) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        out.printf(Locale.ROOT,
                "%d cores. Each figure is the best of four runs: a fresh worker JVM compiles the code (JIT) in its first.%n%n", cores);

        List<Integer> cpuSeeds = IntStream.range(0, CPU_TASKS).boxed().toList();
        SerializableFunction<Integer, String> cpuTask = CpuVsIoDemo::compressHashSearch;
        out.printf(Locale.ROOT,
                "CPU-bound: %d tasks, each compresses, hashes and regex-searches %d MiB%n", CPU_TASKS, CPU_BYTES >> 20);
        double sequential = timeSequential(cpuTask, cpuSeeds);
        out.printf(Locale.ROOT, "  %-34s %7.0f ms%n", "sequential", sequential);
        double threads = report(out, "ThreadPool(" + cores + ")", () -> ThreadPool.create(cores), cpuTask, cpuSeeds, sequential);
        double virtualThreads = report(out, "VirtualThreadPool", VirtualThreadPool::create, cpuTask, cpuSeeds, sequential);
        double processes = report(out, "ProcessPool(" + cores + ")", () -> ProcessPool.create(cores), cpuTask, cpuSeeds,
                sequential);
        out.println("  CPython: threads give ~1x here (the GIL runs one thread's bytecode at a time), processes up to ~"
                + cores + "x.");
        out.printf(Locale.ROOT,
                "  JVM: threads %.1fx (virtual %.1fx) and child JVMs %.1fx in this run. Java threads run bytecode in%n"
                + "  parallel (no GIL), so they scale CPU-bound work as processes do, as far as the free cores allow.%n",
                threads, virtualThreads, processes);
        out.println();

        List<Integer> ioTasks = IntStream.range(0, IO_TASKS).boxed().toList();
        SerializableFunction<Integer, Integer> ioTask = CpuVsIoDemo::blockingWait;
        out.printf(Locale.ROOT,
                "I/O-bound: %d tasks, each blocks for %d ms (a network call, say)%n", IO_TASKS, IO_MILLIS);
        double ioSequential = timeSequential(ioTask, ioTasks);
        out.printf(Locale.ROOT, "  %-34s %7.0f ms%n", "sequential", ioSequential);
        report(out, "ThreadPool(" + IO_TASKS + ")", () -> ThreadPool.create(IO_TASKS), ioTask, ioTasks, ioSequential);
        report(out, "VirtualThreadPool", VirtualThreadPool::create, ioTask, ioTasks, ioSequential);
        report(out, "ProcessPool(" + cores + ")", () -> ProcessPool.create(cores), ioTask, ioTasks, ioSequential);
        out.println("  Waiting costs no CPU: threads (or coroutines) overlap the waits; a handful of processes cannot.");
        out.println();
        out.println("So on the JVM, threads are the default for both kinds of work. Processes still win where a task");
        out.println("must be isolated: it can be killed at a deadline (a thread can only be asked to stop), a crash or");
        out.println("an OutOfMemoryError takes down one worker instead of the program, each worker has its own heap and");
        out.println("GC, and a leaky or native library can be recycled with maxTasksPerChild.");
    }

    private static <R> double timeSequential(SerializableFunction<Integer, R> task, List<Integer> args) {
        double best = Double.MAX_VALUE;
        for (int run = 0; run < RUNS; run++) {
            long start = System.nanoTime();
            for (Integer a : args) {
                task.apply(a);
            }
            best = Math.min(best, (System.nanoTime() - start) / 1e6);
        }
        return best;
    }

    /** Runs the job on a fresh pool, prints its best time and speed-up, and returns the speed-up. */
    private static <R> double report(PrintStream out, String label, Supplier<Pool> pools,
                                   SerializableFunction<Integer, R> task, List<Integer> args, double sequential)
            throws Exception {
        long boot = System.nanoTime();
        try (Pool pool = pools.get()) {
            double bootMillis = (System.nanoTime() - boot) / 1e6;
            // The first worker JVMs of a class path of jars train the AOT cache of child JVMs: a JVM working for
            // seconds beside the runs below, which would make the first demo after a build look slow.
            ChildLauncher.get().awaitAotTraining(Duration.ofMinutes(2));
            double millis = Double.MAX_VALUE;
            for (int run = 0; run < RUNS; run++) { // the first runs JIT-compile the code in each worker JVM
                long start = System.nanoTime();
                pool.map(task, args, 1);
                millis = Math.min(millis, (System.nanoTime() - start) / 1e6);
            }
            out.printf(Locale.ROOT, "  %-34s %7.0f ms   %4.1fx%s%n", label, millis, sequential / millis,
                    bootMillis > 50 ? String.format(Locale.ROOT,
                            "   (the pool took %.0f ms to start, once)", bootMillis) : "");
            return sequential / millis;
        }
    }

    /** CPU-bound: compress, hash and search pseudo-random text. Runs wherever the pool puts it. */
    static String compressHashSearch(Integer seed) {
        byte[] text = text(seed);
        Deflater deflater = new Deflater(6);
        deflater.setInput(text);
        deflater.finish();
        byte[] buffer = new byte[64 * 1024];
        long compressed = 0;
        while (!deflater.finished()) {
            compressed += deflater.deflate(buffer);
        }
        deflater.end();
        String digest;
        try {
            digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text), 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Matcher m = WORD.matcher(new String(text, java.nio.charset.StandardCharsets.ISO_8859_1));
        int found = 0;
        while (m.find()) {
            found++;
        }
        return digest + " " + compressed + " " + found;
    }

    private static byte[] text(int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] text = new byte[CPU_BYTES];
        for (int i = 0; i < text.length; i++) {
            int r = random.nextInt(20);
            text[i] = (byte) (r < 3 ? ' ' : 'a' + r - 3);
        }
        return text;
    }

    /** I/O-bound: a blocking wait that uses no CPU. */
    static Integer blockingWait(Integer task) {
        try {
            Thread.sleep(IO_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return task;
    }
}

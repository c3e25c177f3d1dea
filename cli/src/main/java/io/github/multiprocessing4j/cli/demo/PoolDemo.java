package io.github.multiprocessing4j.cli.demo;

import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.pool.ProcessPool;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The seed's {@code Pool} example, in Java:
 *
 * <pre>{@code
 * def long_time_task(name):
 *     print('run task %s,(%s)' % (name, os.getpid()))
 *     start = time.time(); time.sleep(random.random() * 3); end = time.time()
 *     print('task %s runs %0.2f seconds' % (name, end - start))
 *
 * p = Pool(4)
 * for i in range(5):
 *     p.apply_async(long_time_task, args=(i,))
 * print('all process end')        # the seed forgets p.close(); p.join()
 * }</pre>
 *
 * Done right: the pool is closed, which waits for the queued tasks, so every task runs and reports before
 * the program says it is done. The fifth task waits for one of the four workers to be free.
 */
public final class PoolDemo implements Demo {

    @Override
    public String name() {
        return "pool";
    }

    @Override
    public String summary() {
        return "five tasks on a pool of four worker JVMs (multiprocessing.Pool)";
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if a task fails (it throws, or its worker dies): the demo then fails, and
     *                               {@code mp4j demo} exits non-zero
     */
    @Override
    public void run(PrintStream out) {
        run(out, PoolDemo::longTimeTask);
    }

    /** The demo with {@code task} as the function each of the five tasks runs. */
    static void run(PrintStream out, SerializableFunction<Integer, Integer> task) {
        out.println("Parent process " + ProcessHandle.current().pid() + ".");
        List<CompletableFuture<Integer>> tasks = new ArrayList<>();
        try (ProcessPool pool = ProcessPool.create(4)) {
            for (int i = 0; i < 5; i++) {
                tasks.add(pool.applyAsync(task, i));
            }
            out.println("Waiting for all tasks: close() takes no new work and waits for the queued tasks (the Python");
            out.println("original forgets close()/join(), so its program can end before its tasks do).");
        }
        for (int i = 0; i < tasks.size(); i++) {
            Throwable failure = tasks.get(i).handle((result, e) -> e).getNow(null);
            if (failure != null) {
                throw new IllegalStateException("task " + i + " failed: " + failure, failure);
            }
        }
        out.println("all process end");
    }

    /** Runs in a worker JVM; its output reaches the parent's stdout. */
    static Integer longTimeTask(Integer name) {
        System.out.println("run task " + name + ",(" + ProcessHandle.current().pid() + ")");
        long start = System.nanoTime();
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(3000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // One println, not printf: printf writes (and System.out flushes) each piece on its own, and on a
        // busy machine another worker's line can then land between the pieces of this one.
        System.out.println(String.format(Locale.ROOT,
                "task %d runs %.2f seconds", name, (System.nanoTime() - start) / 1e9));
        return name;
    }
}

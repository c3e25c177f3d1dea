package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.function.SerializableRunnable;
import java.time.Duration;
import java.util.List;

/**
 * A {@link Pool} of child JVMs: Python's {@code multiprocessing.Pool}, made crash- and hang-proof as
 * loky and pebble make it.
 *
 * {@snippet :
 * try (ProcessPool pool = ProcessPool.builder()
 *         .processes(4)
 *         .taskTimeout(Duration.ofSeconds(30))   // kill a worker whose task hangs
 *         .maxTasksPerChild(100)                 // recycle leaky workers
 *         .retries(1)                            // run a task again if its worker crashed
 *         .jvmOptions(List.of("-Xmx512m"))
 *         .build()) {
 *     List<String> texts = pool.map(file -> extractText(file), files);
 * }
 * }
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>A worker that dies — {@code System.exit}, {@code Runtime.halt}, an {@link OutOfMemoryError}, a
 *       SIGKILL from outside, a native crash — fails only the task it was running, with a
 *       {@link WorkerCrashedException}; a replacement boots and every other task completes. There is no
 *       "broken pool". A worker does not acknowledge a task as it starts it, so the task it was running is taken
 *       to be the first one sent to it that has no outcome: a worker that dies while idle just as a task is sent
 *       to it (before the pool has noticed its death) costs that task as if it had been running, although it may
 *       never have started ({@linkplain Builder#retries retries} run it again). The tasks queued on a dead worker
 *       behind that one never started, and run on other workers, as does a task submitted once the pool knows a
 *       worker is lost (unless the pool killed the worker for what it sent: see {@link Builder#prefetch}).</li>
 *   <li>Only if a replacement fails to start three times in a row (an initializer that has begun to fail, a
 *       machine out of memory, a worker process that cannot even be created: the {@code java} executable gone, a
 *       process limit) does the pool give up, as a {@code ProcessPoolExecutor} or loky's executor becomes a
 *       broken pool. A failed start is tried again after a pause (the second try 0.1 s after the first failed,
 *       the third 0.5 s after the second), so a refusal of a moment (a fork refused while the process table is
 *       full) passes, even for several replacements at once. A broken pool shuts down (new tasks are
 *       rejected), the workers that live finish what they run and what is queued (so does a replacement that was
 *       still booting as the pool broke, once it is ready), and if none is left to take work, nor one booting,
 *       the tasks still queued fail with an
 *       {@link IllegalStateException} that gives the reason, with the last failure
 *       (a {@link io.github.multiprocessing4j.process.ProcessStartException}, say) as its cause.</li>
 *   <li>With a {@linkplain Builder#taskTimeout task timeout}, a task still running at its deadline fails
 *       with a {@link TaskTimeoutException} and its worker is killed and replaced; {@code cancel(true)} of a
 *       running task does the same, and cancelling a queued task just removes it. Whenever the pool kills a
 *       worker (a timeout, {@code cancel(true)}, {@code shutdownNow()}, {@code terminate()}, a {@code build()}
 *       that fails), the processes its task or initializer started and that still run (a {@code Subprocess}, an {@code ffmpeg}) are killed with it, as loky
 *       kills a worker's process tree; one that left the tree first (a daemon that double-forked) is not
 *       found. CPython's {@code Pool} leaves them running.</li>
 *   <li>Functions travel once per worker for each {@code map}/{@code imap} call, arguments in chunks;
 *       {@code imap} reads its input lazily.</li>
 *   <li>{@link #close()}, {@link #terminate()} and the death of this JVM (even by SIGKILL) leave no worker
 *       alive; a worker that finds this JVM gone kills what its task started before it exits. A worker that is stopped (by {@code close()}, or to be recycled) exits once its shutdown hooks
 *       have run, even if tasks left non-daemon threads running in it. Shutdown hooks get 5 seconds: a worker
 *       still running 5 seconds after it began to exit (a hook a task registered does not return) is ended, so
 *       neither {@code close()} nor a task that calls {@code System.exit} waits for it for ever (that task fails
 *       with a {@link WorkerCrashedException} whose stderr tail says so, exit code 3).</li>
 * </ul>
 *
 * <p>As a {@link ThreadPool}'s threads, the pool does not keep this JVM alive: a program that ends without
 * {@link #close()} ends the workers with it, and the tasks still queued or running are lost, without an error
 * (as when a Python program leaves its {@code Pool} unclosed). Close it, in a try-with-resources block, to wait
 * for them.
 *
 * <p>Tasks, arguments and results are serialized with the {@linkplain io.github.multiprocessing4j.codec.Codec
 * standard codec}; a task that cannot be serialized fails at submission with an
 * {@link io.github.multiprocessing4j.codec.EncodingException} that names the offending class, and so does
 * one (or an argument) holding a class that a worker could not load: workers start with this JVM's class
 * path and module path, which a class defined by a class loader of its own (a plugin's) is not on. An
 * {@link OutOfMemoryError} ends a worker at once ({@code -XX:+ExitOnOutOfMemoryError}), as its heap can no
 * longer be trusted.
 */
public interface ProcessPool extends Pool {

    /**
     * A pool of {@code processes} worker JVMs with default options. Returns once every worker is ready.
     *
     * @throws IllegalArgumentException if {@code processes < 1}
     * @throws io.github.multiprocessing4j.process.ProcessStartException if a worker JVM cannot start, or, at
     *         once, if this library is not on this JVM's class path or module path (as under {@code mvn exec:java})
     * @throws IllegalStateException if this JVM is shutting down (a pool built in a shutdown hook; see
     *         {@link io.github.multiprocessing4j.process.JvmProcess#start JvmProcess.start}); no worker is started
     */
    static ProcessPool create(int processes) {
        return builder().processes(processes).build();
    }

    /** A builder; each setter may be called once. */
    static Builder builder() {
        return new ProcessPoolBuilder();
    }

    /** The pids of the workers alive now (they change as workers are replaced). */
    java.util.Set<Long> workerPids();

    /**
     * Options for a {@link ProcessPool}. Each setter may be called once (a second call throws
     * {@link IllegalStateException}); a count or size out of range ({@code processes(0)}, {@code prefetch(-1)})
     * throws {@link IllegalArgumentException}.
     *
     * {@snippet :
     * try (ProcessPool pool = ProcessPool.builder()
     *         .processes(2)
     *         .initializer(() -> Ocr.loadModel())   // once in each worker, before its first task
     *         .maxMemoryPerChild(1L << 30)          // replace a worker, between tasks, above 1 GiB resident
     *         .name("ocr")                          // workers ocr-1, ocr-2
     *         .build()) {
     *     List<String> texts = pool.map(scan -> Ocr.read(scan), scans);
     * }
     * }
     */
    interface Builder {
        /** How many worker JVMs; default: the number of processors. */
        Builder processes(int processes);

        /**
         * Runs once in each worker before its first task, replacements included (after a crash, a timeout or
         * recycling); if it fails, {@link #build()} throws an {@link IllegalStateException} whose cause is its
         * exception. In a replacement, a failure counts toward its three failed starts in a row (with a pause
         * before each new try) that make the pool give up (see the guarantees above). It has no time limit:
         * tasks that wait for a worker whose initializer hangs wait with it; {@code terminate()} kills such a
         * worker, and so does {@code close()} once no task is left to wait for it.
         */
        Builder initializer(SerializableRunnable initializer);

        /**
         * Replaces a worker after it has run this many tasks (Python's {@code maxtasksperchild}); default: never.
         * A chunk of {@code map}, {@code starmap} or {@code imap} counts as one task, as in Python. A task counts
         * whether it returned or threw; one sent ahead to the worker (see {@link #prefetch}) and cancelled, or taken
         * back for an idle worker, before it started does not.
         */
        Builder maxTasksPerChild(int tasks);

        /**
         * Replaces a worker, between tasks, once its resident memory exceeds this many bytes; default: never.
         * The worker measures it (its {@code VmRSS}) after each task, on Linux only: elsewhere this has no effect.
         * The task's result is delivered all the same, and the tasks already queued on the worker (see
         * {@link #prefetch}) still run there. A limit below a fresh worker's own footprint replaces it after every
         * task.
         */
        Builder maxMemoryPerChild(long bytes);

        /**
         * Kills and replaces a worker whose task runs longer than this; default: no limit.
         * The deadline counts from the start of the task; a chunk of {@code map}, {@code starmap} or
         * {@code imap} is one task, so it covers the whole chunk, not each of its items.
         */
        Builder taskTimeout(Duration timeout);

        /**
         * How many times a task whose worker died runs again on another worker; default 0. A task that failed
         * with its own exception, timed out or was cancelled does not run again. The
         * {@link WorkerCrashedException} of a task whose worker died in its last run too says how many runs it had.
         *
         * <p>One case runs a task again whatever this says: the pool kills a worker for another task (its
         * timeout, a {@code cancel(true)}) just as that task ends and the worker moves on to the next. That next
         * task is not to blame, so it runs again elsewhere instead of failing; it may have begun when the kill
         * landed. A task that must not run twice, even partly, should check for itself (an idempotency key).
         */
        Builder retries(int retries);

        /**
         * The most tasks a worker holds queued behind the one it runs, sent ahead so that it never waits for
         * the next while short tasks stream through; default: chosen from the average run time of the tasks run
         * so far (128 while they average under 200 µs, 4 under 2 ms, none above). (Celery's
         * {@code worker_prefetch_multiplier}; Python's {@code Pool} has none: its workers take each task from one
         * shared queue as they become free.)
         *
         * <p>Tasks are sent ahead when a worker's outcomes come in (waiting tasks then go, up to this depth, to that
         * worker and to idle ones), and how long a task will run is not known then: a quick task can be queued
         * behind one that turns out long (with the default, after a run of short tasks, up to 128 of them). When
         * another worker is idle and no task waits in the pool, the pool takes such tasks back, once the task ahead
         * of them has run for 20 ms and four times the average run time, and runs them on the idle workers, as an
         * idle worker of Python's {@code Pool} takes the next task: each still runs exactly once. A task its worker
         * had just started when asked for it back runs there. Until then, after {@code shutdown()} (which stops
         * idle workers), and with {@code -Dmp4j.pool.spinMicros=0} (a worker then reads nothing while a task runs),
         * a task sent ahead waits for the tasks ahead of it on its worker. A task sent ahead to a worker that the pool
         * kills without reading all it sent (it broke the pool's protocol, or sent an outcome too large for this JVM's
         * heap) may have run there, its outcome lost, and runs again on another worker. {@code 0} never sends a
         * task ahead, at the cost of a round trip between tasks: for work where a task's latency matters more than
         * throughput.
         */
        Builder prefetch(int tasks);

        /**
         * Extra options for the workers' {@code java} command, e.g. {@code -Xmx512m}; they come after the library's
         * own, so they win. One argument per element, as on a command line: an option that takes the next argument
         * as its value is followed by it ({@code List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED")}).
         * {@link #build()} throws {@link IllegalArgumentException} for an element that is no option (the launcher
         * would take it for the worker's main class: {@code "-XX:MaxRAMPercentage", "50"}), for such an option with
         * no value after it, and for options that set the class path or main class ({@code -cp}, {@code -jar},
         * {@code -m}, {@code -Djava.class.path}): workers run this JVM's class path and module path; and for options
         * with which the launcher runs no main class ({@code -version}, {@code --help}, {@code --dry-run},
         * {@code --list-modules}, {@code --source}): a worker would exit at boot; and for a setting of the library's
         * with no value of its kind ({@code -Dmp4j.pool.spinMicros=50us}); in an argument file
         * ({@code "@jvm.options"}) too. As for
         * {@code JvmProcess.Builder.jvmOptions}, which checks the same.
         */
        Builder jvmOptions(List<String> options);

        /**
         * The prefix of worker names ({@code JvmProcess.current().name()} in a worker); default "PoolWorker".
         * Replacement workers go on counting: {@code Cruncher-3} replaces one of a two-worker pool's first two. The
         * workers of all pools named "PoolWorker" (the default) are numbered together, as CPython numbers every
         * process of a program, so that two pools' workers differ ({@code PoolWorker-1}, {@code PoolWorker-2} in
         * one, {@code PoolWorker-3}... in the next); other prefixes are numbered per pool.
         *
         * @throws IllegalArgumentException if it is blank
         */
        Builder name(String prefix);

        /**
         * Starts the workers in parallel and returns once all are ready. It fails as soon as one worker fails
         * to start, without waiting for the others. An initializer that never returns keeps it waiting: there is
         * no time limit, but an interrupt ends the wait.
         *
         * @throws IllegalArgumentException if the {@linkplain #jvmOptions JVM options} cannot be a worker's; no
         *         worker is started
         * @throws IllegalStateException if the initializer failed in a worker (its exception is the cause);
         *         no worker is left running; or if this JVM is shutting down (a pool built in a shutdown hook), and
         *         then no worker is started
         * @throws io.github.multiprocessing4j.process.ProcessStartException if a worker JVM cannot start, or if
         *         this thread was interrupted while it waited (its interrupt status is then set); no worker is
         *         left running
         */
        ProcessPool build();
    }
}

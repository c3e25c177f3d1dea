package io.github.multiprocessing4j.process;

import io.github.multiprocessing4j.function.SerializableRunnable;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A task running in a child JVM of its own: Python's {@code multiprocessing.Process} for Java.
 *
 * {@snippet :
 * SerializableRunnable task = () -> System.out.println("Run child process test (" + ProcessHandle.current().pid() + ")...");
 * try (JvmProcess child = JvmProcess.start("test", task)) {
 *     child.join();
 *     System.out.println("exit code " + child.exitCode().getAsInt()); // 0
 * }
 * }
 *
 * <h2>Life of a child</h2>
 * {@link #start} encodes the task first, so a task that cannot travel fails right there with an
 * {@link io.github.multiprocessing4j.codec.EncodingException} naming the offending class. It then hands
 * the task to a child JVM and returns once the child has it: a warm spare when one is ready (it has connected
 * back over a Unix-domain socket and proved the session key, and gets the task there), else a fresh one with the
 * same {@code java}, class path and module path as this JVM plus the builder's options, which gets the task on
 * its stdin, with the session key, and connects nowhere: it signals its start on stdout (the signal is cut out
 * of the output), runs the task once {@code start()} has seen the signal (so a {@code start()} that fails, or is
 * interrupted, leaves a task that never began), and writes its report to an authenticated file in the session's
 * private directory (a
 * JVM's first Unix-domain socket costs it 28-50 ms, a third of a fresh child's life). The child runs the task on
 * its main thread. When the task returns and the child's other non-daemon threads have ended, it exits with code 0.
 * When the task throws, the child prints the stack trace on its stderr and exits with code 1 (as in
 * Python); the parent can read the exception through {@link #failure()}. A task that calls
 * {@code System.exit(n)} exits with {@code n}.
 *
 * <h2>Output</h2>
 * The child's stdout and stderr are copied to this JVM's {@code System.out} and {@code System.err}; its
 * stdin is empty. {@link #join} returns after the copied output has been written (unless a grandchild the
 * task started keeps the pipes open: then it stops waiting once the copy has stood still for half a second,
 * or after 3 s if that grandchild keeps writing).
 * The bytes pass unchanged, whatever their encoding, and whole lines at a time, so that the lines of
 * children printing at once do not mix. Each piece goes to the stream that {@code System.out} (or
 * {@code System.err}) is when it arrives: a {@link System#setOut} after the start redirects the rest of
 * the child's output too, where in Python a child keeps writing to the file descriptor it inherited. A piece that
 * the stream fails to take (a {@code System.out} set to null, or one that throws) is dropped, and a WARNING of the
 * logger {@code io.github.multiprocessing4j.internal.launch.OutputPump} says so once per child and stream: the
 * child's output is still read, so that the child never blocks on a full pipe.
 *
 * <h2>No orphans</h2>
 * A child exits as soon as its parent JVM dies, however it dies (even by SIGKILL): a spare watches its
 * connection to the parent, which the operating system closes when the parent goes, and once it has
 * reported its result it checks that the parent still lives every 200 ms; a fresh child, which has no
 * connection, checks every 200 ms from the start. A non-daemon child keeps its parent
 * JVM alive until it has finished, as in Python, but only as a non-daemon thread does: {@code System.exit}
 * in the parent does not wait for it (Python's {@code sys.exit} would), and the child then ends with its
 * parent. A {@linkplain Builder#daemon daemon} child does not keep its parent alive, and ends with it. Unlike
 * in Python, which refuses to start a child in a daemonic process, a daemon child may start children of its
 * own: they end with it, as every child ends with its parent. A child that finds its parent gone also kills the
 * processes its task started (a {@code Subprocess}, and what those started) before it exits, so they do not run
 * on re-parented to init (Python leaves them); one that left the tree first (a daemon that double-forked) is not
 * found. {@link #kill()} and {@link #close()} end the child JVM alone, as Python's {@code kill()} does.
 *
 * <p><b>Thread-safety:</b> all methods may be called from any thread.
 */
public interface JvmProcess extends AutoCloseable {

    /**
     * Starts a child JVM running {@code task} and returns once the task has been handed over.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws io.github.multiprocessing4j.codec.EncodingException if the task cannot be serialized, or holds a
     *         class that a child JVM could not load (one that a class loader of its own defined, not on this JVM's
     *         class path or module path)
     * @throws ProcessStartException if this library is not on this JVM's class path or module path (as under
     *         {@code mvn exec:java}: no child is started, and the message says what to do), if the child's process
     *         cannot be created (the message names the {@code java} executable and the operating system's error),
     *         if the child JVM exits (or stays silent past {@code mp4j.connectTimeoutSeconds}) before it starts its
     *         task (a spare, or any child under {@code mp4j.directStart=false}: before it connects back), or if the
     *         calling thread is interrupted before the task has been handed over (its interrupt status stays set, and
     *         no child is left running)
     * @throws IllegalStateException if this JVM is shutting down (a start from a shutdown hook), as an executor
     *         refuses tasks once shut down: a child would outlive the hooks that end children; nothing is started,
     *         and nothing left behind. (Hooks run in no set order: in a JVM that has started children, one that
     *         starts before the library's own hook has closed its session still gets its child.)
     */
    static JvmProcess start(String name, SerializableRunnable task) {
        return builder().name(name).task(task).start();
    }

    /** A builder for a child with options; each setter may be called once. */
    static Builder builder() {
        return new JvmProcessBuilder();
    }

    /** Who the running JVM is: its name, pid and parent pid. */
    static CurrentProcess current() {
        return JvmProcessImpl.current();
    }

    /** The name given at start. */
    String name();

    long pid();

    boolean isAlive();

    /**
     * Waits until the child has exited and its output has been copied.
     *
     * @throws InterruptedException if interrupted while waiting (the interrupt status is cleared)
     */
    void join() throws InterruptedException;

    /**
     * Waits at most {@code timeout} for the child to exit, and for what {@link #join()} waits for once it has: its
     * output copied, its report read (what {@link #failure()} tells). Every wait keeps to the timeout: a zero or
     * negative one only polls, and returns at once. What it did not wait for, a later join still does.
     *
     * @return true if the child exited and all that is in, false if the timeout elapsed first ({@link #exitCode()}
     *         may be there by then, the output still on its way); one too long to count in nanoseconds (some 292
     *         years, e.g. {@code ChronoUnit.FOREVER}'s) waits as {@link #join()} does
     * @throws InterruptedException if interrupted while waiting (the interrupt status is cleared)
     */
    boolean join(Duration timeout) throws InterruptedException;

    /**
     * The exit value, or empty while the child runs. Death by signal N reads as 128 + N (the JDK's
     * convention; Python's {@code exitcode} reads -N): 143 after {@link #terminate()}, 137 after
     * {@link #kill()}, so a child that calls {@code System.exit(143)} reads as one terminated. The operating
     * system keeps only the low 8 bits of an exit code, as for a Python child: {@code System.exit(256)} reads
     * as 0, {@code System.exit(300)} as 44 and {@code System.exit(-1)} as 255.
     */
    OptionalInt exitCode();

    /**
     * The exception the task threw, once the child has reported it: the exception itself when it can be
     * recreated in this JVM, otherwise a {@link RemoteTaskException} with its class name, message and stack
     * trace. Empty while the task runs, if it succeeded, or if the child died without reporting.
     */
    Optional<Throwable> failure();

    /**
     * Asks the child to stop (SIGTERM): its shutdown hooks run (Python's {@code terminate()} runs no exit handlers),
     * so one that never returns keeps the child alive: {@link #kill()} or {@link #close()} end it. Does nothing if
     * it has exited.
     */
    void terminate();

    /**
     * Kills the child (SIGKILL). Does nothing if it has exited. Only the child JVM is killed: the processes its task
     * started (a {@code Subprocess}) run on, as after Python's {@code kill()}; a {@code ProcessPool}, which kills a
     * worker to stop its task, kills them with it.
     */
    void kill();

    /**
     * Releases the child's pipes and connection. If the child still runs its task, it is told to exit (its
     * connection to this JVM closes; a fresh child, which has none, finds a stop file within 200 ms): it runs its
     * shutdown hooks and exits with code 3, as it would on its parent's death. (A fresh child whose session directory
     * was removed meanwhile, by a cleaner of temporary files, cannot be given that file: it is sent SIGTERM, runs its
     * hooks all the same, and exits with 143.) A child that has not exited within a second (a hook hangs, or its task has returned
     * but other non-daemon threads of it still run) is killed (137). So close() returns within about a
     * second and leaves no child JVM behind. (Python's {@code close()} refuses a running process instead.) {@link #join}, {@link #exitCode()} and {@link #failure()} still answer after close().
     * Idempotent: a second call returns at once, even while the first still waits for the child. Called on an
     * interrupted thread, or interrupted while it waits, it kills the child at once (137), as
     * {@code ExecutorService.close()} stops its tasks when interrupted, still returns only once the child is gone
     * (a second after the kill at the most), and leaves the interrupt status set.
     */
    @Override
    void close();

    /**
     * Options for a child JVM. Each setter may be called once; {@link #task} is required.
     *
     * {@snippet :
     * try (JvmProcess child = JvmProcess.builder()
     *         .name("resize")
     *         .task(() -> resizeImages())
     *         .jvmOptions(List.of("-Xmx512m"))
     *         .systemProperty("app.mode", "batch")
     *         .environment("TMPDIR", "/scratch")
     *         .daemon(true)
     *         .start()) {
     *     child.join();
     * }
     * }
     */
    interface Builder {
        /**
         * The child's name, which {@link JvmProcess#current()} reports in the child; default "Process-N".
         *
         * @throws IllegalArgumentException if it is blank (CPython names a process given {@code ""} "Process-N")
         */
        Builder name(String name);

        Builder task(SerializableRunnable task);

        /**
         * Extra options for the child's {@code java} command, e.g. {@code -Xmx512m}. They come after the
         * library's defaults, so they win: among those, a child runs {@code -XX:CompileThresholdScaling=5}
         * (HotSpot compiles a method after five times the usual number of calls), since most of what a
         * one-shot child runs before its task runs only a few times, and compiling it cost more CPU than it
         * saved. Pass {@code -XX:CompileThresholdScaling=1} for HotSpot's own thresholds. Every child also runs
         * {@code -XX:UserThreadWaitAttemptsAtExit=0} (its exit does not wait up to 300 ms for threads blocked in
         * native reads) and {@code -XX:-UsePerfData} (no {@code hsperfdata} file, so {@code jps} does not list it;
         * {@code jcmd <pid>} still works, and {@code -XX:+UsePerfData} brings the file back).
         *
         * <p>One argument per element, as on a command line: an option that takes the next argument as its
         * value is followed by it ({@code List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED")}).
         * {@link #start()} throws {@link IllegalArgumentException} for an element that is no option (the
         * launcher would take it for the child's main class: {@code "-XX:MaxRAMPercentage", "50"}), for such an
         * option with no value after it, and for options that set the class path or main class ({@code -cp},
         * {@code -jar}, {@code -m}, {@code -Djava.class.path}): a child runs this JVM's class path and module
         * path; and for options with which the launcher runs no main class ({@code -version}, {@code --help},
         * {@code --dry-run}, {@code --list-modules}, {@code --source}): the child would exit without running its
         * task; and for a setting of the library's with no value of its kind ({@code -Dmp4j.spare=no}; see the
         * README's Configuration). The arguments of an argument file ({@code "@jvm.options"}) that can be read are
         * checked alike.
         */
        Builder jvmOptions(List<String> options);

        /**
         * A {@code -D} system property for the child; may be called once per key. Like {@link #jvmOptions}, it is
         * on the child's command line, which every user of the machine can read ({@code ps},
         * {@code /proc/<pid>/cmdline}): give a secret to the child through {@link #environment} (readable only by
         * this user) or the task instead. The library's own key never travels this way.
         *
         * @throws IllegalArgumentException if the key is empty or holds an {@code '='}, or either holds a NUL:
         *         a {@code -D} option cannot carry them; {@link #start()} throws it for {@code java.class.path} (a
         *         child runs this JVM's class path), and for a key that a {@code -D} of {@link #jvmOptions} (or of an
         *         argument file among them) sets too, and for a setting of the library's ({@code mp4j.*}) given
         *         no value of its kind
         */
        Builder systemProperty(String key, String value);

        /**
         * An environment variable for the child, added to the inherited ones; may be called once per key.
         *
         * @throws IllegalArgumentException if the key is empty or holds an {@code '='}, or either holds a NUL
         */
        Builder environment(String key, String value);

        /** Whether the child must not keep this JVM alive; default false. */
        Builder daemon(boolean daemon);

        /**
         * Starts the child; see {@link JvmProcess#start(String, SerializableRunnable)}.
         *
         * @throws IllegalStateException if no task was set, or if this JVM is shutting down (see
         *         {@link JvmProcess#start(String, SerializableRunnable)})
         * @throws IllegalArgumentException if the {@linkplain #jvmOptions JVM options} cannot be a child's
         */
        JvmProcess start();
    }
}

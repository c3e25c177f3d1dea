package io.github.multiprocessing4j.cli;

import java.time.Duration;
import java.util.List;

/**
 * While demos or benchmarks run: if the CLI's JVM exits meanwhile (Ctrl-C, {@code kill}), the processes it
 * started, with their own children, are stopped too. The JVM kills no process it started when it exits, so
 * the shell and {@code sleep 30} of {@code mp4j demo subprocess}, or a CPython script of {@code mp4j bench},
 * would run on without anyone waiting for them. The library's child JVMs stop as well (they would anyway,
 * once their parent is gone). A demo or benchmark still running then fails, as its processes die: see
 * {@link #stopping()}.
 *
 * {@snippet :
 * try (ProcessCleanup cleanup = ProcessCleanup.whileRunning()) {
 *     demo.run(System.out);
 * }
 * }
 */
final class ProcessCleanup implements AutoCloseable {
    /** How long the processes have, after SIGTERM, before they get SIGKILL. */
    private static final Duration GRACE = Duration.ofSeconds(2);

    private final Thread hook = new Thread(this::stop, "mp4j-cli-process-cleanup");
    private volatile boolean stopping;

    private ProcessCleanup() {
    }

    /** Stops this JVM's descendant processes if the JVM exits before {@link #close()}. */
    static ProcessCleanup whileRunning() {
        ProcessCleanup cleanup = new ProcessCleanup();
        Runtime.getRuntime().addShutdownHook(cleanup.hook);
        return cleanup;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs, or has run
        }
    }

    /**
     * True once the JVM exits and the processes are being stopped: a demo that fails then fails because
     * of it, and is not worth reporting (the user pressed Ctrl-C).
     */
    boolean stopping() {
        return stopping;
    }

    private void stop() {
        stopping = true;
        // All of them at once, before any dies: a killed parent's children are reparented, out of reach.
        List<ProcessHandle> descendants = ProcessHandle.current().descendants().toList();
        descendants.forEach(ProcessHandle::destroy);
        long end = System.nanoTime() + GRACE.toNanos();
        for (ProcessHandle p : descendants) {
            while (p.isAlive() && System.nanoTime() < end) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }
}

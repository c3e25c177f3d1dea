package io.github.multiprocessing4j.internal.worker;

import io.github.multiprocessing4j.internal.session.LibraryThreads;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * Makes a pool worker's exit end: once its JVM begins to exit ({@code System.exit} in a task, the exit after
 * {@code STOP}, a SIGTERM), the shutdown hooks get {@value #GRACE_MILLIS} ms, after which the JVM is halted with
 * exit code {@value #EXIT_CODE} and a line on stderr that says why. A hook that never returns (a task registered
 * it) would otherwise keep the worker alive for good, with the task that called {@code System.exit} unfinished and
 * its parent waiting for an outcome that never comes; now the task fails with a {@code WorkerCrashedException}
 * that quotes that line.
 *
 * <p>The hook only starts a daemon timer and returns, so an exit whose hooks all return is not delayed.
 */
final class ExitGuard {
    static final long GRACE_MILLIS = 5000;
    static final int EXIT_CODE = 3;

    private ExitGuard() {
    }

    static void install() {
        Runtime.getRuntime().addShutdownHook(LibraryThreads.daemon("mp4j-exit-guard")
                .unstarted(() -> LibraryThreads.daemon("mp4j-exit-halt").start(ExitGuard::haltLater)));
    }

    private static void haltLater() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            try {
                Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException ignored) {
                // nothing of ours interrupts this thread: sleep on
            }
        }
        try {
            PrintStream stderr = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
            stderr.println("multiprocessing4j: this worker began to exit " + GRACE_MILLIS / 1000 + " s ago and a"
                    + " shutdown hook has not returned since; halting it (exit code " + EXIT_CODE + ")");
        } catch (RuntimeException | Error ignored) {
            // halt all the same
        }
        Runtime.getRuntime().halt(EXIT_CODE);
    }
}

package io.github.multiprocessing4j.internal.worker;

import java.io.Serial;

/**
 * Thrown out of the worker's {@code main} after a failed task: the launcher then exits with code 1 once
 * the task's non-daemon threads have finished, as a Python child does. It carries no stack trace and the
 * main thread's handler prints nothing for it; the task's own stack trace has been printed already.
 */
final class TaskFailedExit extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    TaskFailedExit() {
        super(null, null, false, false);
    }

    static void installHandler(Thread main) {
        Thread.UncaughtExceptionHandler previous = main.getUncaughtExceptionHandler();
        main.setUncaughtExceptionHandler((thread, e) -> {
            if (!(e instanceof TaskFailedExit)) {
                previous.uncaughtException(thread, e);
            }
        });
    }
}

package io.github.multiprocessing4j.process;

import java.util.OptionalLong;

/**
 * Who the running JVM is, as {@link JvmProcess#current()} tells it (Python's {@code current_process()} and
 * {@code parent_process()}).
 *
 * {@snippet :
 * CurrentProcess me = JvmProcess.current();
 * if (me.isChild()) {   // in a pool worker: "PoolWorker-2 (pid 4242), started by 4200"
 *     System.out.println(me.name() + " (pid " + me.pid() + "), started by " + me.parentPid().getAsLong());
 * }
 * }
 *
 * @param name      the name its parent gave it, or {@code "MainProcess"} in a JVM not started by this library
 * @param pid       its process id
 * @param parentPid the JVM that started it, or in the main process its operating-system parent, if known
 * @param isChild   whether it was started by this library (by {@link JvmProcess} or a pool)
 */
public record CurrentProcess(String name, long pid, OptionalLong parentPid, boolean isChild) {
    /** The name of a JVM that this library did not start, as in CPython. */
    public static final String MAIN_PROCESS = "MainProcess";
}

package io.github.multiprocessing4j.internal.worker;

import io.github.multiprocessing4j.function.SerializableRunnable;

/**
 * The task of an AOT training run (see {@code AotCache}). The training child is an ordinary child — it
 * boots, connects, authenticates and receives this task like any other — so the cache records exactly
 * the classes a child loads and links on its way to a task. The task then exercises what a typical task
 * needs next: the codec's fast path and Java serialization both ways, and the report of a failure; and what a
 * child started with its task does in place of the connection: its start signal and its report file.
 */
public final class AotTraining {
    /**
     * The system property ({@code true}) that the launcher gives a training child, which then ends the JVM
     * that the JDK starts to assemble the cache if its parent dies (see {@code ParentWatch}).
     */
    public static final String PROPERTY = "mp4j.aotTraining";

    private AotTraining() {
    }

    public static SerializableRunnable task() {
        return () -> {
            Warmup.run();
            DirectStart.rehearse(); // what a child started with its task does instead of connecting
        };
    }
}

package io.github.multiprocessing4j.internal.worker;

import io.github.multiprocessing4j.function.SerializableRunnable;

/**
 * The task of an AOT training run (see {@code AotCache}). The training child is an ordinary child — it
 * boots, connects, authenticates and receives this task like any other — so the cache records exactly
 * the classes a child loads and links on its way to a task. The task then exercises what a typical task
 * needs next: the codec's fast path and Java serialization both ways, and the report of a failure; and what a
 * child started with its task does in place of the connection: its start signal and its report file. A training
 * started by a {@code JvmProcess} start also rehearses that start's task, as a spare does (see {@code SpareJvms}):
 * it decodes it, never running it, so that the cache holds the classes of the program's own task too.
 */
public final class AotTraining {
    /**
     * The system property ({@code true}) that the launcher gives a training child, which then ends the JVM
     * that the JDK starts to assemble the cache if its parent dies (see {@code ParentWatch}).
     */
    public static final String PROPERTY = "mp4j.aotTraining";

    private AotTraining() {
    }

    /** @param rehearsal an encoded task to decode as well, or an empty array */
    public static SerializableRunnable task(byte[] rehearsal) {
        return () -> {
            Warmup.run();
            Warmup.rehearse(rehearsal);
            DirectStart.rehearse(); // what a child started with its task does instead of connecting
        };
    }
}

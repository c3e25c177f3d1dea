package io.github.multiprocessing4j.internal.worker;

import io.github.multiprocessing4j.function.SerializableRunnable;
import java.util.concurrent.TimeUnit;

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

    /**
     * Ends a training child once its task is done, with code 0 if it succeeded, else 1: by a halt, which writes the
     * cache as an exit does (the JDK assembles it before the JVM ends, see {@code ParentWatch}). The task it rehearsed
     * may have started threads that are no daemons in its classes' static initializers (an executor in a static
     * field), which would keep the JVM alive after {@code main} until its parent gave up on the training, with no
     * cache written; that task never ran here, so there is nothing of its to finish, nor any hook of its to run.
     */
    static void exit(boolean succeeded) {
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(succeeded ? 0 : 1);
    }

    /** @param rehearsal an encoded task to decode as well, or an empty array */
    public static SerializableRunnable task(byte[] rehearsal) {
        return () -> {
            Warmup.run();
            rehearseAtMost(rehearsal);
            DirectStart.rehearse(); // what a child started with its task does instead of connecting
        };
    }

    /**
     * Rehearses {@code rehearsal} on a thread of its own, waiting at most as long as a spare does
     * ({@value ChildSession#REHEARSAL_WAIT_SECONDS} s): a static initializer of the program's that waits (for something
     * that will not come in a child that never runs the task) would otherwise hold the training up until its parent
     * gave up on it, with no cache written. The training goes on without what is left of it, and halts at its end.
     */
    private static void rehearseAtMost(byte[] rehearsal) {
        if (rehearsal.length == 0) {
            return;
        }
        Thread rehearsing = Thread.ofPlatform().daemon().name("mp4j-aot-rehearsal")
                .start(() -> Warmup.rehearse(rehearsal));
        try {
            rehearsing.join(TimeUnit.SECONDS.toMillis(ChildSession.REHEARSAL_WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.github.multiprocessing4j.internal.worker;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.internal.codec.ThrowableCodec;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import java.util.concurrent.CountDownLatch;

/**
 * What a child does on a second thread while its main thread connects to the parent: it runs the code
 * paths that its task will need — a lambda there and back, as the codec writes one that captures plain values
 * and as Java serialization writes one that captures an object, which links the JDK's lambda, reflection and
 * serialization machinery, and the encoding of a result and of an exception — so that the task does not pay
 * for their first use. A spare also rehearses the task its parent started last (see {@code SpareJvms}): it decodes
 * it, which loads and initializes its classes and links its lambda, and drops it. The spare says hello to its parent
 * only once that is over ({@link ChildSession#serve}): a task decoded beside a rehearsal that is still initializing
 * classes could deadlock with it (each thread initializing a class that the other's initializer needs).
 */
final class Warmup {
    private Warmup() {
    }

    /**
     * @param rehearsal an encoded task to decode and drop, or an empty array
     * @return a latch that opens once the rehearsal is over (open at once if there is none)
     */
    static CountDownLatch startInBackground(byte[] rehearsal) {
        return startInBackground(rehearsal, Warmup::run);
    }

    /** {@link #startInBackground(byte[])} with {@code warmUp} in place of {@link #run()} (tests). */
    static CountDownLatch startInBackground(byte[] rehearsal, Runnable warmUp) {
        CountDownLatch rehearsed = new CountDownLatch(rehearsal.length == 0 ? 0 : 1);
        Thread.ofPlatform().daemon().name("mp4j-warmup").start(() -> {
            try {
                try {
                    warmUp.run();
                } catch (Throwable e) {
                    // An Error (run() catches only exceptions): warming is an optimisation, and the rehearsal still
                    // comes; not left to the thread's end either, which would print it in the output of the start
                    // that takes this spare
                    System.getLogger(Warmup.class.getName()).log(System.Logger.Level.DEBUG, "the warm-up failed", e);
                }
                rehearse(rehearsal);
            } finally {
                rehearsed.countDown(); // whatever happened above: a spare held shut waits 5 s, then leaves unused
            }
        });
        return rehearsed;
    }

    static void run() {
        try {
            int[] counter = new int[1];
            SerializableRunnable sample = () -> counter[0]++;
            Codec codec = Codec.standard();
            Runnable back = (Runnable) codec.decode(codec.encode(sample));
            back.run();
            java.util.List<String> words = java.util.List.of("warm");
            SerializableRunnable capturesAList = () -> counter[0] += words.size();
            ((Runnable) codec.decode(codec.encode(capturesAList))).run();
            codec.decode(codec.encode(java.util.List.of("warm", 1, 2L)));
            ThrowableCodec.write(new IllegalStateException("warm-up"), new ByteSink());
        } catch (RuntimeException ignored) {
            // warming is an optimisation; a failure here changes nothing
        }
    }

    /**
     * Decodes {@code task} and drops it. A failure is the task's to meet when it comes: a class whose static
     * initializer threw here fails its decode again then, with that first failure for cause.
     */
    static void rehearse(byte[] task) {
        if (task.length == 0) {
            return;
        }
        try {
            Codec.standard().decode(task);
        } catch (Throwable ignored) {
            // see above; and not left to the thread's end, which would print it in the output of the start that
            // takes this spare: a static initializer's Error (an AssertionError) reaches here as itself, unwrapped
        }
    }
}

package io.github.multiprocessing4j.internal.worker;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.internal.codec.ThrowableCodec;
import io.github.multiprocessing4j.internal.bytes.ByteSink;

/**
 * What a child does on a second thread while its main thread connects to the parent: it runs the code
 * paths that its task will need — a lambda there and back, as the codec writes one that captures plain values
 * and as Java serialization writes one that captures an object, which links the JDK's lambda, reflection and
 * serialization machinery, and the encoding of a result and of an exception — so that the task does not pay
 * for their first use. A spare also rehearses the task its parent started last (see {@code SpareJvms}): it decodes
 * it, which loads and initializes its classes and links its lambda, and drops it.
 */
final class Warmup {
    private Warmup() {
    }

    /** @param rehearsal an encoded task to decode and drop, or an empty array */
    static void startInBackground(byte[] rehearsal) {
        Thread.ofPlatform().daemon().name("mp4j-warmup").start(() -> {
            run();
            rehearse(rehearsal);
        });
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
        } catch (RuntimeException | LinkageError ignored) {
            // see above
        }
    }
}

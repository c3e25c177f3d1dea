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
 * for their first use.
 */
final class Warmup {
    private Warmup() {
    }

    static void startInBackground() {
        Thread.ofPlatform().daemon().name("mp4j-warmup").start(Warmup::run);
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
}

package io.github.multiprocessing4j.internal.config;

import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.process.JvmProcess;

/** Starts a child and a pool worker, with the wrong mp4j.* settings its test gives this JVM; prints DONE and 2. */
public final class WrongSettingsMain {
    private WrongSettingsMain() {
    }

    public static void main(String[] args) throws Exception {
        try (JvmProcess child = JvmProcess.start("child", () -> { })) {
            child.join();
        }
        int two;
        try (ProcessPool pool = ProcessPool.create(1)) {
            two = pool.apply(x -> x + 1, 1);
        }
        System.out.println("DONE " + two);
    }
}

package org.example;

import io.github.multiprocessing4j.function.SerializableCallable;

/** A class with a serializable lambda whose static initializer throws: no JVM can make its lambdas. */
public final class BrokenInit {
    static {
        if (Boolean.parseBoolean("true")) {
            throw new IllegalStateException("BrokenInit cannot be initialized");
        }
    }

    private BrokenInit() {
    }

    public static SerializableCallable<String> task() {
        return () -> "never";
    }
}

package org.example;

import io.github.multiprocessing4j.function.SerializableCallable;
import io.github.multiprocessing4j.function.SerializableRunnable;

/** Lambdas written by an application class outside the library's packages, for tests of how lambdas travel. */
public final class Tasks {
    private Tasks() {
    }

    public static SerializableRunnable nothing() {
        return () -> { };
    }

    public static SerializableCallable<String> greeting(String who) {
        return () -> "hello " + who;
    }
}

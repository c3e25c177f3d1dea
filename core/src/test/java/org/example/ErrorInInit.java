package org.example;

import io.github.multiprocessing4j.function.SerializableCallable;

/**
 * A class with a serializable lambda whose static initializer throws an Error, which the JVM throws as itself (it
 * wraps only an exception in an ExceptionInInitializerError): no JVM can make its lambdas.
 */
public final class ErrorInInit {
    static {
        if (Boolean.parseBoolean("true")) {
            throw new AssertionError("ErrorInInit cannot be initialized");
        }
    }

    private ErrorInInit() {
    }

    public static SerializableCallable<String> task() {
        return () -> "never";
    }
}

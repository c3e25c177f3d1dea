package io.github.multiprocessing4j.internal.session;

/**
 * The identity of this JVM as its parent sees it: set by the worker when the parent names it, read by
 * {@code JvmProcess.current()}.
 */
public final class ThisProcess {
    private static volatile String name;
    private static volatile long parentPid = -1;

    private ThisProcess() {
    }

    /** The name the parent gave, or null in a JVM the library did not start (or a spare not yet named). */
    public static String name() {
        return name;
    }

    public static void name(String newName) {
        name = newName;
    }

    /** The pid of the JVM that started this one, or -1. */
    public static long parentPid() {
        return parentPid;
    }

    public static void parentPid(long pid) {
        parentPid = pid;
    }
}

package io.github.multiprocessing4j.internal.pool;

/** How a worker invokes the object a task names. The byte values travel in {@code CALL} frames. */
public enum CallMode {
    /** {@code Function.apply(arg)}. */
    APPLY,
    /** {@code Callable.call()}. */
    CALL,
    /** {@code Runnable.run()}, result null. */
    RUN,
    /** {@code Function.apply} on each element of a list argument; the result is the list of results. */
    CHUNK;

    private static final CallMode[] ALL = values();

    public static CallMode of(int ordinal) {
        if (ordinal < 0 || ordinal >= ALL.length) {
            throw new IllegalArgumentException("unknown call mode " + ordinal);
        }
        return ALL[ordinal];
    }
}

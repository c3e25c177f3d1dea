package io.github.multiprocessing4j.internal.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

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

    /**
     * Invokes {@code target} as this mode says, the same way in a worker JVM and on a thread pool's thread.
     *
     * @param arg the argument of {@link #APPLY}, the list of items of {@link #CHUNK}; ignored otherwise
     * @param at  for {@link #CHUNK}: {@code at[0]} is the index of the item running, and -1 once all have run, so
     *            that a failure can name the item
     * @return the result; for {@link #CHUNK} the list of the items' results, in order
     */
    @SuppressWarnings("unchecked")
    public Object invoke(Object target, Object arg, int[] at) throws Exception {
        return switch (this) {
            case APPLY -> ((Function<Object, Object>) target).apply(arg);
            case CALL -> ((Callable<Object>) target).call();
            case RUN -> {
                ((Runnable) target).run();
                yield null;
            }
            case CHUNK -> {
                Function<Object, Object> fn = (Function<Object, Object>) target;
                List<?> items = (List<?>) arg;
                List<Object> results = new ArrayList<>(items.size());
                for (int i = 0; i < items.size(); i++) {
                    at[0] = i;
                    results.add(fn.apply(items.get(i)));
                }
                at[0] = -1;
                yield results;
            }
        };
    }
}

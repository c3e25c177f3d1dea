package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.function.SerializableBiFunction;
import io.github.multiprocessing4j.function.SerializableFunction;
import java.io.Serial;
import java.io.Serializable;
import java.util.Map;

/**
 * The arguments of one {@code starmap} call, as they travel: {@code Map.Entry} implementations are
 * mostly not serializable, so each entry becomes a pair.
 */
public record Pair(Object first, Object second) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    public static Pair of(Map.Entry<?, ?> entry) {
        return new Pair(entry.getKey(), entry.getValue());
    }

    /** A one-argument function over pairs that calls {@code fn} with the pair's two halves. */
    @SuppressWarnings("unchecked")
    public static <T, U, R> SerializableFunction<Pair, R> spread(SerializableBiFunction<T, U, R> fn) {
        return pair -> fn.apply((T) pair.first(), (U) pair.second());
    }
}

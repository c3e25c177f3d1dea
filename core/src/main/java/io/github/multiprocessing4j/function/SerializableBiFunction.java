package io.github.multiprocessing4j.function;

import java.io.Serializable;
import java.util.function.BiFunction;

/**
 * A {@link BiFunction} that can be sent to another JVM; {@code Pool.starmap} takes one.
 *
 * {@snippet :
 * SerializableBiFunction<Integer, Integer, Integer> add = Integer::sum;
 * }
 *
 * @param <T> the first argument type
 * @param <U> the second argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface SerializableBiFunction<T, U, R> extends BiFunction<T, U, R>, Serializable {
}

package io.github.multiprocessing4j.function;

import java.io.Serializable;
import java.util.function.Function;

/**
 * A {@link Function} that can be sent to another JVM.
 *
 * {@snippet :
 * SerializableFunction<Integer, Integer> square = x -> x * x;
 * List<Integer> squares = pool.map(square, List.of(1, 2, 3)); // [1, 4, 9]
 * }
 *
 * @param <T> the argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Function<T, R>, Serializable {
}

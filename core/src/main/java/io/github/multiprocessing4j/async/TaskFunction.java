package io.github.multiprocessing4j.async;

/**
 * A function for {@link Coroutines#map} that, unlike {@link java.util.function.Function}, may throw
 * checked exceptions, such as {@link java.io.IOException} from a fetch or {@link InterruptedException} from
 * a cancelled sleep.
 *
 * @param <T> the type of an item
 * @param <R> the type of a result
 */
@FunctionalInterface
public interface TaskFunction<T, R> {
    R apply(T item) throws Exception;
}

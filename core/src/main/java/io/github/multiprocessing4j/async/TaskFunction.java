package io.github.multiprocessing4j.async;

/**
 * A function for {@link Coroutines#map} that, unlike {@link java.util.function.Function}, may throw
 * checked exceptions, such as {@link java.io.IOException} from a fetch or {@link InterruptedException} from
 * a cancelled sleep.
 *
 * {@snippet :
 * TaskFunction<Path, Long> size = Files::size;            // throws IOException: no Function could be this
 * List<Long> sizes = Coroutines.map(size, paths, 16);     // at most 16 calls at once
 * }
 *
 * @param <T> the type of an item
 * @param <R> the type of a result
 */
@FunctionalInterface
public interface TaskFunction<T, R> {
    R apply(T item) throws Exception;
}

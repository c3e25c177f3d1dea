package io.github.multiprocessing4j.pool;

import java.time.Duration;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The lazy results of {@link Pool#imap} and {@link Pool#imapUnordered} (Python's {@code IMapIterator}).
 *
 * {@snippet :
 * try (ResultIterator<String> pages = pool.imap(url -> fetch(url), urls, 10)) {
 *     pages.forEachRemaining(System.out::println);
 * }
 * }
 *
 * <p>{@link #next()} blocks until the next result is there. A failed task surfaces from {@code next()} as
 * a {@link java.util.concurrent.CompletionException} whose cause is the failure (a worker crash, a timeout,
 * the function's own exception); the iterator can go on past it. If the waiting thread is interrupted,
 * {@code next()} throws a {@code CompletionException} caused by {@link InterruptedException} and
 * re-asserts the interrupt.
 *
 * <p>{@link #close()} stops reading the input and cancels the tasks not yet started; a consumer that
 * stops early should close it (try-with-resources). It is idempotent.
 *
 * <p><b>Thread-safety:</b> one consumer thread at a time.
 *
 * @param <R> the result type
 */
public interface ResultIterator<R> extends Iterator<R>, AutoCloseable {

    /**
     * Like {@link #next()}, but waits at most {@code timeout} (Python's {@code next(timeout)}).
     *
     * @throws TimeoutException if no result arrived in time; the iterator stays usable
     * @throws java.util.NoSuchElementException if there are no more results
     */
    R next(Duration timeout) throws TimeoutException;

    /** The remaining results as a sequential stream; closing the stream closes this iterator. */
    default Stream<R> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED), false)
                .onClose(this::close);
    }

    @Override
    void close();
}

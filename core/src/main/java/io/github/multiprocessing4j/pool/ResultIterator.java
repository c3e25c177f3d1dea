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
 * the function's own exception, or a {@link java.util.concurrent.CancellationException} for a task that
 * {@code shutdownNow()} cancelled) and whose message names the item's position in the input
 * ({@code "item 4 failed: ..."}); the iterator can go on past it. With a chunk size above 1, a failed chunk
 * surfaces once, naming the item that failed, and the results of the chunk's other items are lost (as in
 * Python); the iterator goes on with the next chunk. If the waiting thread is interrupted, {@code next()}
 * (or {@link #hasNext()}, which waits while the input is read) throws a {@code CompletionException} caused by
 * {@link InterruptedException} and re-asserts the interrupt; no result is lost, and the iterator stays usable.
 *
 * <p>If the input itself throws, or the pool refuses a task because it was shut down, the results of
 * every element read before that are still delivered, in their place; then the failure surfaces once, as a
 * {@code CompletionException} caused by the input's exception (or the
 * {@link java.util.concurrent.RejectedExecutionException}) whose message says after how many elements the
 * input failed (or which item could not be submitted); then {@link #hasNext()} is {@code false}. Tasks
 * already submitted when the pool is shut down ({@code shutdown()}, not {@code shutdownNow()}) still run
 * and deliver their results.
 *
 * <p>{@link #close()} stops reading the input, cancels the tasks not yet started and releases the
 * function (a process pool's workers forget it); a consumer that stops early should close it
 * (try-with-resources). Results not yet handed out are dropped, those of a chunk partly read too: after
 * it, {@link #hasNext()} is {@code false}. An iterator that has delivered everything closes itself. It is idempotent. An
 * iterator dropped unclosed is closed once the garbage collector finds it unreachable, as a safety net
 * only: until then its input and tasks are held.
 *
 * <p><b>Thread-safety:</b> one consumer thread at a time; {@link #close()} from any thread, which ends a
 * consumer's wait in {@code next()} with {@link java.util.NoSuchElementException} (in {@code hasNext()}, with
 * {@code false}).
 *
 * @param <R> the result type
 */
public interface ResultIterator<R> extends Iterator<R>, AutoCloseable {

    /**
     * Like {@link #next()}, but waits at most {@code timeout} (Python's {@code next(timeout)}); a zero or
     * negative timeout takes a result only if one is ready. To wait without a bound, call {@link #next()}.
     *
     * @throws TimeoutException if no result arrived in time; the iterator stays usable
     * @throws java.util.NoSuchElementException if there are no more results
     * @throws NullPointerException if {@code timeout} is null; no result is lost
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

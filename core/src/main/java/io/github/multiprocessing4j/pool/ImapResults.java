package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.seam.FailureSeam;
import io.github.multiprocessing4j.internal.session.LibraryThreads;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * What {@code imap} and {@code imapUnordered} hand their caller: an {@link ImapIterator} that is closed when
 * the caller drops it without closing it. The feeder of an iterator nobody reads waits for room in its window
 * for ever, keeping its input, its function and its queued tasks; once this handle is unreachable, a
 * {@link Cleaner} closes the iterator, which cancels what had not started, interrupts the feeder and releases
 * the function (as the JDK closes an abandoned socket). The feeder and the tasks' callbacks reach the
 * iterator, never this handle, so they do not keep it alive; each call fences this handle, so it is not
 * collected while a call waits in it.
 *
 * <pre>{@code
 * pool.imap(x -> x * 2, endless).next(); // the rest is never read: the collector ends the feeder
 * }</pre>
 *
 * @param <R> the result type
 */
final class ImapResults<R> implements ResultIterator<R> {
    /** One thread for the JVM, made by the first caller of imap: nothing of it, neither context, group nor priority. */
    private static final Cleaner CLEANER = Cleaner.create(LibraryThreads.daemon("mp4j-imap-cleaner")
            .inheritInheritableThreadLocals(false).factory());
    private static final FailureSeam REGISTER = new FailureSeam();

    private final ResultIterator<R> results;
    private final Cleaner.Cleanable closing;

    ImapResults(ResultIterator<R> results) {
        this.results = results;
        try {
            REGISTER.check();
            this.closing = CLEANER.register(this, results::close);
        } catch (Throwable e) { // OutOfMemoryError: the iterator's feeder already runs, and nobody else can close it
            try {
                results.close();
            } catch (Throwable closeFailed) {
                e.addSuppressed(closeFailed); // the caller learns of the registration's Error, not of this in its place
            }
            throw e;
        }
    }

    /** For tests: makes the next {@code times} registrations with the cleaner throw {@code failure} (null: none). */
    static void failRegistrations(Error failure, int times) {
        REGISTER.arm(failure, 0, times, null);
    }

    @Override
    public boolean hasNext() {
        try {
            return results.hasNext();
        } finally {
            Reference.reachabilityFence(this); // not collected (and closed) while a call waits
        }
    }

    @Override
    public R next() {
        try {
            return results.next();
        } finally {
            Reference.reachabilityFence(this); // not collected (and closed) while a call waits
        }
    }

    @Override
    public R next(Duration timeout) throws TimeoutException {
        try {
            return results.next(timeout);
        } finally {
            Reference.reachabilityFence(this); // not collected (and closed) while a call waits
        }
    }

    @Override
    public void close() {
        closing.clean();
    }
}

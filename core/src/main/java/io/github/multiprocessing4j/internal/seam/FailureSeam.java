package io.github.multiprocessing4j.internal.seam;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A place in the library where a test can make an {@code Error} happen that no test can cause for real: a thread
 * that cannot be made ({@code OutOfMemoryError: unable to create native thread}) at one given spot. The code at that
 * spot calls {@link #check()}, which does nothing unless a test has {@linkplain #arm armed} the seam.
 *
 * <pre>{@code
 * static final FailureSeam THREAD_START = new FailureSeam();   // in the class under test
 * ...
 * THREAD_START.check();                                          // just before the thread is started
 * Thread.ofVirtual().start(work);
 *
 * THREAD_START.arm(new OutOfMemoryError("a test's"), 0, 1, null); // in the test; disarm() in its finally
 * }</pre>
 */
public final class FailureSeam {
    private volatile Error failure;
    private final AtomicInteger passesLeft = new AtomicInteger();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile Runnable beforeLast;

    /**
     * Makes the {@link #check()}s after the next {@code passes} throw {@code failure}, {@code times} of them; the
     * last of them runs {@code beforeLast} first (what another thread does meanwhile), unless it is null. A null
     * {@code failure} disarms the seam.
     */
    public void arm(Error failure, int passes, int times, Runnable beforeLast) {
        this.failure = null; // while the counts change, no check throws
        passesLeft.set(passes);
        failuresLeft.set(failure == null ? 0 : times);
        this.beforeLast = beforeLast;
        this.failure = failure;
    }

    /** No {@link #check()} throws any more. */
    public void disarm() {
        arm(null, 0, 0, null);
    }

    /** Throws the armed failure if this call is one of those it was armed for; otherwise does nothing. */
    public void check() {
        Error armed = failure;
        if (armed == null || passesLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return;
        }
        int left = failuresLeft.getAndUpdate(n -> Math.max(0, n - 1));
        if (left <= 0) {
            return;
        }
        if (left == 1) {
            Runnable meanwhile = beforeLast;
            beforeLast = null;
            if (meanwhile != null) {
                meanwhile.run();
            }
        }
        throw armed;
    }
}

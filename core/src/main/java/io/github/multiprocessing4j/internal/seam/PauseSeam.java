package io.github.multiprocessing4j.internal.seam;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A place in the library where a test can run something of its own once, at a moment no test can otherwise catch:
 * between two steps of the library that other threads may act in between (what {@link FailureSeam} does before an
 * {@code Error}, without the {@code Error}). The code at that spot calls {@link #pass()}, which costs a volatile read
 * unless a test has {@linkplain #once armed} the seam.
 *
 * <pre>{@code
 * static final PauseSeam BEFORE_START = new PauseSeam();       // in the class under test
 * ...
 * BEFORE_START.pass();                                          // between the two steps
 *
 * BEFORE_START.once(() -> giveItATask());                      // in the test
 * }</pre>
 */
public final class PauseSeam {
    private final AtomicReference<Runnable> next = new AtomicReference<>();

    /** Makes the next {@link #pass()} run {@code meanwhile} (on the thread that passes); null for none. */
    public void once(Runnable meanwhile) {
        next.set(meanwhile);
    }

    /** Runs what a test armed the seam with, once; otherwise does nothing. */
    public void pass() {
        if (next.get() != null) {
            Runnable meanwhile = next.getAndSet(null);
            if (meanwhile != null) {
                meanwhile.run();
            }
        }
    }
}

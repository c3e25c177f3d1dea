package io.github.multiprocessing4j.async;

import java.time.Duration;

/**
 * A flag that coroutines wait on, which can be set and cleared again: Python's {@code asyncio.Event} (and
 * {@code threading.Event}). The JDK has no such thing: a {@link java.util.concurrent.CountDownLatch} cannot
 * be reset, and a {@link java.util.concurrent.Phaser} or a {@code Condition} needs a protocol around it.
 *
 * {@snippet :
 * Event ready = Event.create();
 * TaskGroup.run(group -> {
 *     for (int i = 0; i < 3; i++) {
 *         group.spawn(() -> { ready.await(); return work(); });
 *     }
 *     loadConfiguration();   // should it throw, run() cancels the three waiting tasks
 *     ready.set();           // releases all three
 *     return null;
 * });
 * }
 *
 * <p>{@link #set()} releases every thread waiting at that moment, even if {@link #clear()} follows before
 * they get to run (as in asyncio); a thread that starts waiting after the {@code clear()} waits for the next
 * {@code set()}.
 *
 * <p><b>Thread-safety:</b> all methods may be called from any thread. Waiting parks a virtual thread
 * without pinning its carrier.
 *
 * <p><b>Memory consistency effects:</b> actions in a thread before {@code set()} happen-before the return
 * of an {@code await} that it released or that found the event set.
 */
public sealed interface Event permits EventImpl {

    /** A new event, not set. */
    static Event create() {
        return new EventImpl();
    }

    /** Sets the flag and releases every waiting thread. Does nothing if the flag is set. */
    void set();

    /** Clears the flag: later calls to {@code await} wait for the next {@link #set()}. */
    void clear();

    boolean isSet();

    /**
     * Returns when the flag is set: at once if it is set now, else when {@link #set()} is next called.
     *
     * @throws InterruptedException if interrupted before or while waiting (the interrupt status is cleared)
     */
    void await() throws InterruptedException;

    /**
     * Waits at most {@code timeout} for the flag, as {@link #await()} does.
     *
     * @return true if the flag was set (or a {@code set()} released this thread), false if the timeout
     *         elapsed first; a zero or negative timeout only looks at the flag
     * @throws InterruptedException if interrupted before or while waiting (the interrupt status is cleared)
     */
    boolean await(Duration timeout) throws InterruptedException;
}

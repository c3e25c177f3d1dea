package io.github.multiprocessing4j.async;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A point on the monotonic clock ({@link System#nanoTime()}), and how the caller expressed it, for
 * messages. An {@link Instant} is read against the system clock once, when the deadline is made.
 */
record Deadline(long nanoTime, String description) {
    private static final long MAX_DISTANCE = Long.MAX_VALUE / 4;

    /**
     * {@code timeout} from now. The JIT warm-up (once per JVM, a wait of up to 100 ms) comes after, within the
     * time: a group with a deadline waits for it at most half the time it has left (see TaskGroupImpl.open), so
     * that a short first timeout has not elapsed before the call was even started.
     */
    static Deadline after(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return new Deadline(System.nanoTime() + bounded(saturatedNanos(timeout)), "timeout of " + timeout);
    }

    static Deadline at(Instant deadline) {
        Objects.requireNonNull(deadline, "deadline");
        long now = System.nanoTime();
        Duration left = Duration.between(Instant.now(), deadline);
        return new Deadline(now + bounded(saturatedNanos(left)), "deadline " + deadline);
    }

    /** Nanoseconds left; zero or negative once the deadline has passed. */
    long remainingNanos() {
        return nanoTime - System.nanoTime();
    }

    static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /**
     * {@code nanos} limited to about 73 years either way, so that the distance between the deadline and any
     * later reading of {@link System#nanoTime()} fits in a long: a far deadline stays far, a long-past one
     * stays past. Saturating the sum instead is not enough, since {@link #remainingNanos()} subtracts again:
     * a deadline near {@code Long.MIN_VALUE} came out centuries ahead.
     */
    private static long bounded(long nanos) {
        return Math.clamp(nanos, -MAX_DISTANCE, MAX_DISTANCE);
    }
}

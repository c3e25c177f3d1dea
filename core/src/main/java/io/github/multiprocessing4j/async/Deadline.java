package io.github.multiprocessing4j.async;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A point on the monotonic clock ({@link System#nanoTime()}), and how the caller expressed it, for
 * messages. An {@link Instant} is read against the system clock once, when the deadline is made.
 */
record Deadline(long nanoTime, String description) {

    static Deadline after(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return new Deadline(plus(System.nanoTime(), saturatedNanos(timeout)), "timeout of " + timeout);
    }

    static Deadline at(Instant deadline) {
        Objects.requireNonNull(deadline, "deadline");
        long now = System.nanoTime();
        Duration left = Duration.between(Instant.now(), deadline);
        return new Deadline(plus(now, saturatedNanos(left)), "deadline " + deadline);
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

    /** now + nanos without wrapping around: a far deadline stays far, a long-past one stays past. */
    private static long plus(long now, long nanos) {
        long sum = now + nanos;
        if (((now ^ sum) & (nanos ^ sum)) < 0) {
            return nanos > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return sum;
    }
}

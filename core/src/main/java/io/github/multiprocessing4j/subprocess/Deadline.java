package io.github.multiprocessing4j.subprocess;

import java.time.Duration;
import java.util.Objects;

/**
 * A point on the {@link System#nanoTime()} clock by which a wait must give up, or none. Every wait of this
 * package is measured against one deadline, so a timeout covers the whole operation and not each step.
 */
final class Deadline {
    private static final Deadline NONE = new Deadline(0, false);

    private final long at;
    private final boolean bounded;

    private Deadline(long at, boolean bounded) {
        this.at = at;
        this.bounded = bounded;
    }

    static Deadline none() {
        return NONE;
    }

    /** A deadline {@code timeout} from now; a zero or negative timeout has already expired. */
    static Deadline after(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout is null: to wait without a timeout, call the form without one");
        long nanos = timeout.isNegative() ? 0 : saturatedNanos(timeout);
        return new Deadline(System.nanoTime() + nanos, true);
    }

    boolean bounded() {
        return bounded;
    }

    /** Nanoseconds left, 0 once expired, {@link Long#MAX_VALUE} without a deadline. */
    long remainingNanos() {
        if (!bounded) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, at - System.nanoTime());
    }

    boolean expired() {
        return bounded && at - System.nanoTime() <= 0;
    }

    /** The earlier of this deadline and one {@code limit} from now. */
    Deadline atMost(Duration limit) {
        Deadline other = after(limit);
        return !bounded || other.at - at < 0 ? other : this;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }
}

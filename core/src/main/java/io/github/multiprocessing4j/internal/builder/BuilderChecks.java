package io.github.multiprocessing4j.internal.builder;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The argument rules every builder in the library shares: each setter may be called once, and counts and
 * durations are range-checked when set, so a bad value fails at the setter that took it, with the same words
 * everywhere.
 *
 * <pre>{@code
 * requireUnset(this.timeout, "timeout");
 * this.timeout = positive(timeout, "timeout");
 * }</pre>
 */
public final class BuilderChecks {
    private BuilderChecks() {
    }

    /** Throws {@link IllegalStateException} if {@code current} is already set (non-null). */
    public static void requireUnset(Object current, String what) {
        if (current != null) {
            throw new IllegalStateException(what + " was already set to " + current);
        }
    }

    /** Returns {@code value}, or throws {@link IllegalArgumentException} if it is below {@code min}. */
    public static int atLeast(int value, int min, String what) {
        return Math.toIntExact(atLeast((long) value, min, what));
    }

    /** Returns {@code value}, or throws {@link IllegalArgumentException} if it is below {@code min}. */
    public static long atLeast(long value, long min, String what) {
        if (value < min) {
            throw new IllegalArgumentException(what + " < " + min + ": " + value);
        }
        return value;
    }

    /** Returns {@code value}, or throws if it is null, zero or negative. */
    public static Duration positive(Duration value, String what) {
        if (!Objects.requireNonNull(value, what).isPositive()) {
            throw new IllegalArgumentException(what + " <= 0: " + value);
        }
        return value;
    }

    /** Returns {@code value}, or throws if it is null or negative. */
    public static Duration nonNegative(Duration value, String what) {
        if (Objects.requireNonNull(value, what).isNegative()) {
            throw new IllegalArgumentException(what + " < 0: " + value);
        }
        return value;
    }

    /**
     * Returns {@code value}, or throws if it is null or blank (empty or only white space); {@code advice} ends the
     * message, saying what to give instead.
     */
    public static String notBlank(String value, String what, String advice) {
        if (Objects.requireNonNull(value, what).isBlank()) {
            throw new IllegalArgumentException(what + " is blank (\"" + value + "\"): " + advice);
        }
        return value;
    }

    /** An unmodifiable copy of {@code values}; throws {@link NullPointerException} naming a null's position. */
    public static <T> List<T> copyWithoutNulls(List<T> values, String what) {
        Objects.requireNonNull(values, what);
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null) {
                throw new NullPointerException(what + " holds a null at index " + i + ": " + values);
            }
        }
        return List.copyOf(values);
    }
}

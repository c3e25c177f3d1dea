package io.github.multiprocessing4j.internal.config;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The library's system properties (the README's "Configuration"), read in one place: a value that is no value of
 * its property's kind ({@code -Dmp4j.connectTimeoutSeconds=1m}, {@code -Dmp4j.spare=no}) or lies below its least
 * one is said at WARNING, once per property and value, with what is used instead. {@code Long.getLong} and a
 * compare with {@code "false"} used the default in silence, so a setting that looked set did nothing.
 *
 * <pre>{@code
 * Duration timeout = Settings.connectTimeout();            // -Dmp4j.connectTimeoutSeconds, at least 1 s
 * boolean spares = Settings.isOn(Settings.SPARE);            // true unless set to false
 * }</pre>
 *
 * <p>Each call reads the property anew (a test may set one before its first start); callers that read it once
 * keep what they read. A child JVM leaves these warnings to its parent, which forwards it its own settings; a
 * setting that the caller gives a child alone ({@code jvmOptions}, {@code systemProperty}) is checked by
 * {@link #problemWith} where it is given, and refused there.
 */
public final class Settings {
    private static final System.Logger LOG = System.getLogger(Settings.class.getName());

    /** How long a new child may take to connect back, in seconds; the parent's bound and the child's. */
    public static final String CONNECT_TIMEOUT_SECONDS = "mp4j.connectTimeoutSeconds";
    private static final long DEFAULT_CONNECT_TIMEOUT_SECONDS = 60;
    /** How long both ends of a process pool's connection poll before they block, in microseconds. */
    public static final String POOL_SPIN_MICROS = "mp4j.pool.spinMicros";
    private static final long DEFAULT_POOL_SPIN_MICROS = 50;
    /** Keep a warm spare child JVM. */
    public static final String SPARE = "mp4j.spare";
    /** A spare decodes the latest start's task ahead. */
    public static final String SPARE_REHEARSE = "mp4j.spare.rehearse";
    /** A start that finds no spare ready starts a child with its task on stdin. */
    public static final String DIRECT_START = "mp4j.directStart";
    /** Make and use an AOT cache for child JVMs. */
    public static final String AOT = "mp4j.aot";

    private static final Set<String> SWITCHES = Set.of(SPARE, SPARE_REHEARSE, DIRECT_START, AOT);
    /** The whole-number settings, each with its least value. */
    private static final Map<String, Long> NUMBERS = Map.of(CONNECT_TIMEOUT_SECONDS, 1L, POOL_SPIN_MICROS, 0L);

    /** {@code name=value} pairs already warned of: a property read at each start is not warned of at each. */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();
    /** In a child JVM: its parent, whose mp4j.* settings it was given, has warned already. */
    private static volatile boolean quiet;

    private Settings() {
    }

    /** {@value #CONNECT_TIMEOUT_SECONDS}: 60 s unless set; at least 1 s (a zero bound would fail every start). */
    public static Duration connectTimeout() {
        return Duration.ofSeconds(number(CONNECT_TIMEOUT_SECONDS, DEFAULT_CONNECT_TIMEOUT_SECONDS,
                NUMBERS.get(CONNECT_TIMEOUT_SECONDS)));
    }

    /**
     * {@value #POOL_SPIN_MICROS} in nanoseconds: 50 µs unless set; at least 0 (block at once); a number of
     * microseconds past {@code Long.MAX_VALUE} ns is as good as for ever, where the product overflowed to a negative
     * spin, which turned polling off.
     */
    public static long poolSpinNanos() {
        long micros = number(POOL_SPIN_MICROS, DEFAULT_POOL_SPIN_MICROS, NUMBERS.get(POOL_SPIN_MICROS));
        return micros > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : micros * 1000;
    }

    /**
     * What is wrong with {@code value} for the library's setting {@code name}, as this class would warn of it when
     * reading it, or empty if nothing is (or {@code name} is no setting of a kind this class checks). A parent
     * checks with it the settings it gives a child alone, which the child would not warn of.
     *
     * @param value the value, {@code ""} for a {@code -Dname} without one
     */
    public static Optional<String> problemWith(String name, String value) {
        String given = value.strip();
        if (SWITCHES.contains(name) && !given.equalsIgnoreCase("true") && !given.equalsIgnoreCase("false")) {
            return Optional.of(name + "=" + value + " is neither true nor false");
        }
        Long least = NUMBERS.get(name);
        if (least != null) {
            try {
                if (Long.parseLong(given) < least) {
                    return Optional.of(name + "=" + value + " is below " + least);
                }
            } catch (NumberFormatException e) {
                return Optional.of(name + "=" + value + " is no whole number");
            }
        }
        return Optional.empty();
    }

    /**
     * A switch that is on unless set to {@code false} (in any case); {@code true} in any case is on too, and any
     * other value is warned of and leaves it on.
     */
    public static boolean isOn(String name) {
        String value = System.getProperty(name);
        String given = value == null ? "true" : value.strip();
        if (given.equalsIgnoreCase("true")) {
            return true;
        }
        if (given.equalsIgnoreCase("false")) {
            return false;
        }
        warnOnce(name, value, "is neither true nor false: it stays on (true)");
        return true;
    }

    /**
     * A whole number: {@code defaultValue} if unset or no number (warned of), {@code least} if below it (warned of).
     */
    public static long number(String name, long defaultValue, long least) {
        String value = System.getProperty(name);
        if (value == null) {
            return defaultValue;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            warnOnce(name, value, "is no whole number: using " + defaultValue);
            return defaultValue;
        }
        if (parsed < least) {
            warnOnce(name, value, "is below " + least + ": using " + least);
            return least;
        }
        return parsed;
    }

    /**
     * For a child JVM's main: its parent gave it its own mp4j.* settings and warned of any wrong one, so that each
     * child, whose stderr reaches the parent's, need not say it again.
     */
    public static void leaveWarningsToParent() {
        quiet = true;
    }

    private static void warnOnce(String name, String value, String what) {
        if (!quiet && WARNED.add(name + "=" + value)) {
            LOG.log(Level.WARNING, "-D" + name + "=" + value + " " + what + " (see the README's Configuration)");
        }
    }
}

package io.github.multiprocessing4j.testing;

import java.time.Duration;

/**
 * Every delay a test waits for, scaled by {@code -Dmp4j.test.delayFactor} (JSR-166 style), so a slow
 * machine can be given more time without editing tests.
 */
public final class Delays {
    private static final double FACTOR = Double.parseDouble(System.getProperty("mp4j.test.delayFactor", "1"));

    private Delays() {
    }

    public static Duration scaled(Duration d) {
        return Duration.ofNanos((long) (d.toNanos() * FACTOR));
    }

    public static Duration seconds(double s) {
        return scaled(Duration.ofMillis((long) (s * 1000)));
    }

    public static Duration millis(long ms) {
        return scaled(Duration.ofMillis(ms));
    }
}

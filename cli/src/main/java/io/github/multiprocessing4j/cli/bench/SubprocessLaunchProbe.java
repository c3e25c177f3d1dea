package io.github.multiprocessing4j.cli.bench;

import java.util.Locale;

/**
 * Runs in a child JVM of {@link SubprocessBench}, started with one {@code -Djdk.lang.Process.launchMechanism}:
 * times {@code new ProcessBuilder("true").start().waitFor()} and prints {@code launch_ms <median>}. The
 * property is read once, when the JDK's {@code ProcessImpl} is initialised, so each mechanism needs a JVM
 * of its own.
 *
 * <p>Usage: {@code java -Djdk.lang.Process.launchMechanism=FORK -cp ... SubprocessLaunchProbe TRIALS}
 */
public final class SubprocessLaunchProbe {
    private SubprocessLaunchProbe() {
    }

    public static void main(String[] args) throws Exception {
        int trials = Integer.parseInt(args[0]);
        for (int i = 0; i < 20; i++) {
            launch();
        }
        double[] ms = new double[trials];
        for (int i = 0; i < trials; i++) {
            ms[i] = launch();
        }
        System.out.printf(Locale.ROOT,
                "launch_ms %.4f%n", Stats.of(ms).median()); // as every other figure: ms[n / 2] was the upper median
    }

    private static double launch() throws Exception {
        long t0 = System.nanoTime();
        int code = new ProcessBuilder("true").inheritIO().start().waitFor();
        if (code != 0) {
            throw new IllegalStateException("true exited with " + code);
        }
        return (System.nanoTime() - t0) / 1e6;
    }
}

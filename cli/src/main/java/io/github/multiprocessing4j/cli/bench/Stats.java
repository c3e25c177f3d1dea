package io.github.multiprocessing4j.cli.bench;

import java.util.Arrays;

/**
 * Summary statistics of repeated measurements; benchmarks report medians, which shrug off outliers.
 * A NaN sample (a measurement that could not be taken, such as a phase whose stamp is missing) is left
 * out: sorted in, it would count as the largest figure and pull the median up; {@code n} counts the rest.
 */
public record Stats(double median, double min, double max, int n) {

    public static Stats of(double[] samples) {
        double[] s = Arrays.stream(samples).filter(v -> !Double.isNaN(v)).sorted().toArray();
        int n = s.length;
        if (n == 0) {
            return new Stats(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        return new Stats(median, s[0], s[n - 1], n);
    }
}

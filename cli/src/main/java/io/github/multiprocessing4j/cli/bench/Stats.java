package io.github.multiprocessing4j.cli.bench;

import java.util.Arrays;

/** Summary statistics of repeated measurements; benchmarks report medians, which shrug off outliers. */
public record Stats(double median, double min, double max, int n) {

    public static Stats of(double[] samples) {
        if (samples.length == 0) {
            return new Stats(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        double[] s = samples.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        return new Stats(median, s[0], s[n - 1], n);
    }
}

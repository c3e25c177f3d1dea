package io.github.multiprocessing4j.cli.bench;

import java.util.Locale;

/**
 * One line of a benchmark table: what was measured, our figure, CPython's from the same run, and the goal.
 *
 * @param metric   what was measured, e.g. "start->join, back to back"
 * @param unit     "ms", "us", "tasks/s", ...
 * @param ours     our median
 * @param cpython  CPython's median from the same run, or NaN if it was not measured
 * @param higherIsBetter whether a larger figure is better (a rate) or worse (a time)
 * @param goal     the goal in words, e.g. "<= 100 ms and <= 1.3x CPython spawn", or empty
 * @param met      whether the goal is met, or null if there is no goal or it cannot be judged
 */
public record Row(String metric, String unit, double ours, double cpython, boolean higherIsBetter, String goal, Boolean met) {

    public static Row time(String metric, String unit, double ours, double cpython, String goal, Boolean met) {
        return new Row(metric, unit, ours, cpython, false, goal, met);
    }

    public static Row rate(String metric, String unit, double ours, double cpython, String goal, Boolean met) {
        return new Row(metric, unit, ours, cpython, true, goal, met);
    }

    /** "1.25x faster" / "2.00x slower" than CPython, or "-" without a CPython figure. */
    public String comparison() {
        if (Double.isNaN(cpython) || Double.isNaN(ours) || ours <= 0 || cpython <= 0) {
            return "-";
        }
        double speedup = higherIsBetter ? ours / cpython : cpython / ours;
        return speedup >= 1 ? String.format(Locale.ROOT, "%.2fx faster", speedup)
                : String.format(Locale.ROOT, "%.2fx slower", 1 / speedup);
    }

    /** ours / CPython, the raw ratio. */
    public double ratio() {
        return ours / cpython;
    }

    static String format(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a >= 100_000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}

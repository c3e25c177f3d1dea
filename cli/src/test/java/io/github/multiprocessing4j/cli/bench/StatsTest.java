package io.github.multiprocessing4j.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void theMedian_ofAnOddAndAnEvenNumberOfSamples() {
        assertThat(Stats.of(new double[] {3, 1, 2})).isEqualTo(new Stats(2, 1, 3, 3));
        assertThat(Stats.of(new double[] {4, 1, 3, 2})).isEqualTo(new Stats(2.5, 1, 4, 4));
        assertThat(Stats.of(new double[0]).n()).isZero();
    }

    @Test
    void missingSamples_areLeftOut_ratherThanCountedAsTheLargest() {
        // ProcessBench's phases are NaN when a stamp is missing: sorted in, two of them made the median 3
        Stats s = Stats.of(new double[] {1, Double.NaN, 2, Double.NaN, 3});
        assertThat(s).isEqualTo(new Stats(2, 1, 3, 3));
        assertThat(Stats.of(new double[] {Double.NaN, Double.NaN}).median()).isNaN();
    }
}

package io.github.multiprocessing4j.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ProcessBenchTest {

    @Test
    void share_spreadsTheTrialsOverTheRounds_noneLostAndAtMostOneApart() {
        for (int total = 1; total <= 25; total++) {
            int t = total;
            List<Integer> shares = IntStream.range(0, 3).map(r -> ProcessBench.share(t, 3, r)).boxed().toList();
            assertThat(shares.stream().mapToInt(Integer::intValue).sum()).as("total %d", total).isEqualTo(total);
            assertThat(shares.getFirst() - shares.getLast()).as("total %d: %s", total, shares).isBetween(0, 1);
        }
    }

    @Test
    void samples_groupsTheScriptsNumberedLinesByName() {
        Map<String, Double> figures = new LinkedHashMap<>();
        figures.put("spawn_ms.0", 101.5);
        figures.put("spawn_ms.1", 99.0);
        figures.put("forkserver_apart_ms.0", 40.0);
        figures.put("unnumbered", 1.0);

        Map<String, List<Double>> samples = ProcessBench.samples(figures);

        assertThat(samples).containsOnlyKeys("spawn_ms", "forkserver_apart_ms");
        assertThat(samples.get("spawn_ms")).containsExactlyInAnyOrder(101.5, 99.0);
        assertThat(samples.get("forkserver_apart_ms")).containsExactly(40.0);
    }
}

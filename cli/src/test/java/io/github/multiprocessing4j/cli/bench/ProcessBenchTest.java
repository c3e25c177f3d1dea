package io.github.multiprocessing4j.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.launch.PhaseTimings;
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

    /**
     * Without a Python (not found, or too old), CPython's side is skipped and its column shows "-"; the note still
     * said "CPython runs the same loop with multiprocessing.get_context(method).Process. The two sides take turns
     * in 3 rounds", in docs/benchmarks.md under "CPython: not found". It says now that CPython's side was not
     * measured.
     */
    @Test
    void withoutCPythonsSamples_theNotesDoNotSayCPythonRan() {
        String md = new ProcessBench().report(21, 7, 3, List.of(), List.of(80.0, 82.0, 81.0), List.of(9.0, 10.0),
                Map.of(), new PhaseTimings[0], new PhaseTimings[0]).markdown("machine");

        assertThat(md).doesNotContain("CPython runs").doesNotContain("take turns")
                .contains("CPython's side was not measured in this run");
    }

    @Test
    void withCPythonsSamples_theNotesSayHowTheSidesTookTurns() {
        String md = new ProcessBench().report(21, 7, 3, List.of("1.10x", "0.90x", "1.00x"), List.of(80.0, 82.0, 81.0),
                List.of(9.0, 10.0), Map.of("spawn_ms", List.of(80.0), "forkserver_apart_ms", List.of(10.0)),
                new PhaseTimings[0], new PhaseTimings[0]).markdown("machine");

        assertThat(md).contains("CPython runs the same loop").contains("take turns in 3 rounds")
                .contains("1.10x, 0.90x, 1.00x").doesNotContain("not measured");
    }
}

package io.github.multiprocessing4j.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.config.Settings;
import io.github.multiprocessing4j.internal.launch.PhaseTimings;
import io.github.multiprocessing4j.internal.launch.SpareJvms;
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
                Map.of(), new PhaseTimings[0], new PhaseTimings[0], true, true).markdown("machine");

        assertThat(md).doesNotContain("CPython runs").doesNotContain("take turns")
                .contains("CPython's side was not measured in this run");
    }

    @Test
    void withCPythonsSamples_theNotesSayHowTheSidesTookTurns() {
        String md = new ProcessBench().report(21, 7, 3, List.of("1.10x", "0.90x", "1.00x"), List.of(80.0, 82.0, 81.0),
                List.of(9.0, 10.0), Map.of("spawn_ms", List.of(80.0), "forkserver_apart_ms", List.of(10.0)),
                new PhaseTimings[0], new PhaseTimings[0], true, true).markdown("machine");

        assertThat(md).contains("CPython runs the same loop").contains("take turns in 3 rounds")
                .contains("1.10x, 0.90x, 1.00x").doesNotContain("not measured");
    }

    /**
     * With spares off (-Dmp4j.spare=false) every start boots a child of its own, but the spaced row still said
     * "spare ready" and the note "the spare has rehearsed it"; with rehearsals off (-Dmp4j.spare.rehearse=false)
     * the note said so too. They say what the run had.
     */
    @Test
    void withSparesOrRehearsalsOff_theReportDoesNotSayASpareWasReady() {
        String sparesOff = report(false, true);
        assertThat(sparesOff).doesNotContain("spare ready").doesNotContain("the spare has rehearsed it")
                .contains("spares off").contains("Spares were off (mp4j.spare=false)");

        String rehearsalsOff = report(true, false);
        assertThat(rehearsalsOff).contains("spare ready").doesNotContain("the spare has rehearsed it")
                .contains("the spare has not rehearsed it (mp4j.spare.rehearse=false)");

        assertThat(report(true, true)).contains("spare ready").contains("the spare has rehearsed it");
    }

    private static String report(boolean spares, boolean rehearsed) {
        return new ProcessBench().report(21, 7, 3, List.of(), List.of(80.0), List.of(9.0), Map.of(),
                new PhaseTimings[0], new PhaseTimings[0], spares, rehearsed).markdown("machine");
    }

    /**
     * The cold starts turn spares off, and turned them back on after: with -Dmp4j.spare=false, every topic that
     * {@code mp4j bench} ran after this one had spares all the same. They are put back as they were.
     */
    @Test
    void theColdStarts_leaveSparesAsTheyFoundThem() throws Exception {
        SpareJvms spares = SpareJvms.get();
        boolean before = spares.enabled();
        try {
            spares.enabled(false);
            assertThat((boolean) ProcessBench.withoutSpares(spares::enabled)).isFalse();
            assertThat(spares.enabled()).as("off before, off after").isFalse();

            spares.enabled(true);
            assertThat((boolean) ProcessBench.withoutSpares(spares::enabled)).isFalse();
            assertThat(spares.enabled()).as("on before, on after").isTrue();
        } finally {
            spares.enabled(before);
        }
    }

    /**
     * With -Dmp4j.directStart=false on the command line, which the socket starts now put back as they found it, every
     * "task on stdin" cold start ran over a socket too: both rows measured the same start, one of them mislabelled.
     * Those run with direct starts on, and the setting is still false after.
     */
    @Test
    void theColdStartsOnStdin_startDirectly_evenWithDirectStartOffOnTheCommandLine() throws Exception {
        String before = System.getProperty("mp4j.directStart");
        try {
            System.setProperty("mp4j.directStart", "false");
            Boolean[] direct = new Boolean[3];
            Boolean[] socket = new Boolean[3];
            ProcessBench.coldStarts(() -> Settings.isOn(Settings.DIRECT_START), direct, socket);
            assertThat(direct).as("the starts with the task on stdin").containsOnly(true);
            assertThat(socket).as("the starts over a socket").containsOnly(false);
            assertThat(System.getProperty("mp4j.directStart")).as("given before, kept after").isEqualTo("false");
        } finally {
            if (before == null) {
                System.clearProperty("mp4j.directStart");
            } else {
                System.setProperty("mp4j.directStart", before);
            }
        }
    }

    /**
     * The cold starts over a socket set mp4j.directStart=false and then cleared it: given on the command line,
     * the setting was gone for the topics run after this one. It is put back as it was.
     */
    @Test
    void theColdStartsOverASocket_leaveDirectStartAsTheyFoundIt() throws Exception {
        String before = System.getProperty("mp4j.directStart");
        try {
            System.setProperty("mp4j.directStart", "false");
            assertThat(ProcessBench.overSocket(() -> System.getProperty("mp4j.directStart"))).isEqualTo("false");
            assertThat(System.getProperty("mp4j.directStart")).as("given before, kept after").isEqualTo("false");

            System.clearProperty("mp4j.directStart");
            assertThat(ProcessBench.overSocket(() -> System.getProperty("mp4j.directStart"))).isEqualTo("false");
            assertThat(System.getProperty("mp4j.directStart")).as("unset before, unset after").isNull();
        } finally {
            if (before == null) {
                System.clearProperty("mp4j.directStart");
            } else {
                System.setProperty("mp4j.directStart", before);
            }
        }
    }
}

package io.github.multiprocessing4j.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the subprocess topic's report says about the figures it was given. */
class SubprocessBenchTest {
    private static final SubprocessBench.PipeFigures PIPE = new SubprocessBench.PipeFigures(900, 700, 1800, 1700, 9000);

    /**
     * Without a Python (not found, or too old), CPython's side is skipped and its column shows "-"; the report's
     * note still said "CPython runs subprocess.run(["true"]) and Popen(["cat"]).communicate(data) in the same run",
     * in docs/benchmarks.md under "CPython: not found". It says now that CPython's side was not measured.
     */
    @Test
    void withoutCPythonsFigures_theNotesDoNotSayCPythonRan() {
        String md = new SubprocessBench().report(7, 5, 1.0, 0.95, 0.05, 1.2,
                Map.of("POSIX_SPAWN", 1.0, "FORK", 2.0, "VFORK", 0.7), Map.of(), PIPE, Map.of()).markdown("machine");

        assertThat(md).doesNotContain("CPython runs").contains("CPython's side was not measured");
    }

    /**
     * The launch note took POSIX_SPAWN minus VFORK for "jspawnhelper costs about N ms here", which on a noisy run
     * where VFORK came out slower printed a negative cost. It says then that no cost of the helper showed.
     */
    @Test
    void aVforkSlowerThanPosixSpawn_isNotReportedAsANegativeHelperCost() {
        String md = new SubprocessBench().report(7, 5, 1.0, 0.95, 0.05, 1.2,
                Map.of("POSIX_SPAWN", 1.0, "FORK", 2.0, "VFORK", 1.3), Map.of(), PIPE,
                Map.of("run_true_ms", 0.8, "cat_mb_s", 350.0)).markdown("machine");

        assertThat(md).doesNotContain("costs about -").contains("CPython runs");
    }

    /**
     * {@code --trials} did not reach the 100 MiB transfers: their count was fixed at 5, so {@code --trials=1} still
     * moved 5 x 100 MiB each of four ways (and gave CPython's script 5), and the note said 5. The count follows
     * {@code --trials} now, 5 when it is not given, and the note says the number run.
     */
    @Test
    void trialsOfOne_makeOneTransferEachWay_andTheNoteSaysOne() {
        assertThat(SubprocessBench.pipeTrials(1)).isEqualTo(1);
        assertThat(SubprocessBench.pipeTrials(3)).isEqualTo(3);
        // the launches' trials, 200 by default, would move 200 x 100 MiB four ways: fewer trials shorten the run,
        // more do not lengthen the transfers
        assertThat(SubprocessBench.pipeTrials(200)).isEqualTo(5);
        assertThat(SubprocessBench.pipeTrials(0)).as("no --trials: the topic's own count").isEqualTo(5);

        String md = new SubprocessBench().report(1, SubprocessBench.pipeTrials(1), 1.0, 0.95, 0.05, 1.2,
                Map.of("POSIX_SPAWN", 1.0, "FORK", 2.0, "VFORK", 0.7), Map.of(), PIPE, Map.of()).markdown("machine");

        assertThat(md).contains("and of 1 transfer of 100 MiB").doesNotContain("5 transfers");
    }

    /**
     * A launch-mechanism probe that failed gives no figure (NaN), and the launch note still said "so jspawnhelper
     * costs about n/a ms here", a cost this run never measured. It says which probe gave no figure instead.
     */
    @Test
    void aFailedProbe_isNotReportedAsAHelperCost() {
        String md = new SubprocessBench().report(7, 5, 1.0, 0.95, 0.05, 1.2, Map.of("POSIX_SPAWN", 1.0, "FORK", 2.0),
                Map.of("VFORK", "the probe failed (exit 1): Error"), PIPE, Map.of()).markdown("machine");

        assertThat(md).doesNotContain("costs about").contains("the VFORK probe gave no figure");
    }

    /** Both probes failed: the note named the VFORK one alone, as if POSIX_SPAWN's figure were there. */
    @Test
    void twoFailedProbes_areBothNamed() {
        String md = new SubprocessBench().report(7, 5, 1.0, 0.95, 0.05, 1.2, Map.of("FORK", 2.0), Map.of(), PIPE,
                Map.of()).markdown("machine");

        assertThat(md).doesNotContain("costs about").contains("the VFORK and POSIX_SPAWN probes gave no figure");
    }
}

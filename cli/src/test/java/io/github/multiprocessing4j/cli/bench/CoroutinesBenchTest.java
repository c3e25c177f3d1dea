package io.github.multiprocessing4j.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the coroutines topic's notes say about the run they were given. */
class CoroutinesBenchTest {

    private static String notes(boolean python, boolean huge) {
        return CoroutinesBench.closingNotes(new Report("coroutines", "Coroutines"), 3, python, huge).markdown("machine");
    }

    /**
     * Without a Python (not found, or too old), the asyncio column shows "-", but the note still described
     * "asyncio = asyncio.gather of coroutines awaiting asyncio.sleep" as one side of the figures. It says now that
     * CPython's side was not measured.
     */
    @Test
    void withoutCPython_theNotesSayAsyncioWasNotMeasured() {
        assertThat(notes(false, true)).doesNotContain("asyncio = asyncio.gather")
                .contains("CPython's side was not measured in this run");
        assertThat(notes(true, true)).contains("asyncio = asyncio.gather").doesNotContain("not measured");
    }

    /**
     * Where the kernel gives no transparent huge pages on request (THP mode "never", or no THP), the huge-page rows
     * are not measured and show "-", but the note still said the option "cuts both, see its rows". It says now that
     * they were not measured, and why.
     */
    @Test
    void withoutHugePages_theNotesDoNotPointAtTheirEmptyRows() {
        assertThat(notes(true, false)).doesNotContain("see its rows")
                .contains("its rows were not measured in this run");
        assertThat(notes(true, true)).contains("see its rows");
    }
}

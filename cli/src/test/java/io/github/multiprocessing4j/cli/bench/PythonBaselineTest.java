package io.github.multiprocessing4j.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PythonBaselineTest {

    /** A Python the scripts cannot run on is skipped with a note, not run until its SyntaxError ends the bench. */
    @Test
    void onlyPython38OrNewer_isUsable() {
        assertThat(PythonBaseline.usable("Python 3.11.7")).isTrue();
        assertThat(PythonBaseline.usable("Python 3.8.0")).isTrue();
        assertThat(PythonBaseline.usable("Python 3.13.0rc1")).isTrue();
        assertThat(PythonBaseline.usable("Python 3.7.17")).isFalse();
        assertThat(PythonBaseline.usable("Python 2.7.18")).isFalse();
        assertThat(PythonBaseline.usable("")).as("Python 2 prints its version on stderr").isFalse();
        assertThat(PythonBaseline.usable("not found")).isFalse();
        assertThat(PythonBaseline.usable("Python 30.1")).isFalse();
    }

    @Test
    void theInterpreterOfThisMachine_isEitherUsableOrExplained() {
        String why = PythonBaseline.whySkipped();
        if (PythonBaseline.available()) {
            assertThat(why).isEmpty();
        } else {
            assertThat(why).startsWith(PythonBaseline.executable()).containsAnyOf("was not found", "not a Python 3.8");
        }
    }
}

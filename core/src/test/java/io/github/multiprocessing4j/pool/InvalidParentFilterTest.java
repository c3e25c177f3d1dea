package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.pool.fixtures.InvalidFilterParentMain;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.TestJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A parent whose {@code mp4j.serialFilter} is invalid, with workers given a valid one of their own. */
class InvalidParentFilterTest {

    @Test
    void anOutcomeThatTheParentsInvalidFilterCannotReadBack_failsItsTask_withThatFiltersError() throws Exception {
        // The IllegalArgumentException that says the filter is invalid, thrown as the outcome was decoded, was caught
        // by nothing that completes the task: the task was off its worker's queue, the worker was killed, and the
        // task's future never completed
        try (TestJvm parent = TestJvm.start(InvalidFilterParentMain.class, List.of("-Dmp4j.serialFilter=maxdepth=ten"),
                String.valueOf(Delays.seconds(40).toSeconds()))) {
            assertThat(parent.nextLineStartingWith("OUTCOME", 100))
                    .startsWith("OUTCOME java.lang.IllegalArgumentException")
                    .contains("invalid -Dmp4j.serialFilter=maxdepth=ten");
        }
    }
}

package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.pool.fixtures.HugeResultParentMain;
import io.github.multiprocessing4j.testing.TestJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A result larger than the parent's heap can receive. */
class HugeResultTest {

    @Test
    void aResultTooLargeForTheParentsHeap_failsItsTaskSayingSo_notAsACrash_notRunAgain_andThePoolGoesOn()
            throws Exception {
        // Reading the frame ran the pool's reader out of memory: the worker was killed, and its task failed with a
        // WorkerCrashedException ("died ... SIGKILL") that blamed the worker, or, with retries, ran again for nothing.
        try (TestJvm parent = TestJvm.start(HugeResultParentMain.class, List.of("-Xmx64m"), "160")) {
            String outcome = parent.nextLineStartingWith("OUTCOME ", 180);
            assertThat(outcome).doesNotContain("WorkerCrashedException").contains("memory");
            assertThat(parent.nextLineStartingWith("NEXT ", 60)).isEqualTo("NEXT 2");
            // read by apply()'s caller: the raw OutOfMemoryError was thrown there, the worker left to the reader thread
            String applied = parent.nextLineStartingWith("APPLY ", 180);
            assertThat(applied).contains("DecodingException").contains("memory");
            assertThat(parent.nextLineStartingWith("NEXT ", 60)).isEqualTo("NEXT 3");
        }
    }
}

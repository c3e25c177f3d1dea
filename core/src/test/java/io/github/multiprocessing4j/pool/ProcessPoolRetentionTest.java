package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.pool.fixtures.FutureKeeperMain;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.TestJvm;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a process pool's futures keep once their task is done: the result, not what was sent. */
class ProcessPoolRetentionTest {

    @Test
    void aCompletedFuture_keepsNeitherItsEncodedArgumentNorItsEncodedTask() throws Exception {
        // A done future kept its canceller, and through it the task's record: the argument's and the capturing
        // callable's serialized bytes (and the worker, with its buffers).
        keepFutures("done");
    }

    @Test
    void aFutureCancelledWithInterrupt_keepsNeitherItsEncodedArgumentNorItsEncodedTask() throws Exception {
        // A future cancelled with interrupt kept its canceller for a later cancel, which has nothing left to stop:
        // each cancelled task here waited in the pool's queue, and cancel(true) took it out.
        keepFutures("cancelled");
    }

    /** 32 futures of 8 MB each are 256 MB, far above the parent's 96 MB heap; what one task needs fits in it. */
    private static void keepFutures(String how) throws Exception {
        try (TestJvm parent = TestJvm.start(FutureKeeperMain.class, List.of("-Xmx96m"), "16", how)) {
            assertThat(parent.process().waitFor(Delays.seconds(90).toMillis(), TimeUnit.MILLISECONDS))
                    .as("the parent ended").isTrue();
            assertThat(parent.process().exitValue()).as("its exit code; stderr:\n%s", parent.stderr()).isZero();
            assertThat(parent.nextLine(10)).isEqualTo("KEPT 32");
        }
    }
}

package io.github.multiprocessing4j.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.testing.Delays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A spare's warm-up and rehearsal ({@link Warmup}), on the thread the child starts them on. */
class WarmupTest {

    @Test
    void anErrorInTheWarmUp_stillOpensTheRehearsalLatch() throws Exception {
        // The warm-up caught RuntimeException only, and ran outside the try that opens the latch: an Error in it (a
        // StackOverflowError, an OutOfMemoryError, a LinkageError) ended the thread with the latch shut, and the spare
        // that rehearsed a task waited its 5 s for nothing before it left unused.
        SerializableRunnable task = () -> { };
        byte[] rehearsal = Codec.standard().encode(task);
        CountDownLatch rehearsed = Warmup.startInBackground(rehearsal, () -> {
            throw new StackOverflowError("warm-up");
        });
        assertThat(rehearsed.await(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS))
                .as("the latch opens, the Error notwithstanding").isTrue();
    }

    @Test
    void withNothingToRehearse_theLatchIsOpenAtOnce() {
        assertThat(Warmup.startInBackground(new byte[0], () -> { }).getCount()).isZero();
    }
}

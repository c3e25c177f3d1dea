package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * {@link Coroutines#closeAfter}: closing the group of gather and map after the owner failed, with the
 * group's failures attached to the owner's exception, which may be one of them (an input of map that
 * throws the very exception its function threw).
 */
class CloseAfterTest {

    @Test
    void closeAfter_anExceptionThatIsATasksOwn_whenTheOwnerIsInterruptedMeanwhile_carriesNoCycle() throws Exception {
        IllegalStateException shared = new IllegalStateException("failed");
        Thread owner = Thread.currentThread();
        TaskGroupImpl group = TaskGroupImpl.open(true, null);
        CountDownLatch waiterRuns = new CountDownLatch(1);
        Task<Object> failing = group.spawn(() -> {
            waiterRuns.await(); // not before: the failure would cancel the waiter before it ran
            throw shared;
        });
        group.spawn(() -> {
            waiterRuns.countDown();
            // Ends once the owner waits in close(), deaf to the group's cancellation, so that the owner's
            // interrupt lands while it waits: close() then throws InterruptedException, carrying the failures.
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(LockSupport.getBlocker(owner) instanceof Condition) && System.nanoTime() < giveUp) {
                LockSupport.parkNanos(1_000_000);
            }
            return null;
        });
        assertThat(catchThrowable(failing::get)).isInstanceOf(ExecutionException.class); // the group has heard of it
        owner.interrupt();

        Coroutines.closeAfter(group, shared);

        assertThat(Thread.interrupted()).as("the interrupt is kept in the status").isTrue();
        // Before: the InterruptedException of close(), which carries `shared` as suppressed, was attached to it.
        assertThat(shared.getSuppressed()).noneSatisfy(s -> assertThat(Suppressed.carries(s, shared)).isTrue());
    }
}

package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Delays;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;

/**
 * A caller interrupted a second time while a coroutine helper waits for its cancelled calls to end: the
 * helper must still throw {@link InterruptedException} with the interrupt status cleared, as documented.
 */
final class SecondInterrupt {
    /** What runs the call: {@code Coroutines.gather(call)}, {@code Coroutines.map(...)} around it, and so on. */
    interface Operation {
        void run(Callable<String> call) throws Exception;
    }

    private SecondInterrupt() {
    }

    /**
     * Runs {@code operation} on a virtual thread with a call that the first interrupt cancels and that then
     * ends late, when the test lets it; interrupts the caller again while the helper waits for that call.
     */
    static void assertInterruptedExceptionWithTheStatusCleared(Operation operation) throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch callInterrupted = new CountDownLatch(1);
        CountDownLatch mayEnd = new CountDownLatch(1);
        Callable<String> lateCall = () -> {
            running.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                callInterrupted.countDown();
            }
            while (mayEnd.getCount() > 0) {
                try {
                    mayEnd.await();
                } catch (InterruptedException ignored) {
                    // keep waiting
                }
            }
            return "late";
        };
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                operation.run(lateCall);
            } catch (Throwable e) {
                thrown.set(e);
                interruptedAfter.set(Thread.currentThread().isInterrupted());
            }
        });
        running.await();
        caller.interrupt();
        callInterrupted.await(); // the helper has cancelled the call and waits for it to end
        caller.interrupt(); // and is interrupted again meanwhile
        // Let the call end only once that interrupt has been taken (the status is cleared when it is): had the
        // call ended first, the interrupt would come after the wait, and stay pending as usual.
        Awaitility.await().atMost(Delays.seconds(10)).until(() -> !caller.isInterrupted());
        mayEnd.countDown();
        caller.join();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(interruptedAfter.get()).as("interrupt status after InterruptedException").isFalse();
    }
}

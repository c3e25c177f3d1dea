package io.github.multiprocessing4j.async;

import io.github.multiprocessing4j.testing.InheritedContext;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Run in a JVM of its own by {@link LongLivedThreadsTest}: the first deadline of the JVM passes while the
 * owner has an inheritable thread-local value and a context class loader of its own (a web application's
 * request thread, say). The timer thread and the deadline thread, started then, live as long as the JVM;
 * once the owner has let go of both, is either still reachable?
 */
public final class InheritedContextProbeMain {

    private InheritedContextProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        // The virtual-thread scheduler and the JIT warm-up come first: they are not under test, and the
        // warm-up's wait must not eat the deadline before it is armed. No timer exists yet.
        TaskGroup.open().close();
        InheritedContext.probe(InheritedContextProbeMain::firstDeadline);
    }

    private static void firstDeadline() throws Exception {
        // On a loaded machine 200 ms can pass before the task's virtual thread runs: the deadline then cancels a
        // task that never started, and the line below would say false although the threads are as they should be.
        // Such a round is tried again with a longer timeout, still with the owner's context (the threads were
        // started by the first round's deadline, in any case).
        boolean cancelledARunningTask = false;
        for (long millis = 200; millis <= 20_000 && !cancelledARunningTask; millis *= 10) {
            cancelledARunningTask = deadlineCancels(Duration.ofMillis(millis));
        }
        System.out.println("the deadline cancelled a running task: " + cancelledARunningTask);
    }

    private static boolean deadlineCancels(Duration timeout) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Task<Void> task = null;
        try (TaskGroup group = TaskGroup.withTimeout(timeout)) {
            task = group.spawn(() -> {
                started.countDown();
                new CountDownLatch(1).await(); // ended by the deadline (no JDK timer involved)
                return null;
            });
        } catch (TaskGroupTimeoutException expected) {
            // the deadline passed: through the timer and the deadline thread, if it cancelled a running task
        }
        return started.getCount() == 0 && task != null && task.isCancelled();
    }
}

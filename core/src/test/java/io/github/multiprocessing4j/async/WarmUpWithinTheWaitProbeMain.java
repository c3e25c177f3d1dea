package io.github.multiprocessing4j.async;

import io.github.multiprocessing4j.testing.Delays;
import java.time.Duration;

/**
 * Run in a JVM of its own, with one carrier for virtual threads, by {@link TaskGroupDeadlineTest} (argument
 * {@code timeout}: the JVM's first {@link TaskGroup#withTimeout}, {@link #TIMEOUT_MS} long) and by
 * {@link SleepTest} (argument {@code sleep}: the JVM's first {@link Coroutines#sleep}, {@link #SLEEP_MS} long),
 * while a computing coroutine holds that carrier until the caller has waited out the JIT warm-up, whose
 * longest wait is made {@link #WARM_UP_MS} here so that it stands out. Prints how much later than its time
 * after the call the wait ended.
 */
public final class WarmUpWithinTheWaitProbeMain {
    static final long WARM_UP_MS = Delays.millis(1000).toMillis();
    static final long TIMEOUT_MS = Delays.millis(3000).toMillis();
    static final long SLEEP_MS = Delays.millis(200).toMillis();

    private WarmUpWithinTheWaitProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean sleep = args.length > 0 && args[0].equals("sleep");
        CarrierHeldThroughWarmUp.loadGroupClasses(); // loaded before the clock runs
        JitWarmup.maxWait(Duration.ofMillis(WARM_UP_MS));
        CarrierHeldThroughWarmUp.hold(Thread.currentThread(), Duration.ofSeconds(30));
        long t0 = System.nanoTime();
        if (sleep) {
            Coroutines.sleep(Duration.ofMillis(SLEEP_MS));
        } else {
            try (TaskGroup group = TaskGroup.withTimeout(Duration.ofMillis(TIMEOUT_MS))) {
                group.spawn(() -> {
                    Thread.sleep(60_000);
                    return null;
                });
            } catch (TaskGroupTimeoutException expected) {
                // the deadline cancelled the task, and close() returned once it had ended
            }
        }
        System.out.println("late ms: " + ((System.nanoTime() - t0) / 1_000_000 - (sleep ? SLEEP_MS : TIMEOUT_MS)));
    }
}

package io.github.multiprocessing4j.async;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * Run in a JVM of its own by {@link TaskGroupDeadlineTest}, with one carrier for virtual threads: the first
 * {@link Coroutines#timeout} of the JVM, of 90 ms, while a computing coroutine holds that carrier until the
 * caller has waited out the JIT warm-up (which then takes its longest, 100 ms). Prints what timeout() gave.
 */
public final class FirstTimeoutProbeMain {
    private FirstTimeoutProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        for (String c : new String[] {"TaskGroupImpl", "TaskImpl", "CoroutineTimer$Holder", "CoroutineTimer$Action"}) {
            Class.forName(FirstTimeoutProbeMain.class.getPackageName() + "." + c); // loaded before the clock runs
        }
        Thread caller = Thread.currentThread();
        CountDownLatch holding = new CountDownLatch(1);
        Thread.ofVirtual().start(() -> {
            holding.countDown();
            boolean seen = false;
            long giveUp = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < giveUp) { // computing: the carrier is not given back
                boolean inWarmup = Arrays.stream(caller.getStackTrace())
                        .anyMatch(f -> f.getClassName().equals(JitWarmup.class.getName()));
                if (inWarmup) {
                    seen = true;
                } else if (seen) {
                    return;
                }
            }
        });
        holding.await();
        String outcome;
        try {
            outcome = Coroutines.timeout(Duration.ofMillis(90), () -> "ran");
        } catch (Exception e) {
            outcome = e.toString();
        }
        System.out.println("result: " + outcome);
    }
}

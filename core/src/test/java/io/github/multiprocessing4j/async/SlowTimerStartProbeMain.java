package io.github.multiprocessing4j.async;

import io.github.multiprocessing4j.testing.Delays;
import java.time.Duration;

/**
 * Run in a JVM of its own by {@link SleepTest} and {@link TaskGroupDeadlineTest}, with
 * {@code -Djava.util.logging.config.class=}{@link SlowLoggingConfig}: the JVM's first sleep ({@code sleep})
 * or first deadline ({@code deadline}), {@link #WAIT_MS} long, reaches the coroutine timer for the first
 * time, and so starts it, which here takes {@link #SLOW_START_MS} (the timer gets its logger as its class is
 * initialized, and the logging configuration is slow, as a logging backend's first use can be). Prints how
 * much later than {@link #WAIT_MS} after the call the sleep returned or the deadline cancelled its task.
 */
public final class SlowTimerStartProbeMain {
    static final long SLOW_START_MS = Delays.millis(500).toMillis();
    static final long WAIT_MS = Delays.millis(1000).toMillis();
    private static volatile long slowStartAt;

    private SlowTimerStartProbeMain() {
    }

    /** The logging configuration, read as the first logger is made: the coroutine timer's. */
    public static final class SlowLoggingConfig {
        public SlowLoggingConfig() throws InterruptedException {
            slowStartAt = System.nanoTime();
            Thread.sleep(SLOW_START_MS);
        }
    }

    public static void main(String[] args) throws Exception {
        for (String c : new String[] {"TaskGroupImpl", "TaskImpl", "Deadline", "JitWarmup", "Coroutines"}) {
            Class.forName(SlowTimerStartProbeMain.class.getPackageName() + "." + c); // loaded before the clock runs
        }
        JitWarmup.ensure(Long.MAX_VALUE); // not the subject here
        long t0 = System.nanoTime();
        if (args[0].equals("sleep")) {
            Coroutines.sleep(Duration.ofMillis(WAIT_MS));
        } else {
            try (TaskGroup group = TaskGroup.withTimeout(Duration.ofMillis(WAIT_MS))) {
                group.spawn(() -> {
                    Thread.sleep(60_000);
                    return null;
                });
            } catch (TaskGroupTimeoutException expected) {
                // the deadline cancelled the task, and close() returned once it had ended
            }
        }
        long late = (System.nanoTime() - t0) / 1_000_000 - WAIT_MS;
        System.out.println("slow start in the call: " + (slowStartAt - t0 > 0));
        System.out.println("late ms: " + late);
    }
}

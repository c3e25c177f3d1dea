package io.github.multiprocessing4j.async;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one virtual thread to its end before the first coroutine starts, so that the classes a virtual
 * thread needs when it ends are loaded before the JIT compiles {@code VirtualThread.run}.
 *
 * <pre>
 * Why. C2 compiles a call into a class that is not loaded yet as an uncommon trap ("unloaded"). When a
 * program starts a million coroutines that all park before the first one ends, C2 compiles
 * VirtualThread.run while jdk.internal.vm.StackableScope (used in its finally block) is still unloaded;
 * every frame frozen in that compiled code then hits the trap when it resumes, and each one is
 * deoptimized on its own, ~10 us apiece. Measured with -Xlog:deoptimization=debug on JDK 25.0.3: ~60,000
 * "unloaded" deoptimizations in VirtualThread.run for 1M sleepers, none after this warm-up.
 *
 * Not in a static initializer: a thread waiting in a class initializer pins its carrier, and on a
 * scheduler with one carrier the warm-up thread could then never run. The wait is bounded for the same
 * reason: the warm-up is an optimisation, never a reason to block.
 * </pre>
 */
final class JitWarmup {
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    /** The longest wait; changed by tests only, to make the wait stand out. */
    private static volatile Duration maxWait = Duration.ofMillis(100);

    private JitWarmup() {
    }

    /**
     * Runs the warm-up the first time, waiting for it at most {@code budgetNanos} (zero or less: not at all;
     * Long.MAX_VALUE: the longest wait); later calls, and calls racing the first, return at once. A caller with a
     * deadline gives part of the time it has left, so that the warm-up, which is the library's business, does
     * not use up the caller's time.
     */
    static void ensure(long budgetNanos) {
        if (STARTED.get() || !STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread warmUp = Thread.ofVirtual().name("mp4j-jit-warmup").start(() -> { });
        long wait = Math.min(maxWait.toNanos(), budgetNanos);
        if (wait <= 0) {
            return;
        }
        try {
            warmUp.join(Duration.ofNanos(wait));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // keep the interrupt for the caller's next blocking call
        }
    }

    /** For tests: the longest wait of the first {@link #ensure}. */
    static void maxWait(Duration wait) {
        maxWait = wait;
    }
}

package io.github.multiprocessing4j.async;

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
 * </pre>
 */
final class JitWarmup {
    private JitWarmup() {
    }

    static {
        try {
            // Not a lambda: its body would be a method of this class, which the new thread could not call
            // before this initializer ends.
            Thread.ofVirtual().name("mp4j-jit-warmup").start(new Noop()).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the warm-up is an optimisation; keep the interrupt for the caller
        }
    }

    private static final class Noop implements Runnable {
        @Override
        public void run() {
            // ending is the point
        }
    }

    /** Triggers the warm-up once; later calls do nothing. */
    static void ensure() {
        // the static initializer does the work
    }
}

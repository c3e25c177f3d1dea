package io.github.multiprocessing4j.internal.pool;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A JVM whose first pool timer is made by a thread of a group of the program's, at the lowest priority (a background
 * request's, say): prints {@code ACTION <priority> <group>} for the thread that runs an action that fires, then
 * {@code TIMER <priority> <group>} for the timer's own thread (where an action runs when no thread can be made for
 * it). Its own JVM: in the test JVM, threads left by earlier pools would run the action.
 */
public final class PoolTimerThreadsMain {
    private PoolTimerThreadsMain() {
    }

    public static void main(String[] args) throws Exception {
        CompletableFuture<PoolTimer> made = new CompletableFuture<>();
        Thread.ofPlatform().group(new ThreadGroup("requests")).priority(Thread.MIN_PRIORITY)
                .start(() -> made.complete(PoolTimer.startedNow())).join();
        PoolTimer timer = made.get();
        System.out.println("ACTION " + runOnTimer(timer));
        PoolTimer.failNextActionThread(new OutOfMemoryError("unable to create native thread (a test's)"));
        System.out.println("TIMER " + runOnTimer(timer));
        timer.shutdown();
        System.exit(0);
    }

    private static String runOnTimer(PoolTimer timer) throws Exception {
        CompletableFuture<String> where = new CompletableFuture<>();
        timer.schedule(() -> {
            Thread t = Thread.currentThread();
            where.complete(t.getPriority() + " " + t.getThreadGroup().getName() + " " + t.getName());
        }, 0);
        return where.get(60, TimeUnit.SECONDS);
    }
}

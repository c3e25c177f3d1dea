package io.github.multiprocessing4j.testing;

import java.util.concurrent.CountDownLatch;

/**
 * Holds an object's monitor on a thread of its own until released: {@code System.out}'s, say, so that the library's
 * output pumps, which write a child's lines under that monitor, wait.
 *
 * <pre>{@code
 * CountDownLatch release = new CountDownLatch(1);
 * Thread holder = HeldMonitor.hold(System.out, release); // returns once the monitor is held
 * ...
 * release.countDown();
 * holder.join();
 * }</pre>
 */
public final class HeldMonitor {
    private HeldMonitor() {
    }

    /** Returns once a daemon thread holds {@code monitor}; the thread lets go at {@code release}. */
    public static Thread hold(Object monitor, CountDownLatch release) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        Thread holder = Thread.ofPlatform().daemon().start(() -> {
            synchronized (monitor) {
                holding.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        holding.await();
        return holder;
    }
}

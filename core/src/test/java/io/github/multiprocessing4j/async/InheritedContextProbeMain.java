package io.github.multiprocessing4j.async;

import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Run in a JVM of its own by {@link LongLivedThreadsTest}: the first deadline of the JVM passes while the
 * owner has an inheritable thread-local value and a context class loader of its own (a web application's
 * request thread, say). The timer thread and the deadline thread, started then, live as long as the JVM;
 * once the owner has let go of both, is either still reachable?
 */
public final class InheritedContextProbeMain {
    /** Kept: a value is then held only through the maps of the threads that inherited it. */
    private static final InheritableThreadLocal<Object> LOCAL = new InheritableThreadLocal<>();

    private InheritedContextProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        // The virtual-thread scheduler and the JIT warm-up come first: they are not under test, and the
        // warm-up's wait must not eat the deadline before it is armed. No timer exists yet.
        TaskGroup.open().close();
        WeakReference<?>[] refs = firstDeadline();
        for (int i = 0; i < 200 && (refs[0].get() != null || refs[1].get() != null); i++) {
            System.gc();
            Thread.sleep(50);
        }
        System.out.println("inheritable thread-local value kept: " + (refs[0].get() != null));
        System.out.println("context class loader kept: " + (refs[1].get() != null));
    }

    private static WeakReference<?>[] firstDeadline() throws Exception {
        Object value = new Object();
        ClassLoader loader = new URLClassLoader(new URL[0], ClassLoader.getSystemClassLoader());
        Thread me = Thread.currentThread();
        ClassLoader before = me.getContextClassLoader();
        LOCAL.set(value);
        me.setContextClassLoader(loader);
        CountDownLatch started = new CountDownLatch(1);
        Task<Void> task = null;
        try (TaskGroup group = TaskGroup.withTimeout(Duration.ofMillis(200))) {
            task = group.spawn(() -> {
                started.countDown();
                new CountDownLatch(1).await(); // ended by the deadline (no JDK timer involved)
                return null;
            });
        } catch (TaskGroupTimeoutException expected) {
            // the deadline passed: through the timer and the deadline thread, if it cancelled a running task
        } finally {
            me.setContextClassLoader(before);
            LOCAL.remove();
        }
        System.out.println("the deadline cancelled a running task: "
                + (started.getCount() == 0 && task != null && task.isCancelled()));
        return new WeakReference<?>[] {new WeakReference<>(value), new WeakReference<>(loader)};
    }
}

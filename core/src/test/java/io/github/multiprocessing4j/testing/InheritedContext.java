package io.github.multiprocessing4j.testing;

import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;

/**
 * For probes, run in a JVM of their own, of what the library's long-lived threads keep of the thread that
 * happened to start them: an inheritable thread-local value and a context class loader (a web application's
 * request thread, say).
 *
 * {@snippet :
 * InheritedContext.probe(() -> JvmProcess.start("probe", () -> { }).join());
 * // prints "inheritable thread-local value kept: false" and "context class loader kept: false"
 * }
 */
public final class InheritedContext {
    /** Kept: a value is then held only through the maps of the threads that inherited it. */
    private static final InheritableThreadLocal<Object> LOCAL = new InheritableThreadLocal<>();

    private InheritedContext() {
    }

    /** What the probe does while this thread has the context. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    /**
     * Runs {@code action} while this thread has an inheritable thread-local value and a context class loader
     * of its own, lets go of both, collects garbage until the value is not reachable (10 s at the most) and the
     * loader either (2 s more: threads that keep the loader on purpose must not cost the whole wait), and
     * prints on stdout whether each was kept.
     */
    public static void probe(Action action) throws Exception {
        WeakReference<?>[] refs = runWithContext(action);
        for (int i = 0; i < 200 && refs[0].get() != null; i++) {
            System.gc();
            Thread.sleep(50);
        }
        for (int i = 0; i < 40 && refs[1].get() != null; i++) {
            System.gc();
            Thread.sleep(50);
        }
        System.out.println("inheritable thread-local value kept: " + (refs[0].get() != null));
        System.out.println("context class loader kept: " + (refs[1].get() != null));
        System.out.flush();
    }

    private static WeakReference<?>[] runWithContext(Action action) throws Exception {
        Object value = new Object();
        ClassLoader loader = new URLClassLoader(new URL[0], ClassLoader.getSystemClassLoader());
        Thread me = Thread.currentThread();
        ClassLoader before = me.getContextClassLoader();
        LOCAL.set(value);
        me.setContextClassLoader(loader);
        try {
            action.run();
        } finally {
            me.setContextClassLoader(before);
            LOCAL.remove();
        }
        return new WeakReference<?>[] {new WeakReference<>(value), new WeakReference<>(loader)};
    }
}

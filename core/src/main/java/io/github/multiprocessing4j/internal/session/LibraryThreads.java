package io.github.multiprocessing4j.internal.session;

/**
 * The library's own long-lived threads (the session's listener, a child's watch on its parent...) live in a
 * {@link ThreadGroup} of their own, under the top group, apart from the program's and the tasks': a program or
 * task that interrupts every thread of its group ({@link ThreadGroup#interrupt()}, as some frameworks do when they
 * stop) must not reach them, as an interrupted accept or read closes its channel. Nor do they take the priority of
 * the thread that makes them: they run at the normal priority.
 *
 * <p>They are platform threads, not virtual ones, wherever a promise of the library depends on them running soon (a
 * deadline, a kill, a child's admission, the read of a report): the JDK's virtual-thread scheduler never preempts,
 * so CPU-bound virtual threads of the program, as many as the carriers, hold every carrier for as long as they run,
 * and a virtual thread of ours would wait for them to end.
 *
 * <pre>{@code
 * LibraryThreads.daemon("mp4j-parent-watch").stackSize(128 * 1024).start(this::watch);
 * }</pre>
 */
public final class LibraryThreads {
    private static final ThreadGroup GROUP = new ThreadGroup(topGroup(), "mp4j");

    private LibraryThreads() {
    }

    /**
     * A builder of daemon platform threads named {@code name}, in the library's group, at the normal priority: a
     * platform thread otherwise takes the priority of the thread that makes it, and one made by a background thread
     * at the lowest priority (the first to start a child, or to build a pool) would run at that priority for as long
     * as it lived, for every thread it serves.
     */
    public static Thread.Builder.OfPlatform daemon(String name) {
        return Thread.ofPlatform().group(GROUP).daemon().priority(Thread.NORM_PRIORITY).name(name);
    }

    /**
     * Starts a daemon thread named {@code name} in the library's group that runs {@code task} for the calling thread
     * for as long as something of the caller's lives (a child, a pool's worker): it gets the caller's context class
     * loader, which decodes what the task reads and runs its callbacks, but none of its inheritable thread-locals,
     * whose values (a request's, say) it would otherwise keep for all that time.
     */
    public static Thread startWithCallersLoader(String name, Runnable task) {
        Thread thread = daemon(name).inheritInheritableThreadLocals(false).unstarted(task);
        thread.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        thread.start();
        return thread;
    }

    private static ThreadGroup topGroup() {
        ThreadGroup group = Thread.currentThread().getThreadGroup();
        while (group.getParent() != null) {
            group = group.getParent();
        }
        return group;
    }
}

package io.github.multiprocessing4j.internal.session;

/**
 * The library's own long-lived threads (the session's listener, a child's watch on its parent...) live in a
 * {@link ThreadGroup} of their own, under the top group, apart from the program's and the tasks': a program or
 * task that interrupts every thread of its group ({@link ThreadGroup#interrupt()}, as some frameworks do when they
 * stop) must not reach them, as an interrupted accept or read closes its channel.
 *
 * <pre>{@code
 * LibraryThreads.daemon("mp4j-parent-watch").stackSize(128 * 1024).start(this::watch);
 * }</pre>
 */
public final class LibraryThreads {
    private static final ThreadGroup GROUP = new ThreadGroup(topGroup(), "mp4j");

    private LibraryThreads() {
    }

    /** A builder of daemon platform threads named {@code name}, in the library's group. */
    public static Thread.Builder.OfPlatform daemon(String name) {
        return Thread.ofPlatform().group(GROUP).daemon().name(name);
    }

    private static ThreadGroup topGroup() {
        ThreadGroup group = Thread.currentThread().getThreadGroup();
        while (group.getParent() != null) {
            group = group.getParent();
        }
        return group;
    }
}

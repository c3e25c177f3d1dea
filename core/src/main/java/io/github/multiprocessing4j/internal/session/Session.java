package io.github.multiprocessing4j.internal.session;

import io.github.multiprocessing4j.internal.tracker.StaleSessionSweeper;
import io.github.multiprocessing4j.internal.wire.Handshake;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The processes of one tree share a session: a random 32-byte key that every connection between them must
 * prove, and a private (0700) directory where their sockets live.
 *
 * <p>The root process creates both on first use and removes the directory when it exits; a child joins its
 * parent's session through the boot record it reads on stdin, so the key never appears in argv or the
 * environment. A root killed with SIGKILL leaves its directory behind; the next root on the machine
 * {@linkplain StaleSessionSweeper sweeps} it away.
 */
public final class Session {
    private static final Object LOCK = new Object();
    /** Guarded by LOCK for writes. */
    private static volatile Session current;

    /** Work that must finish before the session shuts down (it may still need the listener). */
    private static final List<Runnable> BEFORE_SHUTDOWN = new CopyOnWriteArrayList<>();

    private final byte[] key;
    private final Path directory;
    private final boolean root;
    /** Guarded by this. */
    private ChildListener listener;
    /** A root's lock on its directory's liveness file: held (referenced) for the life of this JVM. */
    @SuppressWarnings({"unused", "FieldCanBeLocal"})
    private FileLock alive;

    private Session(byte[] key, Path directory, boolean root) {
        this.key = key;
        this.directory = directory;
        this.root = root;
    }

    /** This JVM's session, created on first use unless this JVM joined its parent's. */
    public static Session get() {
        Session s = current;
        if (s != null) {
            return s;
        }
        synchronized (LOCK) {
            if (current == null) {
                Path dir = SessionDirectory.create();
                Session created = new Session(Handshake.newKey(), dir, true);
                // The lock is taken through a FileChannel, which an interrupted thread cannot use (it closes
                // instead): the caller's interrupt is set aside for it, and restored for the caller's own wait
                // (a start on an interrupted thread then fails as documented, not with this I/O error).
                boolean interrupted = Thread.interrupted();
                try {
                    created.alive = StaleSessionSweeper.holdAlive(dir);
                } catch (IOException e) {
                    StaleSessionSweeper.deleteTree(dir);
                    throw new UncheckedIOException("cannot lock the session directory " + dir, e);
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
                Runtime.getRuntime().addShutdownHook(cleanupHook(created::shutdown));
                StaleSessionSweeper.sweepInBackground(dir, SessionDirectory.PREFIX);
                current = created;
            }
            return current;
        }
    }

    /** Called once, early, by a child JVM: it belongs to its parent's session. */
    public static void join(byte[] key, Path directory) {
        synchronized (LOCK) {
            if (current != null) {
                throw new IllegalStateException("this JVM already has a session");
            }
            current = new Session(key.clone(), directory, false);
        }
    }

    /**
     * Registers work to finish when this JVM exits, before the session's listener closes: JVM shutdown hooks
     * run in no particular order, so work that still talks to children registers here instead.
     */
    public static void beforeShutdown(Runnable work) {
        BEFORE_SHUTDOWN.add(work);
    }

    /** True if this JVM joined a parent's session, i.e. it is a child. */
    public static boolean isChild() {
        Session s = current;
        return s != null && !s.root;
    }

    public byte[] key() {
        return key.clone();
    }

    public Path directory() {
        return directory;
    }

    /** The socket this JVM's children connect to, bound on first use. */
    public synchronized ChildListener listener() {
        if (listener == null) {
            try {
                listener = new ChildListener(directory.resolve(ProcessHandle.current().pid() + ".sock"), key);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on " + directory, e);
            }
            if (!root) {
                // A child that launches children of its own: close its listener and finish the work registered
                // by beforeShutdown when it exits, as a root does. (Children that launch none skip the hook.)
                try {
                    Runtime.getRuntime().addShutdownHook(cleanupHook(this::shutdown));
                } catch (IllegalStateException e) {
                    // this JVM is already shutting down: nothing is left to clean up after
                }
            }
        }
        return listener;
    }

    private void shutdown() {
        for (Runnable work : BEFORE_SHUTDOWN) {
            try {
                work.run();
            } catch (RuntimeException e) {
                System.getLogger(Session.class.getName()).log(System.Logger.Level.DEBUG, "shutdown work failed", e);
            }
        }
        ChildListener l;
        synchronized (this) {
            l = listener;
        }
        if (l != null) {
            l.close();
        }
        if (root) {
            StaleSessionSweeper.deleteTree(directory);
        }
    }

    /**
     * The shutdown hook that cleans up: a thread made now, run at exit. It must not pin the inheritable
     * thread-locals and context class loader of the thread that happened to make it for the JVM's life.
     */
    private static Thread cleanupHook(Runnable cleanup) {
        return Thread.ofPlatform().name("mp4j-session-cleanup").inheritInheritableThreadLocals(false).unstarted(cleanup);
    }
}

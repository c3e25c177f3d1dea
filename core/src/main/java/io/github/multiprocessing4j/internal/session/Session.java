package io.github.multiprocessing4j.internal.session;

import io.github.multiprocessing4j.internal.tracker.StaleSessionSweeper;
import io.github.multiprocessing4j.internal.wire.Handshake;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
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
 *
 * <p>A directory removed while the session lives (by a cleaner of temporary files, {@code systemd-tmpfiles} or
 * {@code tmpreaper}, or with {@code $XDG_RUNTIME_DIR} at logout) would leave no socket for the next child to
 * connect to: the next launch notices, makes a new directory and listens there. Children connected already
 * keep their connections, which do not need the socket's file.
 */
public final class Session {
    private static final Object LOCK = new Object();
    /** Guarded by LOCK for writes. */
    private static volatile Session current;

    /** Work that must finish before the session shuts down (it may still need the listener). */
    private static final List<Runnable> BEFORE_SHUTDOWN = new CopyOnWriteArrayList<>();

    private final byte[] key;
    /** Written under this, by {@link #listener()}, when the directory was removed and a new one made. */
    private volatile Path directory;
    private final boolean root;
    /** Whether this JVM deletes {@link #directory} when it exits: a root's, or one a child had to make. Guarded by this. */
    private boolean ownsDirectory;
    /** Guarded by this. */
    private ChildListener listener;
    /**
     * Listeners whose socket's file was removed, or that stopped accepting: they still admit the children that
     * connected before. Guarded by this.
     */
    private final List<ChildListener> retired = new ArrayList<>();
    /** Guarded by this. */
    private boolean cleanupHookAdded;
    /** Set once the cleanup hook has closed the listeners (and removed the directory); guarded by this. */
    private boolean closed;
    /** Set as {@link #closed} is, for {@link #isShutDown}, which reads it under no lock. */
    private static volatile boolean shutDown;
    /** A root's lock on its directory's liveness file: held (referenced) for the life of this JVM. */
    @SuppressWarnings({"unused", "FieldCanBeLocal"})
    private FileLock alive;

    private Session(byte[] key, Path directory, boolean root) {
        this.key = key;
        this.directory = directory;
        this.root = root;
        this.ownsDirectory = root;
    }

    /**
     * This JVM's session, created on first use unless this JVM joined its parent's.
     *
     * @throws IllegalStateException if there is none yet and this JVM is shutting down (a first start from a
     *         shutdown hook): a child would outlive the hooks that end children, and a directory made now the one
     *         that removes it; nothing is created
     */
    public static Session get() {
        Session s = current;
        if (s != null) {
            return s;
        }
        synchronized (LOCK) {
            if (current == null) {
                current = createRoot();
            }
            return current;
        }
    }

    /**
     * A root's new session. The hook that removes its directory at exit is added first: once this JVM shuts down
     * none can be, and then nothing is made. The hook waits (on LOCK) for a creation under way. LOCK held.
     */
    private static Session createRoot() {
        Session[] created = new Session[1];
        Thread hook = cleanupHook(() -> {
            Session made;
            synchronized (LOCK) {
                made = created[0];
            }
            if (made != null) {
                made.shutdown();
            }
        });
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException e) { // "Shutdown in progress"
            throw new IllegalStateException("this JVM is shutting down: no child JVM can be started now", e);
        }
        boolean made = false;
        try {
            Path dir = SessionDirectory.create();
            Session session = new Session(Handshake.newKey(), dir, true);
            session.alive = holdAlive(dir);
            StaleSessionSweeper.sweepInBackground(dir, SessionDirectory.PREFIX);
            created[0] = session;
            made = true;
            return session;
        } finally {
            if (!made) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // shutting down meanwhile: the hook finds no session, and does nothing
                }
            }
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
     * Whether this JVM's shutdown has closed its session: no child JVM can start from then on ({@link #listener}
     * refuses), so a start that fails now says nothing about the program.
     */
    public static boolean isShutDown() {
        return shutDown;
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

    /**
     * The socket this JVM's children connect to, bound on first use, and bound anew if its file was removed or
     * replaced; in a new private directory if the session's is gone or no longer private (a child's, say, which
     * its boot record named long ago).
     *
     * @throws IllegalStateException once this JVM's shutdown has closed the session (a start from a shutdown hook
     *         that runs after the session's): a new socket, in a new directory, would outlive the hook that removes
     *         them, and a child the hooks that end children
     */
    public synchronized ChildListener listener() {
        if (closed) {
            throw new IllegalStateException("this JVM is shutting down: no child JVM can be started now");
        }
        if (listener != null && !listener.isServing()) {
            // Its accept loop ended (it said why): a new one binds the same name; the old one admits still the
            // children that connected to it before, and is closed with the rest at exit
            retired.add(listener);
            listener = null;
        } else if (listener != null && !listener.isStillBound()) {
            relocate();
        }
        if (listener == null) {
            if (!isPrivateDirectory(directory)) {
                // A child's first listener, in the directory its boot record names: removed since it was started (a
                // long-lived child, a cleaner of temporary files), or made again by someone else
                Path given = directory;
                moveToFreshDirectory();
                System.getLogger(Session.class.getName()).log(Level.WARNING, "the session directory " + given
                        + " is gone or no longer private: children of this JVM connect to one in " + directory);
            }
            try {
                listener = new ChildListener(directory.resolve(ProcessHandle.current().pid() + ".sock"), key);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on " + directory, e);
            }
            if (!root && !cleanupHookAdded) {
                cleanupHookAdded = true;
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

    /**
     * The socket's file is gone, with the directory as a rule, or another is in its place (the directory was made
     * again, by another user say, who can bind a socket there that children would connect to): retires the listener
     * and, unless the directory is still there and still private, makes a new one (and holds it alive, so that no
     * sweeper takes it for stale) for the next listener, which this JVM deletes when it exits.
     */
    private void relocate() {
        Path old = directory;
        if (!isPrivateDirectory(old)) {
            moveToFreshDirectory();
        }
        // Only now: a relocation that failed above leaves the listener in place, so the next launch tries again
        // (retired first, it would have had the next listener made in the removed directory, for good)
        retired.add(listener);
        listener = null;
        System.getLogger(Session.class.getName()).log(Level.WARNING, "the socket of this JVM's session, in " + old
                + ", was removed or replaced while the JVM ran (by a cleaner of temporary files?): children started"
                + " from now on connect to one in " + directory);
    }

    /**
     * Makes a new private directory for the session's sockets, which this JVM deletes when it exits. Guarded by
     * this.
     */
    private void moveToFreshDirectory() {
        Path fresh = SessionDirectory.create();
        alive = holdAlive(fresh);
        directory = fresh;
        ownsDirectory = true;
    }

    /**
     * Locks the liveness file of a directory this JVM just made, or deletes the directory and throws. The lock
     * is taken through a FileChannel, which an interrupted thread cannot use (it closes instead): the caller's
     * interrupt is set aside for it and restored for the caller's own wait, so that a start on an interrupted
     * thread fails as documented, not with this I/O error.
     */
    private static FileLock holdAlive(Path dir) {
        boolean interrupted = Thread.interrupted();
        try {
            return StaleSessionSweeper.holdAlive(dir);
        } catch (IOException e) {
            StaleSessionSweeper.deleteTree(dir);
            throw new UncheckedIOException("cannot lock the session directory " + dir, e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean isPrivateDirectory(Path dir) {
        try {
            return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && PrivatePaths.isPrivateFolder(dir);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void shutdown() {
        for (Runnable work : BEFORE_SHUTDOWN) {
            try {
                work.run();
            } catch (RuntimeException e) {
                System.getLogger(Session.class.getName()).log(System.Logger.Level.DEBUG, "shutdown work failed", e);
            }
        }
        List<ChildListener> listeners;
        boolean deleteDirectory;
        synchronized (this) {
            closed = true;
            shutDown = true;
            listeners = new ArrayList<>(retired);
            if (listener != null) {
                listeners.add(listener);
            }
            deleteDirectory = ownsDirectory;
        }
        listeners.forEach(ChildListener::close);
        // Only if it is still ours: a cleaner may have removed it, and another user made one of the same name
        if (deleteDirectory && isPrivateDirectory(directory)) {
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

package io.github.multiprocessing4j.internal.tracker;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Removes session directories whose root process died without cleaning up (killed with SIGKILL, or a
 * crash). A session directory is named {@code mp4j-<root pid>-<random>}, and its root holds a lock on the
 * file {@value #ALIVE} in it for as long as it lives; the kernel releases the lock when the root dies,
 * however it dies. A directory is stale when that lock can be taken. The lock, not the pid, decides:
 * a temporary directory may be shared with other PID namespaces (containers that mount the same
 * {@code /tmp}), where a live root's pid means nothing. Only directories of an older version, without the
 * file, are judged by their pid, and only once they are a minute old.
 *
 * <p>Only directories owned by this user (the same uid as this root's own) are considered. Runs once per
 * root process, on a virtual thread, so it never slows a launch down.
 *
 * <pre>{@code
 * FileLock alive = StaleSessionSweeper.holdAlive(ownDirectory); // keep it referenced for the JVM's life
 * StaleSessionSweeper.sweepInBackground(ownDirectory, "mp4j-");
 * }</pre>
 */
public final class StaleSessionSweeper {
    private static final System.Logger LOG = System.getLogger(StaleSessionSweeper.class.getName());
    /** The lock file a live root holds in its session directory. */
    public static final String ALIVE = "alive.lock";

    /** The liveness file is made 0600, as every file of ours; the umask may only take bits away. */
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_READ_WRITE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final long UNLOCKED_GRACE_MILLIS = 60_000;

    private StaleSessionSweeper() {
    }

    /**
     * Creates and locks the liveness file of a root's own session directory. The lock lasts as long as the
     * returned object is reachable and this JVM lives: keep a reference to it.
     */
    public static FileLock holdAlive(Path ownDirectory) throws IOException {
        // Locked under another name, then renamed (the lock belongs to the file, not its name): a sweeper never
        // sees the liveness file unlocked while its root lives. Until the rename, the directory has no such
        // file, and a young directory without one is left alone.
        Path unnamed = ownDirectory.resolve(ALIVE + ".new");
        FileChannel channel = FileChannel.open(unnamed,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_READ_WRITE);
        try {
            FileLock lock = channel.lock();
            Files.move(unnamed, ownDirectory.resolve(ALIVE), StandardCopyOption.ATOMIC_MOVE);
            return lock;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Sweeps the siblings of {@code ownDirectory} whose names start with {@code prefix}. */
    public static void sweepInBackground(Path ownDirectory, String prefix) {
        Thread.ofVirtual().name("mp4j-sweeper").start(() -> sweep(ownDirectory, prefix));
    }

    static void sweep(Path ownDirectory, String prefix) {
        Path base = ownDirectory.getParent();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(base, prefix + "*")) {
            Object ownUid = uid(ownDirectory);
            for (Path dir : entries) {
                long pid = ownerPid(dir.getFileName().toString(), prefix);
                if (pid > 0 && !dir.equals(ownDirectory) && ownUid.equals(uid(dir)) && isStale(dir, pid)) {
                    LOG.log(Level.DEBUG, "removing stale session directory {0}", dir);
                    deleteTree(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "could not sweep " + base, e);
        }
    }

    private static boolean isStale(Path dir, long pid) throws IOException {
        Path alive = dir.resolve(ALIVE);
        if (Files.isRegularFile(alive, LinkOption.NOFOLLOW_LINKS)) {
            try (FileChannel channel = FileChannel.open(alive, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
                 FileLock lock = channel.tryLock()) {
                return lock != null;
            } catch (OverlappingFileLockException e) {
                return false; // held by this very JVM
            } catch (IOException e) {
                return false; // cannot tell: leave it
            }
        }
        // No liveness file: a directory of an older version, or one whose root is creating the file this moment.
        long age = System.currentTimeMillis() - Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toMillis();
        return age > UNLOCKED_GRACE_MILLIS && ProcessHandle.of(pid).isEmpty();
    }

    private static Object uid(Path p) throws IOException {
        return Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static long ownerPid(String name, String prefix) {
        int dash = name.indexOf('-', prefix.length());
        try {
            return dash < 0 ? -1 : Long.parseLong(name, prefix.length(), dash, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Deletes a directory and everything in it; best effort, as another process may be deleting it too. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "could not delete " + dir, e);
        }
    }
}

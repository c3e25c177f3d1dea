package io.github.multiprocessing4j.internal.tracker;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Removes session directories whose root process died without cleaning up (killed with SIGKILL, or a
 * crash). A session directory is named {@code mp4j-<root pid>-<random>}; it is stale when no process with
 * that pid is alive. A reused pid only delays the sweep until that process is gone too.
 *
 * <p>Runs once per root process, on a virtual thread, so it never slows a launch down.
 */
public final class StaleSessionSweeper {
    private static final System.Logger LOG = System.getLogger(StaleSessionSweeper.class.getName());

    private StaleSessionSweeper() {
    }

    public static void sweepInBackground(Path base, String prefix) {
        Thread.ofVirtual().name("mp4j-sweeper").start(() -> sweep(base, prefix));
    }

    static void sweep(Path base, String prefix) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(base, prefix + "*")) {
            for (Path dir : entries) {
                long pid = ownerPid(dir.getFileName().toString(), prefix);
                if (pid > 0 && ProcessHandle.of(pid).isEmpty() && ownedByUs(dir)) {
                    LOG.log(Level.DEBUG, "removing stale session directory {0}", dir);
                    deleteTree(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "could not sweep " + base, e);
        }
    }

    private static long ownerPid(String name, String prefix) {
        int dash = name.indexOf('-', prefix.length());
        try {
            return dash < 0 ? -1 : Long.parseLong(name, prefix.length(), dash, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean ownedByUs(Path dir) throws IOException {
        return Files.getOwner(dir).getName().equals(System.getProperty("user.name"));
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

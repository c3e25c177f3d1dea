package io.github.multiprocessing4j.internal.session;

import io.github.multiprocessing4j.internal.tracker.StaleSessionSweeper;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Creates the session's private directory, where its sockets live: {@code mp4j-<root pid>-<random>}
 * under {@code $XDG_RUNTIME_DIR} or {@code java.io.tmpdir}, mode 0700, so only this user can reach them,
 * and only where nobody else can replace it.
 */
final class SessionDirectory {
    /** Unix-domain socket paths are limited to 107 bytes on Linux; leave room for the socket's file name. */
    private static final int MAX_DIRECTORY_LENGTH = 80;
    private static final System.Logger LOG = System.getLogger(SessionDirectory.class.getName());
    static final String PREFIX = "mp4j-";
    /** Names tried per base before giving up: a random name is taken only if someone made it on purpose. */
    private static final int ATTEMPTS = 16;

    private SessionDirectory() {
    }

    static Path create() {
        return create(Arrays.asList(candidates()), SessionDirectory::randomSuffix);
    }

    /**
     * Creates {@code mp4j-<pid>-<suffix>} in the first usable base. A name that exists already (another
     * user may have made it first, to stop this JVM) is never reused: the next suffix is tried.
     */
    static Path create(List<Path> bases, Supplier<String> suffixes) {
        List<String> passedOver = new ArrayList<>();
        bases:
        for (Path base : bases) {
            if (base == null) {
                continue;
            }
            if (!Files.isDirectory(base) || !Files.isWritable(base)) {
                passedOver.add(base + ": not a writable directory");
                continue;
            }
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                Path dir = base.resolve(PREFIX + ProcessHandle.current().pid() + "-" + suffixes.get()).toAbsolutePath();
                if (tooLong(dir)) {
                    passedOver.add(base + ": its path is too long for a Unix-domain socket");
                    continue bases;
                }
                try {
                    createPrivate(dir);
                } catch (FileAlreadyExistsException e) {
                    continue; // taken: draw another name
                } catch (IOException e) {
                    passedOver.add(base + ": cannot create " + dir.getFileName() + " (" + e + ")");
                    continue bases; // a full or read-only file system, say: the next base may do
                }
                Optional<Path> open = othersCanReplace(dir);
                if (open.isPresent()) {
                    StaleSessionSweeper.deleteTree(dir);
                    passedOver.add(base + ": " + open.get() + " belongs to another user or others may write to it");
                    continue bases;
                }
                return withoutLinks(dir);
            }
            passedOver.add(base + ": " + ATTEMPTS + " random names were all taken");
        }
        throw new IllegalStateException("no directory for the session's sockets: it needs a writable one with a path "
                + "shorter than " + MAX_DIRECTORY_LENGTH + " bytes that only this user (or root) controls; set "
                + "java.io.tmpdir to one. Passed over: " + String.join("; ", passedOver));
    }

    /**
     * The folder above {@code dir}, if any, through which someone other than this user (and root) could
     * rename {@code dir} away and put a directory of their own in its place, where this JVM would then bind
     * its sockets: a relay there sees and forges the frames of authenticated connections. So each directory
     * above it must belong to this user (the owner of {@code dir}, just made) or root, and be writable by
     * nobody else unless it is sticky, as {@code /tmp} is. A {@code $XDG_RUNTIME_DIR} inherited from another
     * user (by {@code su}) fails this.
     */
    private static Optional<Path> othersCanReplace(Path dir) {
        try {
            int me = PrivatePaths.owner(dir);
            Optional<Path> open = me < 0 ? Optional.empty() : PrivatePaths.openAncestor(dir.toRealPath(), me);
            open.ifPresent(p -> LOG.log(Level.DEBUG, "not making the session directory under {0}: {1} belongs to "
                    + "another user or others may write to it", dir.getParent(), p));
            return open;
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "cannot check who owns the directories above " + dir, e);
            return Optional.of(dir.getParent());
        }
    }

    /**
     * The path that was checked, without links that could be swapped later, if it is still short enough for
     * socket paths (macOS's {@code /tmp} is a link to {@code /private/tmp}); else {@code dir} as it is.
     */
    private static Path withoutLinks(Path dir) {
        try {
            Path real = dir.toRealPath();
            return tooLong(real) ? dir : real;
        } catch (IOException e) {
            return dir;
        }
    }

    /** Socket paths are limited in bytes, and a name outside ASCII takes more than one (UTF-8, as a rule). */
    private static boolean tooLong(Path dir) {
        return dir.toString().getBytes(StandardCharsets.UTF_8).length > MAX_DIRECTORY_LENGTH;
    }

    private static void createPrivate(Path dir) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try {
                // createDirectory applies the umask; make sure the mode is exactly 0700.
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (IOException e) {
                Files.deleteIfExists(dir);
                throw e;
            }
        } else {
            Files.createDirectory(dir);
        }
    }

    /** Unpredictable, so that nobody can make the directory's name first. */
    private static String randomSuffix() {
        return HexFormat.of().toHexDigits(Holder.RANDOM.nextLong());
    }

    private static final class Holder {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    private static Path[] candidates() {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        return new Path[] {
            runtime == null || runtime.isBlank() ? null : Path.of(runtime),
            Path.of(System.getProperty("java.io.tmpdir")),
            Path.of("/tmp"),
        };
    }
}

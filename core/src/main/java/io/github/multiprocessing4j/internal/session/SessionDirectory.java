package io.github.multiprocessing4j.internal.session;

import io.github.multiprocessing4j.internal.tracker.StaleSessionSweeper;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        return create(bases, suffixes, (dir, moment) -> { });
    }

    /**
     * {@link #create(List, Supplier)}, with {@code meanwhile} run right after the {@code mkdir} of a directory,
     * and again once its mode is set, before it is checked: in tests, what another user could do then.
     */
    static Path create(List<Path> bases, Supplier<String> suffixes, Meanwhile meanwhile) {
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
                    PrivatePaths.createPrivateFolder(dir, meanwhile);
                    meanwhile.act(dir, Moment.MODE_SET);
                } catch (FileAlreadyExistsException e) {
                    continue; // taken: draw another name
                } catch (IOException e) {
                    passedOver.add(base + ": cannot create " + dir.getFileName() + " (" + e + ")");
                    continue bases; // a full or read-only file system, say: the next base may do
                }
                Checked checked = check(dir);
                if (checked.open().isPresent()) {
                    if (checked.stillOurs()) {
                        StaleSessionSweeper.deleteTree(dir);
                    } // else someone put their own entry in its place: not ours to delete, nor to follow
                    passedOver.add(base + ": " + checked.open().get() + " belongs to another user or others may write to it");
                    continue bases;
                }
                if (!tooLong(checked.real())) {
                    return checked.real();
                }
                // Without its links the path is too long for a socket: the path as given will do, but only if
                // nobody else can point a link on it elsewhere, to a folder of theirs where they relay our sockets.
                Optional<Path> swappable = swappableLink(dir);
                if (swappable.isEmpty()) {
                    return dir;
                }
                StaleSessionSweeper.deleteTree(checked.real());
                passedOver.add(base + ": its path without links is too long for a Unix-domain socket, and another "
                        + "user could point the link " + swappable.get() + " on the way elsewhere");
                continue bases;
            }
            passedOver.add(base + ": " + ATTEMPTS + " random names were all taken");
        }
        throw new IllegalStateException("no directory for the session's sockets: it needs a writable one with a path "
                + "shorter than " + MAX_DIRECTORY_LENGTH + " bytes that only this user (or root) controls; set "
                + "java.io.tmpdir to one. Passed over: " + String.join("; ", passedOver));
    }

    /** Something done to a directory just made, before it is checked. */
    @FunctionalInterface
    interface Meanwhile {
        void act(Path dir, Moment moment) throws IOException;
    }

    /** When a {@link Meanwhile} acts: right after the {@code mkdir}, or once the mode is set. */
    enum Moment { MADE, MODE_SET }

    /**
     * What {@link #check} found: {@code real} is the directory's path with the links above it resolved (but
     * not the directory itself, which may have been replaced by a link); {@code open} is the first place
     * through which someone other than this user (and root) could replace it; {@code stillOurs} whether the
     * entry there is still a directory of this user, not a link.
     */
    private record Checked(Path real, Optional<Path> open, boolean stillOurs) {
    }

    /**
     * Where someone other than this user (and root) could rename {@code dir} away and put a directory of their
     * own in its place, where this JVM would then bind its sockets: a relay there sees and forges the frames of
     * authenticated connections. So each directory above it must belong to this user or root, and be writable
     * by nobody else unless it is sticky, as {@code /tmp} is. A {@code $XDG_RUNTIME_DIR} inherited from another
     * user (by {@code su}) fails this.
     *
     * <p>The directories checked are those above {@code dir}'s own name, whose links are resolved; {@code dir}
     * itself is never followed. Where others can write, they may have replaced it, between its making and this
     * check, by a link: to one of this user's folders (which the session would take for its own, and delete
     * at exit) or to one of theirs (owned by them, so that the uid of {@code dir} would say "theirs" is "ours").
     * The owner that counts is this process's user, and the entry must still be a directory of theirs.
     */
    private static Checked check(Path dir) {
        Path real = dir;
        try {
            real = dir.getParent().toRealPath().resolve(dir.getFileName());
            int me = PrivatePaths.currentUidOr(dir);
            if (me < 0) {
                return new Checked(real, Optional.empty(), true); // no Unix owners and modes here
            }
            boolean ours = PrivatePaths.isDirectoryOf(real, me);
            Optional<Path> open = PrivatePaths.openAncestor(real, me);
            if (open.isEmpty() && !ours) {
                open = Optional.of(real); // replaced, though nobody else could have done it: refuse anyway
            }
            Path realDir = real;
            open.ifPresent(p -> LOG.log(Level.DEBUG, "not making the session directory under {0}: {1} belongs to "
                    + "another user or others may write to it", realDir.getParent(), p));
            return new Checked(real, open, ours);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "cannot check who owns the directories above " + dir, e);
            return new Checked(real, Optional.of(dir.getParent()), false);
        }
    }

    /** A link on the way to {@code dir} that someone else could point elsewhere; see {@link PrivatePaths#swappableLink}. */
    private static Optional<Path> swappableLink(Path dir) {
        try {
            int me = PrivatePaths.currentUidOr(dir);
            return me < 0 ? Optional.empty() : PrivatePaths.swappableLink(dir.getParent(), me);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "cannot check the links on the way to " + dir, e);
            return Optional.of(dir.getParent());
        }
    }

    /** Socket paths are limited in bytes, and a name outside ASCII takes more than one (UTF-8, as a rule). */
    private static boolean tooLong(Path dir) {
        return dir.toString().getBytes(StandardCharsets.UTF_8).length > MAX_DIRECTORY_LENGTH;
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

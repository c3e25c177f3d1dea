package io.github.multiprocessing4j.internal.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a folder, or a file in it, can be changed by nobody but this user (and root). The session's
 * sockets and the AOT caches that children load must live in such places: another user who could swap
 * the session directory could relay its connections, and a planted cache runs their code in every child.
 *
 * <p>The rules are those of OpenSSH's {@code StrictModes}: the folder (after symbolic links are resolved)
 * belongs to this user and is writable by nobody else; each of its ancestors belongs to this user or root
 * and is writable by nobody else unless it is sticky, as {@code /tmp} is (there only an entry's owner may
 * rename or delete it). A file belongs to this user, is a regular file (not a link) and is writable by
 * nobody else. As in Debian's OpenSSH, "writable by the group" is no one else when the group is the user's
 * private group ({@link UserPrivateGroups}): Fedora and RHEL give such users umask 002, so their folders
 * are group-writable. Where the file system has no Unix owners and modes
 * (Windows), everything passes.
 */
public final class PrivatePaths {
    /** The mode of every file of ours: 0600. */
    public static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");
    /** The mode of every folder of ours: 0700. */
    public static final Set<PosixFilePermission> OWNER_ONLY_FOLDER = PosixFilePermissions.fromString("rwx------");
    private static final int ROOT = 0;
    private static final int WRITABLE_BY_OTHERS = 0002;
    private static final int WRITABLE_BY_GROUP = 0020;
    private static final int STICKY = 01000;
    /** This process's user id, once read. */
    private static volatile Integer knownUid;

    private PrivatePaths() {
    }

    /**
     * Makes {@code dir}, mode 0700 whatever the umask, and checks that the entry is still the directory just
     * made (where others may write, it could be replaced by a link at once); deletes it and throws if not.
     */
    public static void createPrivateFolder(Path dir) throws IOException {
        createPrivateFolder(dir, (d, moment) -> { });
    }

    /** {@link #createPrivateFolder(Path)}, with {@code meanwhile} acting right after the {@code mkdir} (tests). */
    static void createPrivateFolder(Path dir, SessionDirectory.Meanwhile meanwhile) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PrivatePaths.OWNER_ONLY_FOLDER));
            try {
                meanwhile.act(dir, SessionDirectory.Moment.MADE);
                // createDirectory applies the umask; make sure the mode is exactly 0700. A chmod follows links (the
                // JDK's too, asked not to), and where others may write, the entry may no longer be the directory
                // just made: look at the entry itself first, and chmod only if the umask took an owner's bit, which
                // hardly any umask does.
                BasicFileAttributes entry = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!entry.isDirectory()) {
                    throw new IOException(dir + " was replaced, by a link or another file, as soon as it was made");
                }
                if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(PrivatePaths.OWNER_ONLY_FOLDER)) {
                    Files.setPosixFilePermissions(dir, PrivatePaths.OWNER_ONLY_FOLDER);
                }
            } catch (IOException e) {
                Files.deleteIfExists(dir);
                throw e;
            }
        } else {
            Files.createDirectory(dir);
        }
    }

    /** True if only this user (and root) can add, replace or remove entries of {@code dir}. */
    public static boolean isPrivateFolder(Path dir) throws IOException {
        if (unixAttributes(dir, false) == null) {
            return true;
        }
        int me = currentUid();
        Path real = dir.toRealPath();
        return isOwnAndClosed(unixAttributes(real, false), me) && openAncestor(real, me).isEmpty();
    }

    /** True if {@code file} is a regular file of this user that nobody else can write. */
    public static boolean isPrivateFile(Path file) throws IOException {
        return isOwnRegularFile(file, true);
    }

    /** True if {@code file} is a regular file (not a link) that belongs to this user. */
    public static boolean isOwnFile(Path file) throws IOException {
        return isOwnRegularFile(file, false);
    }

    private static boolean isOwnRegularFile(Path file, boolean closedToOthers) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Map<String, Object> unix = unixAttributes(file, true);
        if (unix == null) {
            return true;
        }
        int me = currentUid();
        return closedToOthers ? isOwnAndClosed(unix, me) : (Integer) unix.get("uid") == me;
    }

    /**
     * The first folder above {@code realDir} (a path without links) that someone other than {@code owner}
     * and root could change, and so could rename {@code realDir} away and put their own in its place.
     */
    static Optional<Path> openAncestor(Path realDir, int owner) throws IOException {
        for (Path ancestor = realDir.getParent(); ancestor != null; ancestor = ancestor.getParent()) {
            Map<String, Object> a = unixAttributes(ancestor, false);
            if (a == null) {
                return Optional.empty();
            }
            int uid = (Integer) a.get("uid");
            if (uid != owner && uid != ROOT || writableByOthers(a, owner) && ((Integer) a.get("mode") & STICKY) == 0) {
                return Optional.of(ancestor);
            }
        }
        return Optional.empty();
    }

    /** Links followed at most while reading a path, as Linux's {@code MAXSYMLINKS}. */
    private static final int MAX_LINKS = 40;

    /**
     * The first symbolic link met on the way along {@code path} (absolute) that someone other than
     * {@code owner} and root could point elsewhere: one that belongs to someone else, or lies in a folder
     * (or below one) that others could change ({@link #openAncestor}). Links in the targets of links count
     * too. Empty if every link on the way is fixed, so that {@code path} leads where it leads now for as long
     * as only {@code owner} and root want it to. Where there are too many links, {@code path} itself.
     */
    static Optional<Path> swappableLink(Path path, int owner) throws IOException {
        Deque<Path> names = new ArrayDeque<>();
        path.forEach(names::add);
        Path at = path.getRoot();
        int links = 0;
        while (!names.isEmpty()) {
            Path name = names.removeFirst();
            String n = name.toString();
            if (n.equals(".")) {
                continue;
            }
            if (n.equals("..")) {
                at = at.getParent() == null ? at : at.getParent(); // at has no links: its parent is the real one
                continue;
            }
            Path next = at.resolve(name);
            if (!Files.isSymbolicLink(next)) {
                at = next;
                continue;
            }
            Map<String, Object> link = unixAttributes(next, true);
            if (link == null) {
                return Optional.empty();
            }
            int uid = (Integer) link.get("uid");
            if (++links > MAX_LINKS || uid != owner && uid != ROOT || openAncestor(next, owner).isPresent()) {
                return Optional.of(links > MAX_LINKS ? path : next);
            }
            Path target = Files.readSymbolicLink(next);
            List<Path> targetNames = new ArrayList<>();
            target.forEach(targetNames::add);
            for (int i = targetNames.size() - 1; i >= 0; i--) {
                names.addFirst(targetNames.get(i));
            }
            if (target.isAbsolute()) {
                at = target.getRoot();
            }
        }
        return Optional.empty();
    }

    /**
     * This process's user id, or -1 where the file system has no owners. Where it cannot be read
     * ({@code /proc/self} is Linux's), the owner of {@code madeHere}, which this process has just made (a
     * link is not followed).
     */
    static int currentUidOr(Path madeHere) throws IOException {
        Map<String, Object> unix = unixAttributes(madeHere, true);
        if (unix == null) {
            return -1;
        }
        return Files.isDirectory(Path.of("/proc/self")) ? currentUid() : (Integer) unix.get("uid");
    }

    /** True if {@code p} itself (not a link to one) is a directory that belongs to {@code uid}. */
    static boolean isDirectoryOf(Path p, int uid) throws IOException {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Map<String, Object> unix = unixAttributes(p, true);
        return unix == null || (Integer) unix.get("uid") == uid;
    }

    private static boolean isOwnAndClosed(Map<String, Object> unix, int me) {
        return (Integer) unix.get("uid") == me && !writableByOthers(unix, me);
    }

    /** Whether someone other than {@code user} (and root) may write: others, or a group that is not theirs alone. */
    private static boolean writableByOthers(Map<String, Object> unix, int user) {
        int mode = (Integer) unix.get("mode");
        if ((mode & WRITABLE_BY_OTHERS) != 0) {
            return true;
        }
        return (mode & WRITABLE_BY_GROUP) != 0 && !UserPrivateGroups.isPrivateGroupOf((Integer) unix.get("gid"), user);
    }

    /** The owner, group and mode of {@code p}, or null where the file system has none. */
    private static Map<String, Object> unixAttributes(Path p, boolean noFollow) throws IOException {
        try {
            return noFollow ? Files.readAttributes(p, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS)
                    : Files.readAttributes(p, "unix:uid,gid,mode");
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * This process's user id: on Linux, the file-system uid in {@code /proc/self/status} (whom the files it
     * makes belong to; the owner of {@code /proc/self} itself is root for a process that is not dumpable, a
     * {@code java} given file capabilities, say), else the owner of {@code /proc/self}; elsewhere the owner of
     * the session directory, which this JVM's session created (a child's, its parent: the same user).
     */
    private static int currentUid() throws IOException {
        Integer uid = knownUid;
        if (uid == null) {
            Path self = Path.of("/proc/self");
            if (Files.isDirectory(self)) {
                uid = fileSystemUid(self.resolve("status"));
                if (uid == null) {
                    uid = (Integer) Files.getAttribute(self, "unix:uid");
                }
            } else {
                uid = (Integer) Files.getAttribute(Session.get().directory(), "unix:uid");
            }
            knownUid = uid; // a JVM cannot change its user: read once
        }
        return uid;
    }

    /** The fourth uid of the {@code Uid:} line (real, effective, saved, file system), or null. */
    private static Integer fileSystemUid(Path status) {
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("Uid:")) {
                    String[] ids = line.substring(4).trim().split("\\s+");
                    return ids.length == 4 ? Integer.parseUnsignedInt(ids[3]) : null;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall back to the owner of /proc/self
        }
        return null;
    }
}

package io.github.multiprocessing4j.internal.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a group is a user's private group, in the scheme that Red Hat, Fedora and Debian use: a group of
 * the user's own name that is their primary group and has nobody else in it. Members of such a group are
 * the user alone, so a folder it may write to is still the user's alone.
 *
 * <p>Read from {@code /etc/passwd} and {@code /etc/group}: no other user may have the group as primary
 * group, and no entry of the group may list a member but the user. What those files cannot tell is not
 * taken on trust: where {@code /etc/nsswitch.conf} takes groups or users from anything but local files
 * (LDAP, SSSD, NIS), or a file has NIS {@code +}/{@code -} lines, no group counts as private.
 */
final class UserPrivateGroups {
    private static final UserPrivateGroups SYSTEM =
            new UserPrivateGroups(Path.of("/etc/passwd"), Path.of("/etc/group"), Path.of("/etc/nsswitch.conf"));
    /** The name-service sources that read only local files. */
    private static final Set<String> LOCAL_SOURCES = Set.of("files", "altfiles", "systemd", "compat");

    private final Path passwd;
    private final Path group;
    private final Path nsswitch;
    private final Map<Long, Boolean> answers = new ConcurrentHashMap<>();

    UserPrivateGroups(Path passwd, Path group, Path nsswitch) {
        this.passwd = passwd;
        this.group = group;
        this.nsswitch = nsswitch;
    }

    /** Whether {@code gid} is the private group of the user {@code uid}, by this system's files. */
    static boolean isPrivateGroupOf(int gid, int uid) {
        return SYSTEM.check(gid, uid);
    }

    boolean check(int gid, int uid) {
        return answers.computeIfAbsent(((long) gid << 32) | (uid & 0xffffffffL), k -> read(gid, uid));
    }

    private boolean read(int gid, int uid) {
        try {
            if (!localOnly("passwd") || !localOnly("group")) {
                return false;
            }
            long g = Integer.toUnsignedLong(gid);
            long u = Integer.toUnsignedLong(uid);
            String user = null;
            for (String[] entry : entries(passwd)) { // name:password:uid:gid:...
                if (number(entry[2]) == u) {
                    if (number(entry[3]) != g) {
                        return false; // not the user's primary group
                    }
                    user = entry[0];
                } else if (number(entry[3]) == g) {
                    return false; // another user's primary group
                }
            }
            if (user == null) {
                return false;
            }
            boolean ours = false;
            for (String[] entry : entries(group)) { // name:password:gid:member,member; a gid may appear twice
                if (number(entry[2]) == g) {
                    if (!entry[3].isEmpty() && !entry[3].equals(user)) {
                        return false; // someone else is in it
                    }
                    ours |= entry[0].equals(user);
                }
            }
            return ours;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Whether the name service takes {@code database} from local files only (as without nsswitch.conf). */
    private boolean localOnly(String database) throws IOException {
        if (!Files.exists(nsswitch)) {
            return true;
        }
        for (String line : Files.readAllLines(nsswitch, StandardCharsets.ISO_8859_1)) {
            String content = line.replaceFirst("#.*", "").trim();
            if (content.startsWith(database + ":")) {
                return Arrays.stream(content.substring(database.length() + 1).trim().split("\\s+"))
                        .filter(source -> !source.isEmpty() && !source.startsWith("["))
                        .allMatch(LOCAL_SOURCES::contains);
            }
        }
        return true;
    }

    /**
     * The entries of a colon-separated file that have at least four fields.
     *
     * @throws UnsupportedOperationException if the file has NIS {@code +}/{@code -} lines, which name users
     *         and groups that only the NIS server knows
     */
    private static List<String[]> entries(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1); // names need not be UTF-8
        if (lines.stream().anyMatch(line -> line.startsWith("+") || line.startsWith("-"))) {
            throw new UnsupportedOperationException("NIS entries in " + file);
        }
        return lines.stream().map(line -> line.split(":", -1)).filter(f -> f.length >= 4).toList();
    }

    /** A numeric field, or -1 if it is not a number. */
    private static long number(String field) {
        try {
            return Long.parseLong(field.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}

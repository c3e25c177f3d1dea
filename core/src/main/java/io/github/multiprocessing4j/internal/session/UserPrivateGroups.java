package io.github.multiprocessing4j.internal.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a group is a user's private group, in the scheme that Red Hat, Fedora and Debian use: a group of
 * the user's own name that is their primary group and has nobody else in it. Members of such a group are
 * the user alone, so a folder it may write to is still the user's alone.
 *
 * <p>Read from {@code /etc/passwd} and {@code /etc/group}: no other user may have the group as primary
 * group, and the group may list no member but the user. A group known only to a directory service (LDAP,
 * SSSD) cannot be checked this way and does not count as private.
 */
final class UserPrivateGroups {
    private static final UserPrivateGroups SYSTEM =
            new UserPrivateGroups(Path.of("/etc/passwd"), Path.of("/etc/group"));

    private final Path passwd;
    private final Path group;
    private final Map<Long, Boolean> answers = new ConcurrentHashMap<>();

    UserPrivateGroups(Path passwd, Path group) {
        this.passwd = passwd;
        this.group = group;
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
            String user = null;
            for (String[] entry : entries(passwd)) { // name:password:uid:gid:...
                if (number(entry[2]) == uid) {
                    if (number(entry[3]) != gid) {
                        return false; // not the user's primary group
                    }
                    user = entry[0];
                } else if (number(entry[3]) == gid) {
                    return false; // another user's primary group
                }
            }
            if (user == null) {
                return false;
            }
            for (String[] entry : entries(group)) { // name:password:gid:member,member
                if (number(entry[2]) == gid) {
                    return entry[0].equals(user) && (entry[3].isEmpty() || entry[3].equals(user));
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** The lines of a colon-separated file that have at least four fields. */
    private static List<String[]> entries(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(line -> line.split(":", -1)).filter(f -> f.length >= 4).toList();
    }

    /** A numeric field, or -1 if it is not a number (a NIS "+" line, say). */
    private static long number(String field) {
        try {
            return Long.parseLong(field.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}

package io.github.multiprocessing4j.internal.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Creates the session's private directory, where its sockets live: {@code mp4j-<root pid>-<random>}
 * under {@code $XDG_RUNTIME_DIR} or {@code java.io.tmpdir}, mode 0700, so only this user can reach them.
 */
final class SessionDirectory {
    /** Unix-domain socket paths are limited to 107 bytes on Linux; leave room for the socket's file name. */
    private static final int MAX_DIRECTORY_LENGTH = 80;
    static final String PREFIX = "mp4j-";

    private SessionDirectory() {
    }

    static Path create() {
        for (Path base : candidates()) {
            if (base == null || !Files.isDirectory(base) || !Files.isWritable(base)) {
                continue;
            }
            String name = PREFIX + ProcessHandle.current().pid() + "-"
                    + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            Path dir = base.resolve(name).toAbsolutePath();
            if (dir.toString().length() > MAX_DIRECTORY_LENGTH) {
                continue;
            }
            try {
                if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                    // createDirectory applies the umask; make sure the mode is exactly 0700.
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                } else {
                    Files.createDirectory(dir);
                }
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the session directory " + dir, e);
            }
        }
        throw new IllegalStateException("no writable temporary directory with a path shorter than "
                + MAX_DIRECTORY_LENGTH + " characters: set java.io.tmpdir to one");
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

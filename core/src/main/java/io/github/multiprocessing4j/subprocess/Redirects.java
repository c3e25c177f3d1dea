package io.github.multiprocessing4j.subprocess;

import java.io.File;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** What this package needs of {@link Redirect}s beyond the JDK: the null device, and names for messages. */
final class Redirects {
    /** The operating system's empty file: the stdin of a child whose input is {@link Redirect#DISCARD}. */
    static final File NULL_FILE = new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");

    private Redirects() {
    }

    /**
     * The redirect of a child's stdin, from what a builder's {@code input(...)} or {@code stdin(...)} was given:
     * a pipe for bytes or text (written by the library), the file for a path, {@code /dev/null} for
     * {@link Redirect#DISCARD} (which the JDK allows for output only), and the parent's stdin by default.
     */
    static Redirect forStdin(Object stdin) {
        return switch (stdin) {
            case byte[] ignored -> Redirect.PIPE;
            case String ignored -> Redirect.PIPE;
            case Path file -> Redirect.from(file.toFile());
            case Redirect r when r == Redirect.DISCARD -> Redirect.from(NULL_FILE);
            case Redirect r -> r;
            case null, default -> Redirect.INHERIT;
        };
    }

    /**
     * Whether {@code a} and {@code b} write to the same file in the same way ({@link Redirect#to} or
     * {@link Redirect#appendTo}). The JDK opens each redirect on its own, so two opens of one file with
     * {@code Redirect.to} each write from offset 0 and overwrite each other's output; a command given the
     * same file for stdout and stderr gets one open file for both instead, as Python's {@code stdout=f,
     * stderr=f} does.
     */
    static boolean sameOutputFile(Redirect a, Redirect b) {
        if (a == null || b == null || a.file() == null || b.file() == null || a.type() != b.type()
                || a.type() == Redirect.Type.READ) {
            return false;
        }
        try {
            return absolute(a.file()).equals(absolute(b.file()));
        } catch (InvalidPathException e) { // a NUL in a name: the JDK refuses to open it anyway
            return a.file().equals(b.file());
        }
    }

    private static Path absolute(File file) {
        return file.toPath().toAbsolutePath().normalize();
    }

    /** "DISCARD", "INHERIT", "PIPE", "file /tmp/out (append)"; the JDK's toString says "WRITE" for DISCARD. */
    static String describe(Redirect r) {
        if (r == Redirect.DISCARD) {
            return "DISCARD";
        }
        if (r.file() == null) {
            return r.type().toString();
        }
        return "file " + r.file() + switch (r.type()) {
            case APPEND -> " (append)";
            case READ -> " (read)";
            default -> "";
        };
    }
}

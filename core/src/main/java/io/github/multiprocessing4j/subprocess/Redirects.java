package io.github.multiprocessing4j.subprocess;

import java.io.File;
import java.lang.ProcessBuilder.Redirect;

/** What this package needs of {@link Redirect}s beyond the JDK: the null device, and names for messages. */
final class Redirects {
    /** The operating system's empty file: the stdin of a child whose input is {@link Redirect#DISCARD}. */
    static final File NULL_FILE = new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");

    private Redirects() {
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

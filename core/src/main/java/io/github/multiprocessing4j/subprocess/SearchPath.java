package io.github.multiprocessing4j.subprocess;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a bare command name (one without {@code /}) is looked for: Python's {@code os.get_exec_path(env)}.
 * The command's own {@code PATH} when {@link Subprocess.Builder#env} or {@link Subprocess.Builder#clearEnv()}
 * gave it one that differs from this JVM's (or Python's {@code os.defpath}, {@code /bin:/usr/bin}, when they
 * left it none); we then look the name up ourselves, since the JDK searches this JVM's {@code PATH} whatever
 * the child's ({@code childproc.c}). Otherwise this JVM's {@code PATH}, and the JDK searches it.
 *
 * <p>A relative entry ({@code .}, {@code bin}, or an empty one, which means {@code .}) is relative to the
 * command's working directory, as the child searches after changing to it.
 */
final class SearchPath {
    /** What the JDK searches when this JVM has no PATH ({@code ProcessImpl_md.c}). */
    private static final String JDK_DEFAULT_PATH = ":/bin:/usr/bin";
    /** Python's {@code os.defpath}: what it searches when the environment given has no PATH. */
    private static final String PYTHON_DEFAULT_PATH = "/bin:/usr/bin";

    private final String path;
    /** Says where {@code path} came from, for messages; "" for this JVM's own PATH. */
    private final String origin;
    private final boolean ours;

    private SearchPath(String path, String origin, boolean ours) {
        this.path = path;
        this.origin = origin;
        this.ours = ours;
    }

    /**
     * The search for a command started with this JVM's environment changed as given: {@code childPath} is
     * the PATH the command gets, or null if it gets none.
     *
     * @param pathChanged whether {@code env("PATH", ...)} or {@code clearEnv()} decided the command's PATH
     */
    static SearchPath of(boolean pathChanged, String childPath) {
        String jvmPath = System.getenv("PATH");
        if (!pathChanged || Objects.equals(childPath, jvmPath)) {
            return new SearchPath(jvmPath == null ? JDK_DEFAULT_PATH : jvmPath,
                    jvmPath == null ? " (this JVM has no PATH: the JDK's default)" : "", false);
        }
        if (childPath == null) {
            return new SearchPath(PYTHON_DEFAULT_PATH, " (the default: clearEnv() left the command no PATH)", true);
        }
        return new SearchPath(childPath, " (the command's PATH, set by env(...))", true);
    }

    /** Whether we look the name up ourselves, rather than leave it to the JDK (which searches this JVM's PATH). */
    boolean ours() {
        return ours;
    }

    /** "PATH=/usr/bin:/bin", with where it came from unless it is this JVM's. */
    String describe() {
        return "PATH=" + path + origin;
    }

    /**
     * The regular files named {@code exe} in the directories of this path, in search order, resolved against
     * {@code cwd} (or this JVM's directory), executable or not.
     *
     * @throws InvalidPathException if this JVM cannot make a path of an entry of its own PATH (one that is not
     *     ASCII in the C locale, say), though the JDK, which searches the PATH's bytes, may find the command
     *     there; an entry of the command's own PATH that it cannot name is skipped, as nothing can be run from it
     */
    List<Path> candidates(String exe, Path cwd) {
        List<Path> files = new ArrayList<>();
        for (String dir : path.split(File.pathSeparator, -1)) { // an empty entry, even the last, means "."
            try {
                Path file = (cwd == null ? Path.of(dir.isEmpty() ? "." : dir) : cwd.resolve(dir)).resolve(exe);
                if (Files.isRegularFile(file)) {
                    files.add(file);
                }
            } catch (InvalidPathException e) {
                if (!ours) {
                    throw e;
                }
            }
        }
        return files;
    }

    /**
     * The absolute file the command runs as {@code exe} (a bare name) in {@code cwd}: the first executable
     * regular file on this path, as {@code execvpe} skips a directory or a file it may not execute; or null.
     */
    Path find(String exe, Path cwd) {
        return candidates(exe, cwd).stream().filter(Files::isExecutable).findFirst().map(Path::toAbsolutePath)
                .orElse(null);
    }
}

package io.github.multiprocessing4j.cli.bench;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;

/**
 * Writes a benchmark topic's section into {@code docs/benchmarks.md}, replacing the section of the same
 * topic from an earlier run and leaving the others alone. Sections sit between
 * {@code <!-- bench:TOPIC -->} and {@code <!-- /bench:TOPIC -->}.
 */
public final class BenchmarksDoc {
    private static final String HEADER = """
            # Benchmarks

            Figures written by `./mp4j bench <topic>`. Each row is the median of several trials of ours and of
            CPython's equivalent, **measured in the same run on the same machine**; the machines are shared and
            noisy, so compare the ratio, not the absolute figures across runs.
            """;

    private BenchmarksDoc() {
    }

    /** Where the document lives: {@code $MP4J_HOME/docs/benchmarks.md} (set by ./mp4j), else ./docs. */
    public static Path defaultPath() {
        String home = System.getenv("MP4J_HOME");
        return (home == null || home.isBlank() ? Path.of(".") : Path.of(home)).resolve("docs").resolve("benchmarks.md");
    }

    public static String machine() {
        return "Measured " + LocalDate.now() + " on " + Runtime.getRuntime().availableProcessors() + " cores ("
                + cpuName() + "), JDK " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + "), "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + "; CPython: "
                + PythonBaseline.version() + ".";
    }

    private static String cpuName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    /**
     * Replaces {@code report}'s section, or appends it when the document has none (creating the document
     * when it does not exist).
     *
     * <p>The new text goes to a temporary file in the document's folder, which is then moved over the document
     * (atomically where the file system can): a write that fails midway (a full disk), or a bench stopped by
     * Ctrl-C while writing, leaves the old document whole, every other topic's section with it, where writing
     * in place left it cut short (and the temporary file is deleted as the JVM exits). The document keeps its
     * permissions; a symbolic link is written through.
     *
     * @throws IOException if the document cannot be read or written, or its markers of this topic are broken
     *                     (see {@link #check}); the document is then left as it was, and no temporary file
     */
    public static void write(Path doc, Report report) throws IOException {
        String begin = begin(report.topic());
        String end = end(report.topic());
        String section = begin + "\n" + report.markdown(machine()) + end;
        String text = Files.exists(doc) ? Files.readString(doc) : HEADER;
        checkMarkers(doc, text, report.topic());
        int from = text.indexOf(begin);
        if (from >= 0) {
            int to = text.indexOf(end);
            text = text.substring(0, from) + section + text.substring(to + end.length());
        } else {
            text = text.stripTrailing() + "\n\n" + section + "\n";
        }
        replace(doc, text);
    }

    /** For tests: run by {@link #write} once its temporary file exists, before it holds the text (null: nothing). */
    static volatile Runnable whileWriting;

    /** Puts {@code text} in {@code doc} through a temporary file moved over it: {@code doc} is old or new, never cut. */
    private static void replace(Path doc, String text) throws IOException {
        // Through a link to the file it names: moved over the link, the new text would replace the link itself.
        Path target = documentFile(doc);
        Path folder = Files.createDirectories(target.getParent());
        Path temporary = Files.createTempFile(folder, "." + target.getFileName() + ".", ".tmp");
        // Ctrl-C ends the JVM through its shutdown hooks, and no finally below runs: the file would stay in the
        // document's folder. Once moved it no longer exists, and the exit deletes nothing (its name was random).
        temporary.toFile().deleteOnExit();
        boolean moved = false;
        try {
            Runnable meanwhile = whileWriting;
            if (meanwhile != null) {
                meanwhile.run();
            }
            Files.writeString(temporary, text);
            if (Files.exists(target)) {
                keepPermissions(target, temporary);
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                // Same folder, so rarely; a file system that cannot rename atomically still replaces the file.
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temporary);
            }
        }
    }

    /**
     * The file that {@code doc} names: itself, or the end of its chain of symbolic links, which need not exist yet (a
     * link to a document not made yet is written through, as writing in place did, not replaced by a file of its own:
     * {@code Files.exists} says false for such a link, and for a loop of links).
     *
     * @throws FileSystemException if the links lead round in a loop (or run longer than the kernel follows)
     */
    private static Path documentFile(Path doc) throws IOException {
        Path file = doc.toAbsolutePath();
        for (int links = 0; Files.isSymbolicLink(file); links++) {
            if (links == MAX_LINKS) {
                throw new FileSystemException(doc.toString(), null, "too many levels of symbolic links (a loop?)");
            }
            // Not normalized: a relative target is resolved from the link's folder by the kernel, ".." included
            file = file.resolveSibling(Files.readSymbolicLink(file));
        }
        return Files.exists(file) ? file.toRealPath() : file;
    }

    /** Linux's MAXSYMLINKS: the links it follows in a path before it fails with ELOOP. */
    private static final int MAX_LINKS = 40;

    /** The temporary file is created rw------- (createTempFile): give it the permissions the document had. */
    private static void keepPermissions(Path from, Path to) throws IOException {
        try {
            Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(from));
        } catch (UnsupportedOperationException e) {
            // not POSIX (Windows): the new file takes the folder's defaults, as a file written there would
        }
    }

    /**
     * Checks, before a benchmark runs for minutes, that {@link #write} will be able to record its topic: the
     * document is missing (it will be created) or readable, and holds either no marker of the topic or one
     * begin marker followed by one end marker. A begin marker without its end (a hand edit) would otherwise
     * make the next write take everything up to a later end marker, other topics' sections included; so would
     * a section whose end marker was moved below another topic's section, which is refused too.
     *
     * <p>The document, or the nearest folder above it that exists when it does not, must also be writable (for
     * a folder, a file is created in it and deleted): a path under a regular file, or a folder given for the
     * document, would otherwise fail only at the write, after the benchmark. So must the folder of a document
     * that exists, where {@link #write} puts the new text in a temporary file first.
     *
     * @throws IOException with the document's path and the marker at fault, or why it cannot be written
     */
    public static void check(Path doc, String topic) throws IOException {
        Path absolute = doc.toAbsolutePath().normalize();
        if (Files.exists(absolute)) {
            if (!Files.isRegularFile(absolute) || !Files.isWritable(absolute)) {
                throw new IOException(absolute + " cannot be written: it is "
                        + (Files.isDirectory(absolute) ? "a folder" : Files.isRegularFile(absolute) ? "read-only" : "not a file"));
            }
            checkMarkers(doc, Files.readString(absolute), topic);
            // write puts the new text in a temporary file beside the document's real file first: a writable file
            // in a folder that takes no new file would otherwise fail only at the write, after the benchmark
            Path folder = absolute.toRealPath().getParent();
            try {
                Files.delete(Files.createTempFile(folder, ".mp4j-doc-check-", ".tmp"));
            } catch (IOException | UnsupportedOperationException e) {
                throw new IOException(absolute + " cannot be rewritten: its new text is written to a temporary file in "
                        + folder + " first, and no file can be created there (" + e + ")", e);
            }
            return;
        }
        // A symbolic link to a document not made yet: write creates the file it names, in that file's folder
        Path above = documentFile(doc).getParent();
        while (above != null && !Files.exists(above)) {
            above = above.getParent();
        }
        if (above == null || !Files.isDirectory(above) || !Files.isWritable(above)) {
            throw new IOException(absolute + " cannot be created: " + (above == null ? "it has no folder"
                    : above + (Files.isDirectory(above) ? " is not writable" : " is not a folder")));
        }
        // access(2), which isWritable asks, says yes to root for nearly any folder (/proc, /sys, a root-squashed NFS
        // mount): only creating a file there tells. The probe is deleted at once.
        try {
            Files.delete(Files.createTempFile(above, ".mp4j-doc-check-", ".tmp"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new IOException(absolute + " cannot be created: no file can be created in " + above + " (" + e + ")", e);
        }
    }

    private static void checkMarkers(Path doc, String text, String topic) throws IOException {
        String begin = begin(topic);
        String end = end(topic);
        int begins = count(text, begin);
        int ends = count(text, end);
        boolean broken = begins != ends || begins > 1 || begins == 1 && text.indexOf(end) < text.indexOf(begin);
        if (broken) {
            throw new IOException(doc.toAbsolutePath().normalize() + ": the markers of topic '" + topic
                    + "' are broken: expected one " + begin + " followed by one " + end + " (or neither); fix them by"
                    + " hand, or pass --doc with another file, or --no-doc");
        }
        if (begins == 1) {
            // An end marker moved below another topic's section (a hand edit) would make the write replace that section too.
            String inside = text.substring(text.indexOf(begin) + begin.length(), text.indexOf(end));
            if (inside.contains("<!-- bench:") || inside.contains("<!-- /bench:")) {
                throw new IOException(doc.toAbsolutePath().normalize() + ": the section of topic '" + topic
                        + "' holds another topic's marker: " + begin + " ... " + end + " would replace it too; fix the"
                        + " markers by hand, or pass --doc with another file, or --no-doc");
            }
        }
    }

    private static int count(String text, String marker) {
        int n = 0;
        for (int i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + marker.length())) {
            n++;
        }
        return n;
    }

    private static String begin(String topic) {
        return "<!-- bench:" + topic + " -->";
    }

    private static String end(String topic) {
        return "<!-- /bench:" + topic + " -->";
    }
}

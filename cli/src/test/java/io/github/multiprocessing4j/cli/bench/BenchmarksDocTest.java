package io.github.multiprocessing4j.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarksDocTest {

    @TempDir
    Path tmp;

    @Test
    void aTopicsSection_isReplacedOnTheNextRun_andOtherTopicsAreKept() throws Exception {
        Path doc = tmp.resolve("docs/benchmarks.md");
        BenchmarksDoc.write(doc, new Report("process", "Process").add(Row.time("start", "ms", 90, 80, "<= 100 ms", true)));
        BenchmarksDoc.write(doc, new Report("pool", "Pool").add(Row.rate("map", "items/s", 3e6, 1e6, ">= 3x", true)));
        BenchmarksDoc.write(doc, new Report("process", "Process").add(Row.time("start", "ms", 70, 80, "<= 100 ms", true)));
        String text = Files.readString(doc);
        assertThat(text).startsWith("# Benchmarks");
        assertThat(text).contains("| start | 70.0 ms | 80.0 ms | 1.14x faster | <= 100 ms (met) |");
        assertThat(text).doesNotContain("| start | 90.0 ms");
        assertThat(text).contains("| map | 3,000,000 items/s | 1,000,000 items/s | 3.00x faster | >= 3x (met) |");
        assertThat(text.indexOf("<!-- bench:process -->")).isLessThan(text.indexOf("<!-- bench:pool -->"));
    }

    /**
     * A begin marker whose end marker was lost (a hand edit): writing the topic used to append a second
     * section, and the next write then replaced everything from the orphan begin marker to the new end
     * marker, other topics' sections included. Now the write is refused and the document left alone.
     */
    @Test
    void aBeginMarkerWithoutItsEnd_isRefused_andTheDocumentIsLeftAlone() throws Exception {
        Path doc = tmp.resolve("benchmarks.md");
        String text = """
                # Benchmarks

                <!-- bench:process -->
                an old process table whose end marker was deleted

                <!-- bench:pool -->
                the pool table
                <!-- /bench:pool -->
                """;
        Files.writeString(doc, text);
        Report process = new Report("process", "Process").add(Row.time("start", "ms", 70, 80, "", null));

        for (int run = 0; run < 2; run++) {
            assertThatThrownBy(() -> BenchmarksDoc.write(doc, process)).isInstanceOf(IOException.class)
                    .hasMessageContaining(doc.toString())
                    .hasMessageContaining("<!-- bench:process --> followed by one <!-- /bench:process -->");
        }
        assertThatThrownBy(() -> BenchmarksDoc.check(doc, "process")).isInstanceOf(IOException.class);
        assertThat(Files.readString(doc)).isEqualTo(text);
        BenchmarksDoc.check(doc, "pool");
        BenchmarksDoc.check(doc, "coroutines");
    }

    @Test
    void anEndMarkerAlone_orTwoSectionsOfOneTopic_areRefused() throws Exception {
        Path doc = tmp.resolve("benchmarks.md");
        Files.writeString(doc, "# Benchmarks\n\nold\n<!-- /bench:process -->\n");
        assertThatThrownBy(() -> BenchmarksDoc.check(doc, "process")).isInstanceOf(IOException.class);
        Files.writeString(doc, "<!-- bench:process -->\na\n<!-- /bench:process -->\n<!-- bench:process -->\nb\n"
                + "<!-- /bench:process -->\n");
        assertThatThrownBy(() -> BenchmarksDoc.check(doc, "process")).isInstanceOf(IOException.class);
        Files.writeString(doc, "<!-- /bench:process -->\n<!-- bench:process -->\n");
        assertThatThrownBy(() -> BenchmarksDoc.check(doc, "process")).isInstanceOf(IOException.class);
    }

    @Test
    void aMissingDocument_orOneWithoutMarkers_takesTheSection() throws Exception {
        Path missing = tmp.resolve("new/docs/benchmarks.md");
        BenchmarksDoc.check(missing, "process");
        BenchmarksDoc.write(missing, new Report("process", "Process").add(Row.time("start", "ms", 70, 80, "", null)));
        assertThat(Files.readString(missing)).startsWith("# Benchmarks").contains("<!-- bench:process -->\n### Process")
                .endsWith("<!-- /bench:process -->\n");

        Path plain = tmp.resolve("plain.md");
        Files.writeString(plain, "# My notes\n");
        BenchmarksDoc.check(plain, "process");
        BenchmarksDoc.write(plain, new Report("process", "Process").add(Row.time("start", "ms", 70, 80, "", null)));
        assertThat(Files.readString(plain)).startsWith("# My notes\n\n<!-- bench:process -->");
    }

    /**
     * A section whose end marker sits below another topic's section (moved there by hand): its markers are
     * each present once and in order, so the write used to replace everything between them, the other
     * topic's table and its begin marker included. Now the write is refused and the document left alone.
     */
    @Test
    void aSectionHoldingAnotherTopicsMarker_isRefused_andTheDocumentIsLeftAlone() throws Exception {
        Path doc = tmp.resolve("benchmarks.md");
        String text = """
                # Benchmarks

                <!-- bench:process -->
                the process table

                <!-- bench:pool -->
                the pool table
                <!-- /bench:pool -->
                <!-- /bench:process -->
                """;
        Files.writeString(doc, text);
        Report process = new Report("process", "Process").add(Row.time("start", "ms", 70, 80, "", null));
        assertThatThrownBy(() -> BenchmarksDoc.check(doc, "process")).isInstanceOf(IOException.class)
                .hasMessageContaining("holds another topic's marker");
        assertThatThrownBy(() -> BenchmarksDoc.write(doc, process)).isInstanceOf(IOException.class);
        assertThat(Files.readString(doc)).isEqualTo(text);
        BenchmarksDoc.check(doc, "pool");
    }

    /**
     * The check asked access(2) whether the folder is writable, which says yes to root for nearly any folder:
     * run as root (a container, CI), {@code mp4j bench process --doc=/proc/x.md} passed it, measured for
     * minutes, and then failed to record the table. The check now creates (and deletes) a file in the folder,
     * so it refuses such a path up front, root or not.
     */
    @Test
    void aDocumentInAFolderWhereNoFileCanBeCreated_isRefusedByTheCheck_alsoForRoot() {
        Path underProc = Path.of("/proc/mp4j-benchmarks.md");
        assertThatThrownBy(() -> BenchmarksDoc.check(underProc, "process")).isInstanceOf(IOException.class)
                .hasMessageContaining(underProc + " cannot be created");
        assertThat(underProc).doesNotExist();
    }

    /**
     * {@code --doc} naming a path under a regular file, or a folder, passed the check made before the
     * benchmark; the write after it then failed, and {@code mp4j bench} ended with a stack trace. The check
     * now refuses both up front, and leaves the file that is in the way as it was.
     */
    @Test
    void aDocumentThatCannotBeWritten_isRefusedByTheCheck() throws Exception {
        Path file = tmp.resolve("notes.txt");
        Files.writeString(file, "not a folder\n");
        Path underFile = file.resolve("docs/benchmarks.md");
        assertThatThrownBy(() -> BenchmarksDoc.check(underFile, "process")).isInstanceOf(IOException.class)
                .hasMessageContaining(underFile.toString()).hasMessageContaining(file + " is not a folder");
        assertThatThrownBy(() -> BenchmarksDoc.check(tmp, "process")).isInstanceOf(IOException.class)
                .hasMessageContaining(tmp + " cannot be written: it is a folder");
        assertThat(Files.readString(file)).isEqualTo("not a folder\n");
        // what the check lets through, write takes
        Path fresh = tmp.resolve("a/b/benchmarks.md");
        BenchmarksDoc.check(fresh, "process");
        BenchmarksDoc.write(fresh, new Report("process", "Process").add(Row.time("start", "ms", 70, 80, "", null)));
        assertThat(Files.readString(fresh)).contains("<!-- /bench:process -->");
    }

    @Test
    void aSideThatWasNotMeasured_showsADash_inBothColumns() throws Exception {
        Path doc = tmp.resolve("docs/benchmarks.md");
        Report report = new Report("process", "Process")
                .add(Row.time("  CPython fork, back to back", "ms", Double.NaN, 17.8, "", null))
                .add(Row.time("cold start", "ms", 174, Double.NaN, "", null));
        BenchmarksDoc.write(doc, report);
        String text = Files.readString(doc);
        assertThat(text).contains("|   CPython fork, back to back | - | 17.8 ms | - |  |")
                .contains("| cold start | 174 ms | - | - |  |")
                .doesNotContain("n/a");
        var printed = new java.io.ByteArrayOutputStream();
        report.print(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("n/a");
    }

    @Test
    void comparisons_sayFasterOrSlower_inTheRightDirection() {
        assertThat(Row.time("t", "ms", 50, 100, "", null).comparison()).isEqualTo("2.00x faster");
        assertThat(Row.time("t", "ms", 200, 100, "", null).comparison()).isEqualTo("2.00x slower");
        assertThat(Row.rate("r", "/s", 300, 100, "", null).comparison()).isEqualTo("3.00x faster");
        assertThat(Row.rate("r", "/s", 100, Double.NaN, "", null).comparison()).isEqualTo("-");
    }

    /**
     * The document was written in place: a write that failed midway (a full disk; or a Ctrl-C between the
     * truncation and the last byte) left docs/benchmarks.md cut short, every other topic's section lost with it.
     * Shown with a real failure midway: a child JVM whose file size limit (ulimit -f) is larger than the old
     * document and smaller than the new one, so its write fails with EFBIG ("File too large"), the JVM ignoring
     * SIGXFSZ. The old text was cut at the limit; now the new text goes to a temporary file that is moved over
     * the document only once complete, and deleted when the write fails.
     */
    @Test
    void aWriteThatFailsMidway_leavesTheOldDocumentWhole_andNoTemporaryFile() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("docs"));
        Path doc = dir.resolve("benchmarks.md");
        BenchmarksDoc.write(doc, new Report("pool", "Pool").add(Row.rate("map", "items/s", 3e6, 1e6, ">= 3x", true)));
        BenchmarksDoc.write(doc, new Report("process", "Process").add(Row.time("start", "ms", 70, 80, "", null)));
        byte[] before = Files.readAllBytes(doc);
        assertThat(before.length).as("the old document fits under the limit").isLessThan(4096);

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // ulimit -f counts blocks of 512 bytes (dash) or 1024 (bash): 16 blocks are 8 or 16 KiB, the new text ~200 KiB
        Process child = new ProcessBuilder("sh", "-c", "ulimit -f 16 && exec \"$0\" \"$@\"", java, "-XX:-UsePerfData",
                "-cp", System.getProperty("java.class.path"), BenchmarksDocWriteMain.class.getName(), doc.toString(),
                "3000").redirectErrorStream(true).redirectOutput(tmp.resolve("child.out").toFile()).start();
        boolean exited = child.waitFor(30, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly();
        }
        String output = Files.readString(tmp.resolve("child.out"), StandardCharsets.UTF_8);
        assertThat(exited).as("the child exited within 30 s; its output: %s", output).isTrue();

        assertThat(child.exitValue()).as(output).isNotZero();
        assertThat(output).as("the write failed midway, on the size limit").contains("File too large");
        assertThat(Files.size(doc)).as("the old document's size").isEqualTo(before.length);
        assertThat(Files.readAllBytes(doc)).as("the old document, byte for byte").isEqualTo(before);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("no temporary file left").containsExactly(doc);
        }
    }

    /**
     * A bench stopped (Ctrl-C) while it writes the document: the JVM ends with the shutdown hooks, running no finally
     * block of the writing thread, so the temporary file that write deletes on a failure stayed in the document's
     * folder (docs/.benchmarks.md.N.tmp, for the next git add). It is deleted as the JVM exits; the document is whole.
     */
    @Test
    void aBenchStoppedWhileItWritesTheDocument_leavesNoTemporaryFile() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("docs"));
        Path doc = dir.resolve("benchmarks.md");
        BenchmarksDoc.write(doc, new Report("pool", "Pool").add(Row.rate("map", "items/s", 3e6, 1e6, ">= 3x", true)));
        byte[] before = Files.readAllBytes(doc);

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"),
                BenchmarksDocExitMain.class.getName(), doc.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("child.out").toFile()).start();
        boolean exited = child.waitFor(30, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly();
        }
        String output = Files.readString(tmp.resolve("child.out"), StandardCharsets.UTF_8);
        assertThat(exited).as("the child exited within 30 s; its output: %s", output).isTrue();

        assertThat(child.exitValue()).as("stopped midway; output: %s", output).isEqualTo(130);
        assertThat(Files.readAllBytes(doc)).as("the old document, byte for byte").isEqualTo(before);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("no temporary file left").containsExactly(doc);
        }
    }

    /**
     * The new text is written to a temporary file, which is created readable by its owner alone: moved over the
     * document as it is, it would have taken away the permissions the document had (rw-r--r-- for a checkout's
     * file). The document keeps them.
     */
    @Test
    void aRewrittenDocument_keepsItsPermissions() throws Exception {
        Path doc = tmp.resolve("benchmarks.md");
        BenchmarksDoc.write(doc, new Report("process", "Process").add(Row.time("start", "ms", 70, 80, "", null)));
        Files.setPosixFilePermissions(doc, PosixFilePermissions.fromString("rw-r-----"));

        BenchmarksDoc.write(doc, new Report("pool", "Pool").add(Row.rate("map", "items/s", 3e6, 1e6, ">= 3x", true)));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(doc))).isEqualTo("rw-r-----");
        assertThat(Files.readString(doc)).contains("<!-- /bench:process -->").contains("<!-- /bench:pool -->");
    }

    /**
     * A document that is a symbolic link (a checkout's docs/benchmarks.md kept elsewhere): the temporary file moved
     * over the link would have replaced the link with a file, leaving the real document behind unchanged. The
     * link's target is rewritten, and the link stays.
     */
    @Test
    void aDocumentThatIsASymbolicLink_isWrittenThroughIt() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("elsewhere")).resolve("benchmarks.md");
        BenchmarksDoc.write(real, new Report("process", "Process").add(Row.time("start", "ms", 70, 80, "", null)));
        Path link = Files.createSymbolicLink(Files.createDirectories(tmp.resolve("docs")).resolve("benchmarks.md"), real);

        BenchmarksDoc.write(link, new Report("pool", "Pool").add(Row.rate("map", "items/s", 3e6, 1e6, ">= 3x", true)));

        assertThat(link).isSymbolicLink();
        assertThat(Files.readString(real)).contains("<!-- /bench:process -->").contains("<!-- /bench:pool -->");
    }

    /**
     * A document that is a symbolic link to a file not made yet (a checkout's docs/benchmarks.md pointing at a site's
     * folder): written in place, the write created the file the link names; moved over the link, the temporary file
     * replaced the link with a file of its own, and the link's target was never made. The link stays, and its target
     * gets the document.
     */
    @Test
    void aDocumentThatIsADanglingSymbolicLink_isWrittenThroughIt() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("elsewhere")).resolve("benchmarks.md");
        Path link = Files.createSymbolicLink(Files.createDirectories(tmp.resolve("docs")).resolve("benchmarks.md"),
                Path.of("..", "elsewhere", "benchmarks.md"));
        BenchmarksDoc.check(link, "pool");

        BenchmarksDoc.write(link, new Report("pool", "Pool").add(Row.rate("map", "items/s", 3e6, 1e6, ">= 3x", true)));

        assertThat(link).isSymbolicLink();
        assertThat(real).isRegularFile();
        assertThat(Files.readString(real)).contains("<!-- /bench:pool -->");
    }

    /**
     * A symbolic link that leads to itself names no file: the check refuses it before the benchmark, and a write does
     * not replace the link with a file.
     */
    @Test
    void aDocumentThatIsASymbolicLinkLoop_isRefused_andLeftAlone() throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("docs"));
        Path link = Files.createSymbolicLink(docs.resolve("benchmarks.md"), docs.resolve("other.md"));
        Files.createSymbolicLink(docs.resolve("other.md"), link);

        assertThatThrownBy(() -> BenchmarksDoc.check(link, "pool")).isInstanceOf(IOException.class)
                .hasMessageContaining("symbolic links");
        assertThatThrownBy(() -> BenchmarksDoc.write(link,
                new Report("pool", "Pool").add(Row.rate("map", "items/s", 3e6, 1e6, ">= 3x", true))))
                .isInstanceOf(IOException.class).hasMessageContaining("symbolic links");
        assertThat(link).isSymbolicLink();
        try (Stream<Path> files = Files.list(docs)) {
            assertThat(files).as("no temporary file").hasSize(2);
        }
    }

    /**
     * The write now creates a temporary file beside the document: a writable document in a folder that takes no
     * new file (here /proc/self/comm, which its owner may write) passed the check, and would have failed only at
     * the write, after the benchmark. The check refuses it up front.
     */
    @Test
    void aWritableDocumentInAFolderThatTakesNoNewFile_isRefusedByTheCheck() {
        Path comm = Path.of("/proc/self/comm");
        assumeTrue(Files.isRegularFile(comm) && Files.isWritable(comm), "Linux's /proc/self/comm");

        assertThatThrownBy(() -> BenchmarksDoc.check(comm, "process")).isInstanceOf(IOException.class)
                .hasMessageContaining(comm + " cannot be rewritten").hasMessageContaining("no file can be created");
    }
}

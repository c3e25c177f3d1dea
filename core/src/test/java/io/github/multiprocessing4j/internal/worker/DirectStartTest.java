package io.github.multiprocessing4j.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.internal.bytes.MalformedDataException;
import io.github.multiprocessing4j.internal.launch.ChildJvm;
import io.github.multiprocessing4j.internal.launch.ChildLauncher;
import io.github.multiprocessing4j.internal.launch.LaunchSpec;
import io.github.multiprocessing4j.internal.launch.SpareJvms;
import io.github.multiprocessing4j.internal.session.Session;
import io.github.multiprocessing4j.testing.Delays;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child started directly with its task ({@link DirectStart}): it gets the task on stdin, connects nowhere (so
 * never pays for the JDK's first Unix-domain socket), and reports in an authenticated file.
 */
class DirectStartTest {

    @TempDir
    Path tmp;

    private static byte[] run(String name, SerializableRunnable task) {
        return new OneShotProtocol.Run(name, Codec.standard().encode(task)).encode();
    }

    @Test
    void aDirectChild_runsItsTask_withoutEverLoadingTheJdksUnixDomainSockets_andReportsInAFile() throws Exception {
        Path classLog = tmp.resolve("classes.log");
        Path ran = tmp.resolve("ran");
        String ranPath = ran.toString();
        LaunchSpec spec = new LaunchSpec(List.of("-Xlog:class+load=info:file=" + classLog), new java.util.LinkedHashMap<>(), java.util.Map.of());
        ChildJvm child = ChildLauncher.get().launchDirect(spec, run("direct", () -> {
            try {
                Files.writeString(Path.of(ranPath), "ran");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
        try {
            child.awaitStarted(Delays.seconds(60));
            assertThat(child.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.process().exitValue()).isZero();
            assertThat(child.isDirect()).isTrue();
            assertThat(child.isConnected()).isFalse();
            assertThat(Files.readString(ran)).isEqualTo("ran");
            assertThat(Files.readString(classLog)).as("the classes the child loaded")
                    .contains(DirectStart.class.getName())
                    .doesNotContain("sun.nio.ch.UnixDomainSockets");
            Session session = Session.get();
            Path report = DirectStart.reportFile(session.directory(), child.token());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(report))).isEqualTo("rw-------");
            Optional<DirectStart.Report> read = DirectStart.readReport(session.directory(), session.key(), child.token(), "test");
            assertThat(read).hasValueSatisfying(r -> {
                assertThat(r.done().failure()).isNull();
                assertThat(r.main()).isPositive().isLessThanOrEqualTo(r.started());
                assertThat(r.done().decoded()).isGreaterThanOrEqualTo(r.done().received());
            });
            DirectStart.cleanUp(session.directory(), child.token());
            assertThat(report).doesNotExist();
        } finally {
            child.discard();
        }
    }

    @Test
    void aReportNotMadeWithTheSessionsKey_orForAnotherChild_isRefused_asIsOneCutShort() throws Exception {
        long token = 42;
        OneShotProtocol.Done done = new OneShotProtocol.Done(1, 2, 3, null);
        DirectStart.writeReport(tmp, "another key".getBytes(), token, new DirectStart.Report(0, 0, done));
        byte[] key = "the session key".getBytes();
        assertThatThrownBy(() -> DirectStart.readReport(tmp, key, token, "test"))
                .isInstanceOf(MalformedDataException.class)
                .hasMessageContaining("not authenticated by the session's key");

        DirectStart.writeReport(tmp, key, token, new DirectStart.Report(0, 0, done));
        assertThat(DirectStart.readReport(tmp, key, token, "test")).isPresent();
        Files.move(DirectStart.reportFile(tmp, token), DirectStart.reportFile(tmp, token + 1));
        assertThatThrownBy(() -> DirectStart.readReport(tmp, key, token + 1, "test"))
                .as("another child's report, under this one's name").isInstanceOf(MalformedDataException.class);
        Files.write(DirectStart.reportFile(tmp, token), new byte[20]);
        assertThatThrownBy(() -> DirectStart.readReport(tmp, key, token, "test"))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("a report of 20 bytes");
    }

    @Test
    void aReportInASessionDirectoryThatOthersMayWriteTo_isNotRead_soAFifoPlantedThereCannotHangTheParent() throws Exception {
        // A cleaner of temporary files removes the session directory while a direct child runs, and another user makes
        // one of the same name (it is listed in /tmp), writable by all, in its place: the child renames its report in
        // there, and that user swaps it for a FIFO nobody writes. Reading it blocked the parent for good (join() held
        // up behind the reader's lock); a link to /dev/zero made it allocate 2 GiB.
        Path replaced = tmp.resolve("replaced");
        Files.createDirectory(replaced);
        Files.setPosixFilePermissions(replaced, PosixFilePermissions.fromString("rwxrwxrwx"));
        long token = 44;
        Path report = DirectStart.reportFile(replaced, token);
        Process mkfifo = new ProcessBuilder("mkfifo", report.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).isZero();
        FutureTask<Optional<DirectStart.Report>> read = new FutureTask<>(
                () -> DirectStart.readReport(replaced, new byte[32], token, "test"));
        Thread.ofPlatform().daemon().start(read);
        try {
            assertThatThrownBy(() -> read.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS))
                    .as("refused, not read")
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(MalformedDataException.class)
                    .hasMessageContaining("others may write");
        } finally {
            if (!read.isDone()) {
                Files.newOutputStream(report).close(); // a writer that comes and goes: the blocked read ends
            }
        }
    }

    @Test
    void aSessionDirectoryPutInThePlaceOfTheOneChecked_beforeTheReportIsRead_isNotReadFrom() throws Exception {
        // The check of the directory and the read of the report were two lookups of its path: a cleaner of temporary
        // files removes it between the two, another user makes one of the same name, writable by all, with a FIFO
        // nobody writes as report-<token>, and the parent blocked on it for good. The report is now read through the
        // directory checked, held open.
        try (var stream = Files.newDirectoryStream(tmp)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(stream instanceof java.nio.file.SecureDirectoryStream,
                    "SecureDirectoryStream (Linux)");
        }
        Path session = Files.createDirectory(tmp.resolve("session"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        long token = 46;
        byte[] key = new byte[32];
        DirectStart.writeReport(session, key, token, new DirectStart.Report(5, 6, new OneShotProtocol.Done(1, 2, 3, null)));
        Path planted = DirectStart.reportFile(session, token);
        FutureTask<Optional<DirectStart.Report>> read = new FutureTask<>(() -> DirectStart.readReport(session, key, token,
                "test", () -> {
                    Files.move(session, tmp.resolve("moved"));
                    Files.createDirectory(session);
                    Files.setPosixFilePermissions(session, PosixFilePermissions.fromString("rwxrwxrwx"));
                    try {
                        Process mkfifo = new ProcessBuilder("mkfifo", planted.toString()).inheritIO().start();
                        assertThat(mkfifo.waitFor(60, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                }));
        Thread.ofPlatform().daemon().start(read);
        try {
            assertThat(read.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS))
                    .as("the report in the directory checked").hasValueSatisfying(r -> {
                        assertThat(r.main()).isEqualTo(5);
                        assertThat(r.started()).isEqualTo(6);
                    });
        } finally {
            if (!read.isDone()) {
                Files.newOutputStream(planted).close(); // a writer that comes and goes: the blocked read ends
            }
        }
    }

    @Test
    void aLinkPlantedWhereAChildWritesItsReport_isNotFollowed_andTheFileItNamesIsLeftAlone() throws Exception {
        // In a session directory made again by another user (see above), that user learns a child's token from its
        // stop file (close()) and plants report-<token>.partial, a link to a file of this user's: the child truncated
        // that file and wrote its report into it.
        long token = 45;
        Path precious = tmp.resolve("authorized_keys");
        Files.writeString(precious, "precious");
        Path report = DirectStart.reportFile(tmp, token);
        Path partial = report.resolveSibling(report.getFileName() + ".partial");
        Files.createSymbolicLink(partial, precious);
        OneShotProtocol.Done done = new OneShotProtocol.Done(1, 2, 3, null);
        assertThatThrownBy(() -> DirectStart.writeReport(tmp, new byte[32], token, new DirectStart.Report(0, 0, done)))
                .isInstanceOf(java.io.IOException.class);
        assertThat(Files.readString(precious)).isEqualTo("precious");
        assertThat(report).doesNotExist();
    }

    @Test
    void noReport_isAnEmptyAnswer() throws Exception {
        assertThat(DirectStart.readReport(tmp, new byte[32], 7, "test")).isEmpty();
    }

    @Test
    void withDirectStartsOff_aFreshChildConnectsBack() throws Exception {
        System.setProperty("mp4j.directStart", "false");
        ChildJvm child = null;
        try {
            SpareJvms.get().closeSpare();
            child = SpareJvms.get().take(new LaunchSpec(List.of("-Dmp4j.test.directOff=1"), new java.util.LinkedHashMap<>(), java.util.Map.of()),
                    Delays.seconds(60), run("off", () -> { }), new byte[0]);
            assertThat(child.isDirect()).isFalse();
            assertThat(child.isConnected()).isTrue();
        } finally {
            System.clearProperty("mp4j.directStart");
            if (child != null) {
                child.discard();
            }
        }
    }

    @Test
    void aRehearsal_besideAnotherOneInTheSameDirectory_writesItsOwnReport_andLeavesTheOthersAlone() throws Exception {
        // The AOT trainings of two JVMs of one session (a child that starts children of its own trains in the
        // directory it inherited) rehearse in the same directory. Under one fixed token (-1), the second found the
        // first's report-ffffffffffffffff.partial, which it may no longer open (CREATE_NEW): it wrote no report (its
        // training's cache missed that code), and its clean-up deleted the file the first was writing.
        Path directory = Session.get().directory();
        Path others = DirectStart.partialReportFile(directory, -1);
        Files.writeString(others, "another rehearsal's, half written");
        try {
            assertThat(DirectStart.rehearse()).as("wrote its report").isTrue();
            assertThat(others).hasContent("another rehearsal's, half written");
            try (var left = Files.list(directory)) {
                assertThat(left.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("report-")).toList())
                        .as("what the rehearsal left").containsExactly(others.getFileName().toString());
            }
        } finally {
            Files.deleteIfExists(others);
        }
    }

    @Test
    void cleanUp_deletesTheHalfWrittenReportOfAChildKilledWhileItWroteIt() throws Exception {
        // A child killed (kill(), close() after a second, an orphan's exit) between the creation of report-<token>
        // .partial and its rename left the file in the session directory for the life of the session.
        long token = 43;
        DirectStart.writeReport(tmp, new byte[32], token, new DirectStart.Report(0, 0, new OneShotProtocol.Done(1, 2, 3, null)));
        Path report = DirectStart.reportFile(tmp, token);
        Path partial = report.resolveSibling(report.getFileName() + ".partial");
        Files.move(report, partial); // as the child left it, killed before its rename
        Files.createFile(DirectStart.stopFile(tmp, token));
        DirectStart.cleanUp(tmp, token);
        try (var left = Files.list(tmp)) {
            assertThat(left.map(f -> f.getFileName().toString()).toList()).isEmpty();
        }
    }
}

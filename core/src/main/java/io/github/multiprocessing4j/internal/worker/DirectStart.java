package io.github.multiprocessing4j.internal.worker;

import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.internal.bytes.MalformedDataException;
import io.github.multiprocessing4j.internal.session.PrivateFolder;
import io.github.multiprocessing4j.internal.session.PrivatePaths;
import io.github.multiprocessing4j.internal.session.Session;
import io.github.multiprocessing4j.internal.session.ThisProcess;
import io.github.multiprocessing4j.internal.wire.HmacSha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a {@code JvmProcess} child started <em>directly</em> (with its task in its boot record, when no warm spare
 * is ready) talks to its parent without a socket. A cold JVM's first Unix-domain socket costs it 28-50 ms, half
 * of its whole start: the JDK seeds a {@code SecureRandom} for it, which loads the security providers. So such a
 * child gets its task on stdin, with the boot record, and answers in three ways that cost it next to nothing:
 *
 * <ul>
 *   <li><b>started:</b> it writes a 16-byte {@linkplain #startSignal signal} to its stdout before anything else,
 *       which the parent's output pump cuts out of the stream. It is an HMAC of the launch token under the
 *       session key, so no other output can fake it by chance, and a child that dies first fails the start;</li>
 *   <li><b>go:</b> it then waits on its stdin for the {@link #GO} byte, which the parent writes (and closes stdin
 *       after) once it has read the signal: a start that fails after all (interrupted, timed out) kills a child
 *       whose task has not begun, and a child whose stdin ends without the byte has lost its parent, and exits
 *       as an orphan without running its task;</li>
 *   <li><b>report:</b> when its task has returned, it writes the outcome to a file in the session's private
 *       (0700) directory, {@code report-<token>}, 0600, renamed into place whole, and authenticated with an
 *       HMAC under the session key. The parent reads it once the child has exited;</li>
 *   <li><b>stop:</b> a parent that closes the process while the task runs creates {@code stop-<token>} there;
 *       the child, which polls its parent's liveness every 200 ms anyway, exits as an orphan would.</li>
 * </ul>
 *
 * <pre>
 *  report: int64 main | int64 started | DONE (OneShotProtocol.Done) | HMAC-SHA256(key, "mp4j-report" | token | all before)
 * </pre>
 */
public final class DirectStart {
    /** The byte the parent writes on the child's stdin, then closed, once it has read the start signal. */
    public static final int GO = 'G';
    private static final int SIGNAL_LENGTH = 16;
    private static final byte[] SIGNAL_LABEL = "mp4j-started".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REPORT_LABEL = "mp4j-report".getBytes(StandardCharsets.US_ASCII);
    private static final int MAC_LENGTH = 32;

    private DirectStart() {
    }

    /** What a direct child reports: when it entered main and signalled its start (its clock), and the outcome. */
    public record Report(long main, long started, OneShotProtocol.Done done) {
    }

    /** The bytes a child writes to its stdout to say it has started. */
    public static byte[] startSignal(byte[] key, long token) {
        return Arrays.copyOf(HmacSha256.mac(key, SIGNAL_LABEL, longBytes(token)), SIGNAL_LENGTH);
    }

    public static Path reportFile(Path sessionDirectory, long token) {
        return sessionDirectory.resolve("report-" + Long.toHexString(token));
    }

    /** Where a child writes its report before it renames it into place (left behind if it is killed meanwhile). */
    static Path partialReportFile(Path sessionDirectory, long token) {
        return sessionDirectory.resolve("report-" + Long.toHexString(token) + ".partial");
    }

    public static Path stopFile(Path sessionDirectory, long token) {
        return sessionDirectory.resolve("stop-" + Long.toHexString(token));
    }

    /**
     * Parent: asks a direct child to exit, creating its stop file (0600).
     *
     * @return false if it had been asked already
     */
    public static boolean requestStop(Path sessionDirectory, long token) throws IOException {
        try {
            Files.createFile(stopFile(sessionDirectory, token), Set0600.ATTRIBUTE);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /** Child: writes the report, whole or not at all (it throws, and leaves nothing, if it cannot). */
    static void writeReport(Path sessionDirectory, byte[] key, long token, Report report) throws IOException {
        byte[] body = new ByteSink(64).putLong(report.main()).putLong(report.started())
                .putBytes(report.done().encode()).toByteArray();
        byte[] mac = HmacSha256.mac(key, REPORT_LABEL, longBytes(token), body);
        Path target = reportFile(sessionDirectory, token);
        Path partial = partialReportFile(sessionDirectory, token);
        try {
            try (FileChannel out = FileChannel.open(partial, Set0600.OPTIONS, Set0600.ATTRIBUTE)) {
                ByteBuffer[] parts = {ByteBuffer.wrap(body), ByteBuffer.wrap(mac)};
                while (parts[1].hasRemaining()) {
                    out.write(parts);
                }
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(partial); // a file system that filled up: leave nothing half-written behind
            } catch (IOException ignored) {
                // the directory is gone, or the parent deletes it at exit
            }
            throw e;
        }
    }

    /**
     * Parent: the child's report, or empty if it wrote none (it died first, or its task ended the JVM).
     *
     * <p>Only from a directory that nobody else can write to: a cleaner of temporary files may have removed the
     * session's while the child ran, and another user made one of the same name in its place, where the child then
     * put its report; that user can swap it for a FIFO that nobody writes (the read would block for good) or a link
     * to {@code /dev/zero} (it would fill the heap). The directory is opened once, checked, and the report read
     * through it ({@link PrivateFolder}): not from another directory put in its place between the check and the read.
     *
     * @param where where the task ran, for a failure that cannot be recreated here
     * @throws MalformedDataException if the file is not a report of this child under this session's key, or lies in
     *         a directory that others may write to
     */
    public static Optional<Report> readReport(Path sessionDirectory, byte[] key, long token, String where)
            throws IOException {
        return readReport(sessionDirectory, key, token, where, () -> { });
    }

    /**
     * {@link #readReport(Path, byte[], long, String)}, with {@code afterCheck} run once the directory is checked,
     * before the report is read: in tests, what another user could do then.
     */
    static Optional<Report> readReport(Path sessionDirectory, byte[] key, long token, String where,
            AfterCheck afterCheck) throws IOException {
        Path file = reportFile(sessionDirectory, token);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Optional<PrivateFolder> folder;
        try {
            folder = PrivateFolder.open(sessionDirectory);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (folder.isEmpty()) {
            throw new MalformedDataException("its report is in " + sessionDirectory + ", which is no longer the "
                    + "session's private directory: another user owns it or others may write to it (was it removed, "
                    + "by a cleaner of temporary files, and made again?); not read");
        }
        byte[] bytes;
        try (PrivateFolder checked = folder.get()) {
            afterCheck.run();
            Optional<byte[]> read = checked.read(file.getFileName().toString());
            if (read.isEmpty()) {
                return Optional.empty();
            }
            bytes = read.get();
        }
        if (bytes.length < 16 + MAC_LENGTH) {
            throw new MalformedDataException("a report of " + bytes.length + " bytes");
        }
        byte[] body = Arrays.copyOf(bytes, bytes.length - MAC_LENGTH);
        byte[] mac = Arrays.copyOfRange(bytes, body.length, bytes.length);
        if (!MessageDigest.isEqual(mac, HmacSha256.mac(key, REPORT_LABEL, longBytes(token), body))) {
            throw new MalformedDataException("a report that is not authenticated by the session's key");
        }
        ByteSource in = new ByteSource(body);
        long main = in.getLong();
        long started = in.getLong();
        byte[] done = new byte[in.remaining()];
        in.read(done, 0, done.length);
        return Optional.of(new Report(main, started, OneShotProtocol.Done.decode(done, where)));
    }

    /** What a test does between the check of a directory and its use. */
    @FunctionalInterface
    interface AfterCheck {
        void run() throws IOException;
    }

    /**
     * For an AOT cache's training child: starts the watch on its parent and signs and writes (then deletes) a report
     * as a direct child would, so that the cache holds the classes and links the code that takes. Quietly: a failure
     * here changes nothing.
     *
     * <p>Under a token of its own, not one fixed: the trainings of other JVMs of the session (a child that starts
     * children of its own trains in the directory it inherited) may rehearse in the same directory at the same time,
     * and the report file is made new ({@code CREATE_NEW}): a shared name would fail one of them, whose clean-up would
     * then delete the other's files.
     *
     * @return whether it wrote its report (tests)
     */
    static boolean rehearse() {
        Path directory = Session.get().directory();
        long token = ThreadLocalRandom.current().nextLong();
        try {
            // The stop file of no child, which never appears: the rehearsal's watch ends as the child's own does
            if (ThisProcess.parentPid() > 0) {
                ParentWatch.of(ThisProcess.parentPid()).pollInBackground(stopFile(directory, token));
            }
            startSignal(new byte[32], token);
            writeReport(directory, new byte[32], token, new Report(0, 0, new OneShotProtocol.Done(0, 0, 0, null)));
            return true;
        } catch (IOException | RuntimeException e) {
            return false; // a rehearsal
        } finally {
            cleanUp(directory, token);
        }
    }

    /**
     * Parent: deletes what a child left (its report, or the start of one if it was killed while it wrote it, a stop
     * request); quietly, as a session's files go at exit. Call it once the report is read, or the child is gone.
     * Only in the session's private directory, through the directory checked ({@link PrivateFolder}): one that
     * another user made again under its name is theirs, and what is in it is not deleted by its path.
     */
    public static void cleanUp(Path sessionDirectory, long token) {
        Optional<PrivateFolder> folder;
        try {
            folder = PrivateFolder.open(sessionDirectory);
        } catch (IOException | RuntimeException e) {
            return; // gone, and with it the files
        }
        if (folder.isEmpty()) {
            return;
        }
        try (PrivateFolder checked = folder.get()) {
            for (Path file : new Path[] {reportFile(sessionDirectory, token), partialReportFile(sessionDirectory, token),
                    stopFile(sessionDirectory, token)}) {
                try {
                    checked.delete(file.getFileName().toString());
                } catch (IOException e) {
                    // the session directory is deleted at exit
                }
            }
        } catch (IOException e) {
            // closing the directory: nothing to do
        }
    }

    private static byte[] longBytes(long v) {
        return new ByteSink(8).putLong(v).toByteArray();
    }

    /** Loaded only where a file is written: by a child that reports, by a parent that asks a child to stop. */
    private static final class Set0600 {
        /**
         * A new file, never one that is there: a link planted in its place (in a session directory that another user
         * made again after ours was removed) is not followed to a file of this user's, which would be overwritten.
         */
        static final Set<OpenOption> OPTIONS = Set.of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        static final FileAttribute<?> ATTRIBUTE = PosixFilePermissions.asFileAttribute(PrivatePaths.OWNER_READ_WRITE);
    }
}

package io.github.multiprocessing4j.internal.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * A {@linkplain PrivatePaths#isPrivateFolder private folder}, opened once and checked, whose entries are then read
 * and deleted through that handle ({@link SecureDirectoryStream}, which Linux offers), not by their path again: a
 * folder removed (by a cleaner of temporary files) and made again by another user between the check and the use,
 * with a FIFO or a link where a file of ours was, is not the one used. Where there is no such handle, entries are
 * used by their path, right after the same check.
 *
 * <pre>{@code
 * Optional<PrivateFolder> opened = PrivateFolder.open(sessionDirectory);
 * if (opened.isPresent()) {
 *     try (PrivateFolder folder = opened.get()) {
 *         Optional<byte[]> report = folder.read("report-2a");
 *         folder.delete("report-2a");
 *     }
 * }
 * }</pre>
 */
public final class PrivateFolder implements AutoCloseable {
    private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    /** Whether to ask for a {@link SecureDirectoryStream} (tests turn it off, to model where there is none). */
    static volatile boolean secureStreams = true;

    private final Path dir;
    /** The folder checked, open; null where the platform offers no SecureDirectoryStream. */
    private final SecureDirectoryStream<Path> handle;

    private PrivateFolder(Path dir, SecureDirectoryStream<Path> handle) {
        this.dir = dir;
        this.handle = handle;
    }

    /**
     * Opens {@code dir} and checks it: empty if someone other than this user (and root) could change its entries.
     * The folder opened is the one checked: its file key (device and inode) is the one of the path checked, and it
     * cannot be reused while the folder is open.
     *
     * @throws NoSuchFileException if it is gone
     */
    public static Optional<PrivateFolder> open(Path dir) throws IOException {
        if (!secureStreams) {
            return PrivatePaths.isPrivateFolder(dir) ? Optional.of(new PrivateFolder(dir, null)) : Optional.empty();
        }
        DirectoryStream<Path> stream = Files.newDirectoryStream(dir);
        try {
            if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
                stream.close();
                return PrivatePaths.isPrivateFolder(dir) ? Optional.of(new PrivateFolder(dir, null)) : Optional.empty();
            }
            // Checked after it was opened: whatever the path names from now on, the handle stays on what it named then
            Object opened = secure.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey();
            if (PrivatePaths.isPrivateFolder(dir) && opened != null && opened.equals(
                    Files.readAttributes(dir.toRealPath(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey())) {
                return Optional.of(new PrivateFolder(dir, secure));
            }
            stream.close();
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    /** Whether its entries are used through the folder opened (else by their paths). */
    boolean isHeldOpen() {
        return handle != null;
    }

    /**
     * The bytes of the regular file {@code name}, or empty if there is none.
     *
     * @throws IOException if it is not a regular file (a FIFO, which no one may ever write, a link...)
     */
    public Optional<byte[]> read(String name) throws IOException {
        if (handle == null) {
            try {
                return Optional.of(Files.readAllBytes(dir.resolve(name)));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
        }
        Path entry = dir.getFileSystem().getPath(name);
        try {
            BasicFileAttributes attributes = handle.getFileAttributeView(entry, BasicFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).readAttributes();
            if (!attributes.isRegularFile()) {
                throw new IOException(dir.resolve(name) + " is not a regular file");
            }
            try (SeekableByteChannel in = handle.newByteChannel(entry, READ)) {
                long size = in.size();
                if (size > Integer.MAX_VALUE - 8) {
                    throw new IOException(dir.resolve(name) + " has " + size + " bytes, too many to read");
                }
                ByteBuffer bytes = ByteBuffer.allocate((int) size);
                while (bytes.hasRemaining() && in.read(bytes) >= 0) {
                    // until its end, as it was when opened
                }
                return Optional.of(bytes.hasRemaining() ? Arrays.copyOf(bytes.array(), bytes.position()) : bytes.array());
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Deletes the entry {@code name} (a link itself, not what it names) if it is there. */
    public void delete(String name) throws IOException {
        if (handle == null) {
            Files.deleteIfExists(dir.resolve(name));
            return;
        }
        try {
            handle.deleteFile(dir.getFileSystem().getPath(name));
        } catch (NoSuchFileException e) {
            // gone already
        }
    }

    @Override
    public void close() throws IOException {
        if (handle != null) {
            handle.close();
        }
    }
}

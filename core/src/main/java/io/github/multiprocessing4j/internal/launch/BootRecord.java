package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * What a parent tells a new child on its stdin, before anything else: the session key (which must never
 * appear in argv or the environment, where other users can read it), where the session lives, which
 * socket to call back on, and the launch token to present there.
 *
 * <pre>
 *  int32 magic 'MP4J' | int32 length | key blob | session dir | parent socket | int64 token | int64 parent pid
 * </pre>
 */
public record BootRecord(byte[] key, Path sessionDirectory, Path parentSocket, long token, long parentPid) {
    public static final int MAGIC = 0x4d50344a; // "MP4J"
    private static final int MAX_LENGTH = 64 * 1024;

    public byte[] encode() {
        ByteSink body = new ByteSink(256)
                .putBlob(key)
                .putUtf8(sessionDirectory.toString())
                .putUtf8(parentSocket.toString())
                .putLong(token)
                .putLong(parentPid);
        return new ByteSink(body.size() + 8).putInt(MAGIC).putInt(body.size()).putBytes(body.toByteArray()).toByteArray();
    }

    /** Reads a boot record from the child's stdin. */
    public static BootRecord read(InputStream in) throws IOException {
        byte[] head = in.readNBytes(8);
        if (head.length < 8) {
            throw new EOFException("stdin closed before the boot record arrived");
        }
        ByteSource h = new ByteSource(head);
        if (h.getInt() != MAGIC) {
            throw new IOException("stdin does not start with a boot record: this program is started by "
                    + "multiprocessing4j, not by hand");
        }
        int length = h.getInt();
        if (length < 0 || length > MAX_LENGTH) {
            throw new IOException("boot record of " + length + " bytes");
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new EOFException("stdin closed inside the boot record");
        }
        ByteSource b = new ByteSource(body);
        BootRecord record = new BootRecord(b.getBlob(), Path.of(b.getUtf8()), Path.of(b.getUtf8()),
                b.getLong(), b.getLong());
        b.expectEnd();
        return record;
    }
}

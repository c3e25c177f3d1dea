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
 * socket to call back on, and the launch token to present there. A child started directly with its task
 * ({@link io.github.multiprocessing4j.internal.worker.DirectStart}) finds the task's RUN frame here too, and
 * calls back on no socket; any other child finds an empty one. A spare may find the task of the latest start to
 * rehearse: to decode ahead, never to run (see {@code SpareJvms}).
 *
 * <pre>
 *  int32 magic 'MP4J' | int32 length | key blob | session dir | parent socket | int64 token | int64 parent pid
 *  | byte noJvmWideFilter | byte spare | int32 run length | run (OneShotProtocol.Run, or nothing)
 *  | int32 rehearsal length | rehearsal (an encoded task, or nothing)
 * </pre>
 *
 * @param noJvmWideFilter true if the parent found that nothing can give the child a JVM-wide deserialization filter
 *                        ({@code jdk.serialFilter}; see {@link JvmWideFilterSources}), so that decoding its task
 *                        need not look for one
 * @param spare           true for a spare, which may wait long for its work once it has said hello (until a start
 *                        takes it); any other child is given its work at once, and gives up on a parent that does
 *                        not within its connect timeout
 * @param run             the encoded {@code OneShotProtocol.Run} of a direct start, or an empty array
 * @param rehearsal       for a spare, an encoded task to decode (and drop) as it warms up, or an empty array
 */
public record BootRecord(byte[] key, Path sessionDirectory, Path parentSocket, long token, long parentPid,
                         boolean noJvmWideFilter, boolean spare, byte[] run, byte[] rehearsal) {
    public static final int MAGIC = 0x4d50344a; // "MP4J"
    private static final int MAX_LENGTH = 64 * 1024;

    /** The boot record of a child that will call back on {@code parentSocket} for its work. */
    public BootRecord(byte[] key, Path sessionDirectory, Path parentSocket, long token, long parentPid) {
        this(key, sessionDirectory, parentSocket, token, parentPid, false, false, new byte[0], new byte[0]);
    }

    /** Whether the child was started with its task, and calls back on no socket. */
    public boolean direct() {
        return run.length > 0;
    }

    public byte[] encode() {
        ByteSink body = new ByteSink(256)
                .putBlob(key)
                .putUtf8(sessionDirectory.toString())
                .putUtf8(parentSocket.toString())
                .putLong(token)
                .putLong(parentPid)
                .putByte(noJvmWideFilter ? 1 : 0)
                .putByte(spare ? 1 : 0);
        return new ByteSink(body.size() + 16 + run.length + rehearsal.length).putInt(MAGIC).putInt(body.size())
                .putBytes(body.toByteArray()).putInt(run.length).putBytes(run).putInt(rehearsal.length).putBytes(rehearsal)
                .toByteArray();
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
        byte[] key = b.getBlob();
        Path directory = Path.of(b.getUtf8());
        Path socket = Path.of(b.getUtf8());
        long token = b.getLong();
        long parentPid = b.getLong();
        boolean noJvmWideFilter = b.getByte() != 0;
        boolean spare = b.getByte() != 0;
        b.expectEnd();
        byte[] run = readPart(in, "task");
        byte[] rehearsal = readPart(in, "rehearsal");
        return new BootRecord(key, directory, socket, token, parentPid, noJvmWideFilter, spare, run, rehearsal);
    }

    /** Reads a length and that many bytes: the {@code what} of the boot record. */
    private static byte[] readPart(InputStream in, String what) throws IOException {
        byte[] head = in.readNBytes(4);
        if (head.length < 4) {
            throw new EOFException("stdin closed inside the boot record");
        }
        int length = new ByteSource(head).getInt();
        if (length < 0) {
            throw new IOException("a " + what + " of " + length + " bytes in the boot record");
        }
        byte[] part = in.readNBytes(length);
        if (part.length < length) {
            throw new EOFException("stdin closed inside the " + what + " of the boot record");
        }
        return part;
    }
}

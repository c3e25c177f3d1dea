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
 * calls back on no socket; any other child finds an empty one.
 *
 * <pre>
 *  int32 magic 'MP4J' | int32 length | key blob | session dir | parent socket | int64 token | int64 parent pid
 *  | byte noJvmWideFilter | int32 run length | run (OneShotProtocol.Run, or nothing)
 * </pre>
 *
 * @param noJvmWideFilter true if the parent found that nothing can give the child a JVM-wide deserialization filter
 *                        ({@code jdk.serialFilter}; see {@link JvmWideFilterSources}), so that decoding its task
 *                        need not look for one
 * @param run             the encoded {@code OneShotProtocol.Run} of a direct start, or an empty array
 */
public record BootRecord(byte[] key, Path sessionDirectory, Path parentSocket, long token, long parentPid,
                         boolean noJvmWideFilter, byte[] run) {
    public static final int MAGIC = 0x4d50344a; // "MP4J"
    private static final int MAX_LENGTH = 64 * 1024;

    /** The boot record of a child that will call back on {@code parentSocket} for its work. */
    public BootRecord(byte[] key, Path sessionDirectory, Path parentSocket, long token, long parentPid) {
        this(key, sessionDirectory, parentSocket, token, parentPid, false, new byte[0]);
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
                .putByte(noJvmWideFilter ? 1 : 0);
        return new ByteSink(body.size() + 12 + run.length).putInt(MAGIC).putInt(body.size()).putBytes(body.toByteArray())
                .putInt(run.length).putBytes(run).toByteArray();
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
        b.expectEnd();
        byte[] runHead = in.readNBytes(4);
        if (runHead.length < 4) {
            throw new EOFException("stdin closed inside the boot record");
        }
        int runLength = new ByteSource(runHead).getInt();
        if (runLength < 0) {
            throw new IOException("a task of " + runLength + " bytes in the boot record");
        }
        byte[] run = in.readNBytes(runLength);
        if (run.length < runLength) {
            throw new EOFException("stdin closed inside the task of the boot record");
        }
        return new BootRecord(key, directory, socket, token, parentPid, noJvmWideFilter, run);
    }
}

package io.github.multiprocessing4j.internal.bytes;

import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A cursor over a byte array with big-endian readers, the counterpart of {@link ByteSink}. Reading past
 * the end throws {@link MalformedDataException}: the bytes came from another process, so a short read
 * means a broken or hostile peer, never an internal bug.
 *
 * <p>Not thread-safe.
 */
public final class ByteSource extends InputStream {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] buf;
    private final int limit;
    private int pos;

    public ByteSource(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public ByteSource(byte[] buf, int offset, int length) {
        if (offset < 0 || length < 0 || length > buf.length - offset) { // offset + length may overflow
            throw new IndexOutOfBoundsException("offset=" + offset + ", length=" + length + ", array=" + buf.length);
        }
        this.buf = buf;
        this.pos = offset;
        this.limit = offset + length;
    }

    private int take(int n) {
        if (n < 0 || limit - pos < n) {
            throw new MalformedDataException("truncated data: needed " + n + " bytes, " + (limit - pos) + " left");
        }
        int at = pos;
        pos += n;
        return at;
    }

    public byte getByte() {
        return buf[take(1)];
    }

    public short getShort() {
        return (short) SHORT.get(buf, take(2));
    }

    public int getInt() {
        return (int) INT.get(buf, take(4));
    }

    public long getLong() {
        return (long) LONG.get(buf, take(8));
    }

    public byte[] getBytes(int n) {
        int at = take(n);
        return Arrays.copyOfRange(buf, at, at + n);
    }

    /** Reads a length-prefixed byte array written by {@link ByteSink#putBlob}. */
    public byte[] getBlob() {
        return getBytes(getInt());
    }

    public String getUtf8() {
        int n = getInt();
        int at = take(n);
        return new String(buf, at, n, StandardCharsets.UTF_8);
    }

    /** Skips {@code n} bytes and returns the offset where they started, for zero-copy views. */
    public int skip(int n) {
        return take(n);
    }

    public byte[] array() {
        return buf;
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return limit - pos;
    }

    public void expectEnd() {
        if (pos != limit) {
            throw new MalformedDataException((limit - pos) + " unexpected trailing bytes");
        }
    }

    @Override
    public int read() {
        return pos < limit ? buf[pos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (pos >= limit) {
            return -1;
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return limit - pos;
    }
}

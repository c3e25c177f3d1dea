package io.github.multiprocessing4j.internal.bytes;

import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable, unsynchronized byte buffer with big-endian writers: the one place where encoders build
 * payloads. It is also an {@link OutputStream}, so {@link java.io.ObjectOutputStream} can write into it
 * without a second copy.
 *
 * <p>Not thread-safe: one writer at a time.
 */
public final class ByteSink extends OutputStream {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private int size;

    public ByteSink() {
        this(64);
    }

    public ByteSink(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    /**
     * Appends {@code n} bytes of undefined content and returns the offset where they start in
     * {@link #array()}, for callers that fill them in bulk.
     */
    public int claim(int n) {
        int at = size;
        int needed = at + n;
        if (needed < 0) {
            throw new OutOfMemoryError("payload larger than 2 GiB: " + ((long) at + n) + " bytes");
        }
        if (needed > buf.length) {
            int grown = buf.length + (buf.length >> 1);
            buf = Arrays.copyOf(buf, Math.max(needed, grown < 0 ? Integer.MAX_VALUE - 8 : grown));
        }
        size = needed;
        return at;
    }

    /** Makes sure {@code n} more bytes fit without growing the buffer again. */
    public ByteSink reserve(int n) {
        int needed = size + n;
        if (needed > buf.length && needed > 0) {
            buf = Arrays.copyOf(buf, needed);
        }
        return this;
    }

    public ByteSink putByte(int b) {
        int at = claim(1);
        buf[at] = (byte) b;
        return this;
    }

    public ByteSink putShort(int v) {
        int at = claim(2);
        SHORT.set(buf, at, (short) v);
        return this;
    }

    public ByteSink putInt(int v) {
        int at = claim(4);
        INT.set(buf, at, v);
        return this;
    }

    public ByteSink putLong(long v) {
        int at = claim(8);
        LONG.set(buf, at, v);
        return this;
    }

    public ByteSink putBytes(byte[] b) {
        return putBytes(b, 0, b.length);
    }

    public ByteSink putBytes(byte[] b, int off, int len) {
        int at = claim(len);
        System.arraycopy(b, off, buf, at, len);
        return this;
    }

    /** Writes a length-prefixed byte array. */
    public ByteSink putBlob(byte[] b) {
        putInt(b.length);
        return putBytes(b);
    }

    /** Writes a length-prefixed UTF-8 string; for names and messages, not for user data. */
    public ByteSink putUtf8(String s) {
        return putBlob(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Overwrites the int at {@code offset}, for length fields filled in after the body. */
    public void setInt(int offset, int v) {
        INT.set(buf, offset, v);
    }

    public int size() {
        return size;
    }

    /** The internal array; only the first {@link #size()} bytes are meaningful. */
    public byte[] array() {
        return buf;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    public void clear() {
        size = 0;
    }

    /** Drops everything written after the first {@code newSize} bytes, to undo a failed write. */
    public void truncate(int newSize) {
        if (newSize < 0 || newSize > size) {
            throw new IndexOutOfBoundsException("newSize=" + newSize + ", size=" + size);
        }
        size = newSize;
    }

    @Override
    public void write(int b) {
        putByte(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        putBytes(b, off, len);
    }
}

package io.github.multiprocessing4j.subprocess;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes a child wrote to one pipe, kept as the chunks they were read into. They are joined only when a
 * caller asks for them, so reading a large output costs one copy from the pipe and one into the caller's
 * array, as in CPython ({@code b"".join(chunks)}).
 *
 * <p>Immutable once built: the chunks are never written after the collector hands them over.
 */
final class CapturedBytes {
    static final CapturedBytes EMPTY = new CapturedBytes(List.of(), 0, 0);
    private static final byte[] LINE_END = {'\n'};
    private static final CapturedBytes LINE_BREAK = new CapturedBytes(List.of(LINE_END), 1, 1);

    /** Every chunk but the last is full; the last holds {@code lastLength} bytes. */
    private final List<byte[]> chunks;
    private final int lastLength;
    private final long size;

    CapturedBytes(List<byte[]> chunks, int lastLength, long size) {
        this.chunks = List.copyOf(chunks);
        this.lastLength = lastLength;
        this.size = size;
    }

    /**
     * The bytes of {@code parts} one after the other (null parts are skipped), or null if all are null.
     * Without joining them: only the last chunk of each part is copied, cut to its length, so that every
     * chunk but the last is full; the parts together may hold more than an array can.
     */
    static CapturedBytes concat(List<CapturedBytes> parts) {
        List<byte[]> all = new ArrayList<>();
        long size = 0;
        boolean any = false;
        for (CapturedBytes part : parts) {
            if (part == null) {
                continue;
            }
            any = true;
            size += part.size;
            for (int i = 0; i < part.chunks.size(); i++) {
                byte[] c = part.chunks.get(i);
                int valid = i == part.chunks.size() - 1 ? part.lastLength : c.length;
                if (valid > 0) {
                    all.add(valid == c.length ? c : Arrays.copyOf(c, valid));
                }
            }
        }
        if (!any) {
            return null;
        }
        return new CapturedBytes(all, all.isEmpty() ? 0 : all.getLast().length, size);
    }

    /**
     * The output of several commands, one after the other as {@link #concat} joins them, each on lines of its
     * own: a line break goes after a part whose last line is unfinished (a command killed in the middle of
     * it) when another part follows, so that its end and the next part's first line do not read as one line.
     * Only in a charset that writes {@code \n} as the one byte 0x0A, as the ones that extend ASCII do; in
     * another (UTF-16) the parts are only joined.
     */
    static CapturedBytes concatLines(List<CapturedBytes> parts, Charset charset) {
        if (!charset.canEncode() || !Arrays.equals("\n".getBytes(charset), LINE_END)) {
            return concat(parts);
        }
        List<CapturedBytes> lines = new ArrayList<>();
        boolean unfinished = false;
        for (CapturedBytes part : parts) {
            if (part != null && part.size > 0) {
                if (unfinished) {
                    lines.add(LINE_BREAK);
                }
                unfinished = part.last(1)[0] != '\n';
            }
            lines.add(part);
        }
        return concat(lines);
    }

    long size() {
        return size;
    }

    /**
     * A new array with every byte.
     *
     * @throws OutOfMemoryError if there are more than {@code Integer.MAX_VALUE - 8} bytes, which no Java
     *                          array can hold
     */
    byte[] toArray() {
        if (size > Integer.MAX_VALUE - 8) {
            throw new OutOfMemoryError("captured output too large for one array: " + size + " bytes");
        }
        byte[] all = new byte[(int) size];
        int at = 0;
        for (int i = 0; i < chunks.size(); i++) {
            byte[] c = chunks.get(i);
            int n = i == chunks.size() - 1 ? lastLength : c.length;
            System.arraycopy(c, 0, all, at, n);
            at += n;
        }
        return all;
    }

    /** The last {@code n} bytes, or all if there are fewer, in a new array; without joining the rest. */
    byte[] last(int n) {
        byte[] end = new byte[(int) Math.min(n, size)];
        int to = end.length;
        for (int i = chunks.size() - 1; i >= 0 && to > 0; i--) {
            byte[] c = chunks.get(i);
            int valid = i == chunks.size() - 1 ? lastLength : c.length;
            int take = Math.min(valid, to);
            System.arraycopy(c, valid - take, end, to - take, take);
            to -= take;
        }
        return end;
    }

    /** The bytes decoded with {@code charset}; malformed input becomes U+FFFD. */
    String decode(Charset charset) {
        if (size == 0) {
            return "";
        }
        if (chunks.size() == 1) {
            return new String(chunks.getFirst(), 0, lastLength, charset);
        }
        return new String(toArray(), charset);
    }
}

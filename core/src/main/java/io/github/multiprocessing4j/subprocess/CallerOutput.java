package io.github.multiprocessing4j.subprocess;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Objects;

/**
 * A pipe from the command as {@link Subprocess#stdout()} and {@link Subprocess#stderr()} hand it out: the
 * JDK's pipe stream, which also remembers that the caller closed it, so that a later {@code communicate}
 * reads it as empty, as Python's does, instead of failing on a closed stream.
 *
 * <p>It also reads the lines of {@link Subprocess#stdoutLines()}. A line reader must read ahead to find the
 * end of a line; what it read past the line it returns stays here and is what the next read of any kind
 * gets first (a read, another line, or {@code communicate}, which reads through this stream), so taking a
 * line loses nothing of what follows, as with Python's {@code readline()}.
 *
 * <p>Not thread-safe: one thread at a time, as {@link Subprocess} says of its pipes.
 */
final class CallerOutput extends InputStream {
    private static final int FIRST_BUFFER = 8 * 1024;
    /** The longest array the JDK's own buffers grow to (as {@code ArraysSupport.SOFT_MAX_ARRAY_LENGTH}). */
    private static final int MAX_BUFFER = Integer.MAX_VALUE - 8;

    private final InputStream pipe;
    private volatile boolean closed;
    /** Bytes read from the pipe but not yet handed out: {@code buffer[position..count)}. */
    private byte[] buffer = new byte[0];
    private int position;
    private int count;
    /** The last line ended at a '\r' that was the last byte read: a '\n' first in the next line belongs to it. */
    private boolean skipLineFeed;

    CallerOutput(InputStream pipe) {
        this.pipe = pipe;
    }

    /**
     * Whether {@link #readLine} can split lines in {@code charset}: true when '\n' and '\r' are the single
     * bytes they are in ASCII, which then never occur inside another character (UTF-8, ISO-8859-x, the
     * Windows and East Asian multi-byte sets); false for UTF-16 or UTF-32, say.
     */
    static boolean splitsLinesIn(Charset charset) {
        return charset.canEncode() && Arrays.equals("\n\r".getBytes(charset), new byte[] {'\n', '\r'});
    }

    @Override
    public int read() throws IOException {
        ensureOpen();
        dropLineFeedOfLastLine();
        return position < count ? buffer[position++] & 0xff : pipe.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        if (len == 0) {
            return 0;
        }
        dropLineFeedOfLastLine();
        if (position < count) {
            int n = Math.min(len, count - position);
            System.arraycopy(buffer, position, b, off, n);
            position += n;
            return n;
        }
        return pipe.read(b, off, len);
    }

    @Override
    public long skip(long n) throws IOException {
        ensureOpen();
        if (n <= 0) {
            return 0;
        }
        dropLineFeedOfLastLine();
        if (position < count) {
            int skipped = (int) Math.min(n, count - position);
            position += skipped;
            return skipped;
        }
        return pipe.skip(n);
    }

    @Override
    public int available() throws IOException {
        ensureOpen();
        return position < count ? count - position : pipe.available();
    }

    /**
     * The next line decoded with {@code charset} (malformed bytes become U+FFFD), without its end ({@code \n},
     * {@code \r} or {@code \r\n}); or null at the end of the stream. {@code charset} must be one that
     * {@link #splitsLinesIn} accepts.
     */
    String readLine(Charset charset) throws IOException {
        ensureOpen();
        int scan = position;
        while (true) {
            if (skipLineFeed && position < count) {
                skipLineFeed = false;
                if (buffer[position] == '\n') {
                    position++;
                }
                scan = position;
            }
            for (int i = scan; i < count; i++) {
                byte b = buffer[i];
                if (b == '\n' || b == '\r') {
                    String line = new String(buffer, position, i - position, charset);
                    position = i + 1;
                    if (b == '\r') {
                        if (position < count) {
                            position += buffer[position] == '\n' ? 1 : 0;
                        } else {
                            skipLineFeed = true;
                        }
                    }
                    return line;
                }
            }
            scan = count - position; // where the scan resumes once the buffer is compacted
            if (!fill()) {
                skipLineFeed = false;
                if (position == count) {
                    return null;
                }
                String last = new String(buffer, position, count - position, charset);
                position = count;
                return last;
            }
        }
    }

    /**
     * If the last line ended at a '\r' that was the last byte read, drops the '\n' that may follow: "\r\n"
     * ends one line, so what follows the lines taken is the same whether it is read as lines or as bytes.
     */
    private void dropLineFeedOfLastLine() throws IOException {
        if (skipLineFeed) {
            skipLineFeed = false;
            if ((position < count || fill()) && buffer[position] == '\n') {
                position++;
            }
        }
    }

    /** Moves the unread bytes to the front, makes room, and reads more; false at the end of the stream. */
    private boolean fill() throws IOException {
        if (position > 0) {
            System.arraycopy(buffer, position, buffer, 0, count - position);
            count -= position;
            position = 0;
        }
        if (count == buffer.length) {
            if (count >= MAX_BUFFER) { // thrown before anything changes: the bytes are still there for read()
                throw new OutOfMemoryError("a line of more than " + MAX_BUFFER + " bytes, which no Java array can "
                        + "hold: read such output with read(), not as lines");
            }
            // in a long: doubling past 1 GiB overflows an int
            buffer = Arrays.copyOf(buffer, (int) Math.min(MAX_BUFFER, Math.max(FIRST_BUFFER, 2L * buffer.length)));
        }
        int n = pipe.read(buffer, count, buffer.length - count);
        if (n < 0) {
            return false;
        }
        count += n;
        return true;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("Stream closed");
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        buffer = new byte[0];
        position = 0;
        count = 0;
        pipe.close();
    }

    boolean closed() {
        return closed;
    }
}

package io.github.multiprocessing4j.internal.wire;

import io.github.multiprocessing4j.internal.bytes.ByteSink;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A framed, full-duplex connection over a Unix-domain (or TCP) {@link SocketChannel}; see {@link Frame}
 * for the layout.
 *
 * <p><b>Thread-safety:</b> any thread may {@link #send}; frames from concurrent senders never interleave.
 * Only one thread at a time may {@link #receive} (each connection has one reader).
 *
 * <p><b>Peer death and close:</b> when the peer closes or its process dies, {@link #receive} first returns
 * every frame the peer wrote before it went, then {@code null}; a send fails with an {@link IOException}.
 * {@link #close()} makes a blocked {@code receive} throw {@link java.nio.channels.AsynchronousCloseException}.
 * Close is idempotent.
 */
public final class Connection implements AutoCloseable {
    /** Frames up to this size are copied into one buffer and written with one system call. */
    private static final int COALESCE_LIMIT = 32 * 1024;
    private static final int READ_BUFFER = 64 * 1024;
    /** Frames up to this size get their whole buffer at once; longer ones grow it as their bytes come. */
    private static final int EAGER_ALLOCATION = 16 * 1024 * 1024;

    private final SocketChannel channel;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Accessed only under writeLock. */
    private final ByteBuffer out = ByteBuffer.allocateDirect(COALESCE_LIMIT + Frame.HEADER_LENGTH);
    /** Accessed only by the reader; in read mode: position..limit is data not yet consumed. */
    private final ByteBuffer in = ByteBuffer.allocateDirect(READ_BUFFER).flip();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile int maxFrameLength = Frame.MAX_PAYLOAD;
    /** Null while the channel blocks; set once by {@link #spinBeforeBlocking}. */
    private volatile SpinningReadiness spinning;

    public Connection(SocketChannel channel) {
        this.channel = channel;
    }

    /** Connects to a Unix-domain socket. */
    public static Connection connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return new Connection(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * From now on, a read that finds nothing tries again for up to {@code spinNanos}, yielding the CPU
     * between tries, before it sleeps; see {@link SpinningReadiness}. For connections whose replies usually
     * come within microseconds (a pool's workers). Call before anyone reads or writes concurrently; zero or
     * less leaves the connection blocking.
     */
    public void spinBeforeBlocking(long spinNanos) throws IOException {
        if (spinNanos <= 0) {
            return;
        }
        writeLock.lock();
        try {
            if (spinning == null) {
                spinning = new SpinningReadiness(channel, spinNanos);
            }
        } finally {
            writeLock.unlock();
        }
        if (closed.get()) {
            spinning.close();
        }
    }

    /** Frames longer than this are refused by {@link #receive} (the handshake keeps it small). */
    public void maxFrameLength(int max) {
        this.maxFrameLength = max;
    }

    public void send(byte type, long id, byte[] payload) throws IOException {
        send(type, id, payload, 0, payload.length);
    }

    public void send(byte type, long id, byte[] payload, int offset, int length) throws IOException {
        writeLock.lock();
        try {
            out.clear();
            out.putInt(length).put(type).putLong(id);
            if (length <= COALESCE_LIMIT) {
                out.put(payload, offset, length).flip();
                writeFully(out);
            } else {
                out.flip();
                writeFully(out);
                writeFully(ByteBuffer.wrap(payload, offset, length));
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Writes frames that were already laid out with {@link #appendFrame}, in one go. */
    public void sendBatch(ByteSink frames) throws IOException {
        writeLock.lock();
        try {
            writeFully(ByteBuffer.wrap(frames.array(), 0, frames.size()));
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * {@link #sendBatch}, but the calling thread's interrupt does not close the connection: on a connection
     * that {@linkplain #spinBeforeBlocking spins}, the thread waits on until the frames are written and its
     * interrupt status is set again after; on a blocking one, only an interrupt that was pending before the
     * call is held back. For a pool, whose frames to a worker are written by whichever thread submitted
     * work: an interrupt of that thread must not cost the worker, and the other tasks on it, their connection.
     */
    public void sendBatchUninterruptibly(ByteSink frames) throws IOException {
        writeLock.lock();
        boolean interrupted = Thread.interrupted();
        try {
            writeFully(ByteBuffer.wrap(frames.array(), 0, frames.size()), false);
        } finally {
            writeLock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Lays out a frame at the end of {@code sink}, for {@link #sendBatch}. */
    public static void appendFrame(ByteSink sink, byte type, long id, byte[] payload) {
        sink.putInt(payload.length).putByte(type).putLong(id).putBytes(payload);
    }

    /** Starts a frame whose payload the caller appends next; finish it with {@link #endFrame}. */
    public static int beginFrame(ByteSink sink, byte type, long id) {
        int at = sink.size();
        sink.putInt(0).putByte(type).putLong(id);
        return at;
    }

    public static void endFrame(ByteSink sink, int frameStart) {
        sink.setInt(frameStart, sink.size() - frameStart - Frame.HEADER_LENGTH);
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
        writeFully(buffer, true);
    }

    private void writeFully(ByteBuffer buffer, boolean interruptible) throws IOException {
        SpinningReadiness s = spinning;
        while (buffer.hasRemaining()) {
            if (s == null) {
                channel.write(buffer);
            } else if (interruptible) {
                s.write(buffer);
            } else {
                s.writeUninterruptibly(buffer);
            }
        }
    }

    /**
     * Reads the next frame, blocking until one is complete.
     *
     * @return the frame, or {@code null} if the peer closed the connection between frames
     * @throws EOFException      if the peer closed it in the middle of a frame
     * @throws ProtocolException if the header announces a length out of range
     */
    public Frame receive() throws IOException {
        if (!fill(Frame.HEADER_LENGTH)) {
            return null;
        }
        int length = in.getInt();
        byte type = in.get();
        long id = in.getLong();
        if (length < 0 || length > maxFrameLength) {
            throw new ProtocolException("frame " + FrameType.name(type) + " announces " + length
                    + " bytes; the limit is " + maxFrameLength);
        }
        // A header alone cannot make us allocate a huge array: past EAGER_ALLOCATION the buffer grows only
        // as fast as the bytes actually arrive.
        byte[] payload = new byte[Math.min(length, EAGER_ALLOCATION)];
        int buffered = Math.min(length, in.remaining());
        if (buffered > payload.length) {
            payload = Arrays.copyOf(payload, buffered);
        }
        in.get(payload, 0, buffered);
        if (buffered < length) {
            int missing = length - buffered;
            if (missing < READ_BUFFER && payload.length == length) {
                if (!fill(missing)) {
                    throw new EOFException("connection closed inside a " + FrameType.name(type) + " frame");
                }
                in.get(payload, buffered, missing);
            } else {
                int got = buffered;
                while (got < length) {
                    if (got == payload.length) {
                        payload = Arrays.copyOf(payload, (int) Math.min(length, 2L * payload.length));
                    }
                    int n = read(ByteBuffer.wrap(payload, got, payload.length - got));
                    if (n < 0) {
                        throw new EOFException("connection closed inside a " + FrameType.name(type) + " frame");
                    }
                    got += n;
                }
            }
        }
        return new Frame(type, id, payload);
    }

    /** True if a complete frame is already buffered, so that {@link #receive} will not block. */
    public boolean hasBufferedFrame() {
        return bufferedFrame();
    }

    /**
     * Reads, without waiting, what the peer has sent so far, so that {@link #hasBufferedFrame} sees it. Only a
     * connection that {@linkplain #spinBeforeBlocking spins} (non-blocking underneath) can; on a blocking one
     * this does nothing. For the reader only.
     */
    public void readAvailable() throws IOException {
        if (spinning == null) {
            return;
        }
        in.compact();
        try {
            channel.read(in); // 0 when nothing came; -1 at the end of the stream, which the next receive sees too
        } finally {
            in.flip();
        }
    }

    private boolean bufferedFrame() {
        if (in.remaining() < Frame.HEADER_LENGTH) {
            return false;
        }
        int length = in.getInt(in.position());
        return length >= 0 && in.remaining() - Frame.HEADER_LENGTH >= length;
    }

    /**
     * Makes at least {@code n} bytes available in {@code in}.
     *
     * @return false at a clean end of stream (nothing buffered)
     */
    private boolean fill(int n) throws IOException {
        if (in.remaining() >= n) {
            return true;
        }
        in.compact();
        try {
            while (in.position() < n) {
                if (read(in) < 0) {
                    if (in.position() == 0) {
                        return false;
                    }
                    throw new EOFException("connection closed after a partial frame (" + in.position() + " bytes)");
                }
            }
        } finally {
            in.flip();
        }
        return true;
    }

    private int read(ByteBuffer dst) throws IOException {
        SpinningReadiness s = spinning;
        return s == null ? channel.read(dst) : s.read(dst);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do: the socket is gone either way
            }
            SpinningReadiness s = spinning;
            if (s != null) {
                s.close();
            }
        }
    }
}

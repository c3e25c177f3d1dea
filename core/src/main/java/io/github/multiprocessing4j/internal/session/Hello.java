package io.github.multiprocessing4j.internal.session;

import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;

/**
 * The child's first frame after the handshake: which launch it answers, its pid, and when it got to
 * {@code main} and connected ({@link System#nanoTime()}, which on Linux is comparable across processes).
 *
 * @param token          the launch token the parent passed in the boot record
 * @param pid            the child's pid
 * @param mainNanos      when the child entered {@code main}
 * @param socketNanos    when its socket was connected (the handshake starts)
 * @param connectedNanos when the child finished the handshake
 */
public record Hello(long token, long pid, long mainNanos, long socketNanos, long connectedNanos) {
    /** The length of an encoded hello, in bytes. */
    public static final int LENGTH = 5 * Long.BYTES;

    public byte[] encode() {
        return new ByteSink(LENGTH).putLong(token).putLong(pid).putLong(mainNanos).putLong(socketNanos).putLong(connectedNanos)
                .toByteArray();
    }

    public static Hello decode(byte[] payload) {
        ByteSource in = new ByteSource(payload);
        Hello hello = new Hello(in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong());
        in.expectEnd();
        return hello;
    }
}

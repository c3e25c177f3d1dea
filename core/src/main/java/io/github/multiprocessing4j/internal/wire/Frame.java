package io.github.multiprocessing4j.internal.wire;

import io.github.multiprocessing4j.internal.bytes.ByteSource;

/**
 * One message on a {@link Connection}.
 *
 * <pre>
 *  0        4      5                13
 *  +--------+------+-----------------+------------------+
 *  | length | type | id              | payload (length) |
 *  | int32  | int8 | int64           | bytes            |
 *  +--------+------+-----------------+------------------+
 * </pre>
 * All integers are big-endian. {@code id} names the task or function a frame is about (0 if none).
 *
 * @param type    a {@link FrameType} constant
 * @param id      the task or function id, or 0
 * @param payload the body, never null
 */
public record Frame(byte type, long id, byte[] payload) {
    public static final int HEADER_LENGTH = 13;
    /** The longest payload a frame can carry: its whole frame must fit in one Java array. */
    public static final int MAX_PAYLOAD = Integer.MAX_VALUE - HEADER_LENGTH;

    public ByteSource body() {
        return new ByteSource(payload);
    }

    @Override
    public String toString() {
        return FrameType.name(type) + "[id=" + id + ", " + payload.length + " bytes]";
    }
}

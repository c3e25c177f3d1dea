package io.github.multiprocessing4j.internal.worker;

import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.internal.codec.ThrowableCodec;

/**
 * The two frames of a {@code JvmProcess}'s life after the handshake.
 *
 * <pre>
 *  RUN   parent to child:  utf8 name | blob encoded task
 *  DONE  child to parent:  int64 received | int64 decoded | int64 finished | int8 failed | [failure (ThrowableCodec)]
 * </pre>
 */
public final class OneShotProtocol {
    private OneShotProtocol() {
    }

    /** A decoded {@link io.github.multiprocessing4j.internal.wire.FrameType#RUN}. */
    public record Run(String name, byte[] task) {
        public byte[] encode() {
            return new ByteSink(task.length + name.length() + 16).putUtf8(name).putBlob(task).toByteArray();
        }

        public static Run decode(byte[] payload) {
            ByteSource in = new ByteSource(payload);
            Run run = new Run(in.getUtf8(), in.getBlob());
            in.expectEnd();
            return run;
        }
    }

    /** A decoded {@link io.github.multiprocessing4j.internal.wire.FrameType#DONE}; {@code failure} is null on success. */
    public record Done(long received, long decoded, long finished, Throwable failure) {
        public byte[] encode() {
            ByteSink out = new ByteSink(failure == null ? 32 : 2048)
                    .putLong(received).putLong(decoded).putLong(finished).putByte(failure == null ? 0 : 1);
            if (failure != null) {
                ThrowableCodec.write(failure, out);
            }
            return out.toByteArray();
        }

        /** @param where where the task ran, for a failure that cannot be recreated here */
        public static Done decode(byte[] payload, String where) {
            ByteSource in = new ByteSource(payload);
            long received = in.getLong();
            long decoded = in.getLong();
            long finished = in.getLong();
            Throwable failure = in.getByte() != 0 ? ThrowableCodec.read(in, where) : null;
            return new Done(received, decoded, finished, failure);
        }
    }
}

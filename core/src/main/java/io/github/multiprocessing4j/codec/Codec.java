package io.github.multiprocessing4j.codec;

import io.github.multiprocessing4j.internal.codec.StandardCodec;

/**
 * Turns values into bytes that another JVM can turn back into equal values.
 *
 * <p>Tasks, arguments, results and exceptions all cross process boundaries through a codec. The library
 * encodes a task when it is handed over ({@code JvmProcess.start}, {@code Pool.submit}), so a value that
 * cannot travel fails in the caller's thread with an {@link EncodingException} that names the offending
 * class, never later inside a child. (A task's result can be encoded only where the task ran: one that cannot
 * travel back fails that task, with an {@code EncodingException} that says so.)
 *
 * <p>The {@linkplain #standard() standard codec}:
 * <ul>
 *   <li>writes {@code null}, {@code byte[]}, {@code String}, boxed primitives and primitive arrays with a
 *       one-byte tag and no serializer at all;</li>
 *   <li>writes a serializable lambda ({@link io.github.multiprocessing4j.function.SerializableFunction} and
 *       friends) that captures only such values as its {@link java.lang.invoke.SerializedLambda} form, which the
 *       capturing class's own {@code $deserializeLambda$} turns back into the lambda, with no
 *       {@link java.io.ObjectInputStream} (whose first use costs a fresh JVM tens of milliseconds);</li>
 *   <li>writes everything else with Java serialization, which carries the other serializable lambdas and
 *       records;</li>
 *   <li>reads Java-serialized data through an allow-list filter: from the JDK only value types
 *       ({@code java.lang}, {@code java.util} with its {@code concurrent} and {@code regex} packages,
 *       {@code java.time}, {@code java.math}, {@code java.sql} (a JDBC task's {@code Timestamp}s and
 *       {@code SQLException}s), {@code java.net.URI}, {@code java.io.File}, the exceptions of
 *       these and of {@code java.io}, {@code java.net}, {@code java.nio} (with its {@code channels}, {@code charset},
 *       {@code file} and {@code file.attribute} packages), {@code java.util.zip} and
 *       {@code java.lang.reflect}/{@code invoke}, {@code SerializedLambda}, and the JDK's own {@code TimeZone} and
 *       {@code Calendar} classes, so that a {@code java.util.TimeZone} or {@code Calendar} travels); from the
 *       application every class except known gadget hosts. The system
 *       property {@code mp4j.serialFilter}, a {@link java.io.ObjectInputFilter.Config#createFilter JDK filter
 *       pattern} such as {@code "com.acme.**;!*"}, narrows the application's classes to those it allows
 *       (the JDK value types, lambdas and paths stay allowed), may add JDK classes, sets limits (which judge
 *       the values written without a serializer too), and is handed to child JVMs.</li>
 * </ul>
 * It prints no JDK warning and needs no {@code --add-opens}.
 *
 * {@snippet :
 * Codec codec = Codec.standard();
 * byte[] bytes = codec.encode(List.of(1, 2, 3));
 * List<?> back = (List<?>) codec.decode(bytes);
 * }
 *
 * <p><b>Thread-safety:</b> implementations must be safe for use by many threads at once.
 */
public interface Codec {

    /**
     * Encodes {@code value}, which may be {@code null}.
     *
     * @throws EncodingException if the value, or anything it references, cannot be encoded
     */
    byte[] encode(Object value);

    /**
     * Decodes bytes produced by {@link #encode} in this or another JVM of the same class path.
     *
     * @throws DecodingException if the bytes are malformed, name a class that is missing here, or name a
     *         class that the deserialization filter refuses, or hold a value past one of its limits
     */
    Object decode(byte[] bytes, int offset, int length);

    /** Decodes a whole array; see {@link #decode(byte[], int, int)}. */
    default Object decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /** The codec that the library uses everywhere unless told otherwise. */
    static Codec standard() {
        return StandardCodec.INSTANCE;
    }
}

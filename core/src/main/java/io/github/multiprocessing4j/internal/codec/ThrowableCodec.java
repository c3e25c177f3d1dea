package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.process.RemoteTaskException;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Carries a task's exception from a child to its parent. What always travels: the class name, the
 * message and the stack trace as text. What travels when it can: the exception itself, serialized, so the
 * parent gets the real type (with the child's stack trace, which serialization keeps). When the parent
 * cannot recreate it, it gets a {@link RemoteTaskException} built from the text.
 *
 * <pre>
 *  utf8 class name | int8 has message | utf8 message | utf8 stack trace | value (the exception, or null)
 * </pre>
 */
public final class ThrowableCodec {
    private ThrowableCodec() {
    }

    public static void write(Throwable failure, ByteSink sink) {
        sink.putUtf8(failure.getClass().getName());
        String message = failure.getMessage();
        sink.putByte(message == null ? 0 : 1);
        if (message != null) {
            sink.putUtf8(message);
        }
        sink.putUtf8(stackTraceOf(failure));
        int valueAt = sink.size();
        try {
            StandardCodec.INSTANCE.write(failure, sink);
        } catch (EncodingException | StackOverflowError e) {
            sink.truncate(valueAt); // nothing of the failed attempt may stay before the null that replaces it
            StandardCodec.INSTANCE.write(null, sink);
        }
    }

    /**
     * @param where where it was thrown, for the fallback's message, e.g. {@code child JVM 1234 "worker-1"}
     */
    public static Throwable read(ByteSource source, String where) {
        String className = source.getUtf8();
        String message = source.getByte() != 0 ? source.getUtf8() : null;
        String stackTrace = source.getUtf8();
        Throwable recreated = null;
        Throwable whyNot = null;
        try {
            recreated = StandardCodec.INSTANCE.read(source) instanceof Throwable t ? t : null;
        } catch (DecodingException e) {
            whyNot = e;
        }
        return recreated != null ? recreated : new RemoteTaskException(className, message, stackTrace, where, whyNot);
    }

    public static String stackTraceOf(Throwable failure) {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            failure.printStackTrace(out);
        }
        return text.toString();
    }
}

package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.process.RemoteTaskException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

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
        String message = messageOf(failure);
        sink.putByte(message == null ? 0 : 1);
        if (message != null) {
            sink.putUtf8(message);
        }
        sink.putUtf8(stackTraceOf(failure));
        int valueAt = sink.size();
        try {
            StandardCodec.INSTANCE.write(failure, sink);
        } catch (EncodingException | StackOverflowError e) {
            withoutValue(sink, valueAt);
        } catch (VirtualMachineError e) {
            throw e; // out of memory, say: not the exception's fault, and not to be hidden
        } catch (Error e) {
            // An AssertionError or a LinkageError from the exception's own serialization code (a writeObject, a
            // class of a field that fails to initialize): it cannot travel, as for an EncodingException. Escaping,
            // the Error would end the child's main thread (a pool worker with it) and lose the report
            withoutValue(sink, valueAt);
        }
    }

    private static void withoutValue(ByteSink sink, int valueAt) {
        sink.truncate(valueAt); // nothing of the failed attempt may stay before the null that replaces it
        StandardCodec.INSTANCE.write(null, sink);
    }

    /**
     * @param where where it was thrown, for the fallback's message, e.g. {@code child JVM 1234 "worker-1"}
     */
    public static Throwable read(ByteSource source, String where) {
        return read(source, where, StandardCodec.INSTANCE);
    }

    /** {@link #read(ByteSource, String)}, the exception's value read by {@code codec}. */
    static Throwable read(ByteSource source, String where, StandardCodec codec) {
        String className = source.getUtf8();
        String message = source.getByte() != 0 ? source.getUtf8() : null;
        String stackTrace = source.getUtf8();
        Throwable recreated = null;
        Throwable whyNot = null;
        try {
            recreated = codec.read(source) instanceof Throwable t ? t : null;
        } catch (RuntimeException e) {
            // a DecodingException, or the IllegalArgumentException of an invalid mp4j.serialFilter: the text stays
            whyNot = e;
        } catch (OutOfMemoryError e) {
            throw e; // not the exception's fault: the caller says so (a pool fails that task alone)
        } catch (VirtualMachineError e) {
            // An InternalError from a readObject of the exception's value, say, which the codec lets through: the
            // text stays all the same. Thrown on, it replaced the exception (an initializer's escaped a pool's build
            // raw, without the exception's class, message or stack trace).
            whyNot = e;
        }
        return recreated != null ? recreated : new RemoteTaskException(className, message, stackTrace, where, whyNot);
    }

    /**
     * The stack trace as {@link Throwable#printStackTrace()} prints it; for an exception whose own methods
     * throw while it is printed (a {@code getMessage()} that fails, say), the class names and frames of it
     * and its causes, each with a note in place of the message (or frames) it could not give.
     */
    public static String stackTraceOf(Throwable failure) {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            failure.printStackTrace(out);
        } catch (RuntimeException | Error e) {
            passIfFatal(e);
            return plainStackTraceOf(failure);
        }
        return text.toString();
    }

    /**
     * {@code failure.toString()}, or, if that throws (a {@code getMessage()} that fails, say), its class name: for
     * a message that quotes a failure, and must not lose it.
     */
    public static String describe(Throwable failure) {
        try {
            return String.valueOf(failure);
        } catch (RuntimeException | Error e) {
            passIfFatal(e);
            return failure.getClass().getName() + " (its toString() threw " + e.getClass().getName() + ")";
        }
    }

    /** {@code getMessage()}, or null if it throws: the failure is still reported, by its type and trace. */
    private static String messageOf(Throwable failure) {
        try {
            return failure.getMessage();
        } catch (RuntimeException | Error e) {
            passIfFatal(e);
            return null;
        }
    }

    private static String plainStackTraceOf(Throwable failure) {
        StringBuilder text = new StringBuilder();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        String caption = "";
        for (Throwable t = failure; t != null && seen.add(t); t = causeOf(t)) {
            text.append(caption).append(t.getClass().getName()).append(": [its message is unavailable: ");
            try {
                t.getMessage();
                text.append("printing it failed]");
            } catch (RuntimeException | Error e) {
                passIfFatal(e);
                text.append("getMessage() threw ").append(e.getClass().getName()).append(']');
            }
            text.append(System.lineSeparator());
            StackTraceElement[] frames;
            try {
                frames = t.getStackTrace();
            } catch (RuntimeException | Error e) {
                passIfFatal(e);
                frames = new StackTraceElement[0];
                text.append("\t[its stack trace is unavailable: getStackTrace() threw ").append(e.getClass().getName())
                        .append(']').append(System.lineSeparator());
            }
            for (StackTraceElement frame : frames) {
                text.append("\tat ").append(frame).append(System.lineSeparator());
            }
            caption = "Caused by: ";
        }
        return text.toString();
    }

    /**
     * Rethrows {@code e} if it is a {@link VirtualMachineError} other than a {@link StackOverflowError} (out of
     * memory, say): not the exception's fault, and not to be hidden. Anything else that a method of the exception
     * throws, an {@code AssertionError} or a {@code LinkageError} too, is its own failure, which must not cost the
     * report (escaping, it would end a pool worker, as for its serialization in {@link #write}).
     */
    private static void passIfFatal(Throwable e) {
        if (e instanceof VirtualMachineError fatal && !(e instanceof StackOverflowError)) {
            throw fatal;
        }
    }

    private static Throwable causeOf(Throwable t) {
        try {
            return t.getCause();
        } catch (RuntimeException | Error e) {
            passIfFatal(e);
            return null;
        }
    }
}

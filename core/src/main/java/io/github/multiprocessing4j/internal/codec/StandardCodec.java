package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.internal.bytes.MalformedDataException;
import io.github.multiprocessing4j.internal.launch.ChildClassPath;
import io.github.multiprocessing4j.internal.launch.LaunchSpec;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectOutputStream;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The standard {@link Codec}: a tagged fast path for the common value types (see {@link Tag}) and Java
 * serialization, read back through a {@link SerialFilter}, for everything else.
 *
 * <p>Besides the {@code Codec} methods it offers {@link #write} and {@link #read} to append values to, or
 * take them from, a buffer that holds several, so that frames can be built without extra copies.
 */
public final class StandardCodec implements Codec {

    public static final StandardCodec INSTANCE = new StandardCodec(SerialFilter.fromSystemProperties());

    /**
     * The same codec for what this JVM sends to a child JVM it starts (tasks, their arguments, a pool's
     * initializer): it also refuses, with an {@link EncodingException} that says why and what to do, a class
     * that the child cannot load because this JVM loaded it from outside its class path and module path, or
     * that the child's deserialization filter, this JVM's, would refuse. For a child given a filter of its own,
     * see {@link #toChild}.
     */
    public static final StandardCodec TO_CHILD = new StandardCodec(INSTANCE.filter, true, true);

    /** {@link #TO_CHILD} for a child given a filter of its own: that filter alone judges, in the child. */
    private static final StandardCodec TO_CHILD_WITH_OWN_FILTER = new StandardCodec(INSTANCE.filter, true, false);

    /** {@link #INSTANCE} without the JVM-wide filter: see {@link #withoutJvmWideFilter()}. */
    private static final StandardCodec WITHOUT_JVM_WIDE_FILTER = new StandardCodec(INSTANCE.filter.withoutJvmWide());

    /** Where a stream holds a value of its own: at depth 1, its only reference (the filter's limits see it so, see
     * {@link SerialFilter}). */
    private static final int VALUE = 1;
    /** Where a stream holds a lambda's captured value: in the captured values' array, in the lambda: the third
     * reference at least. */
    private static final int CAPTURED = 3;

    private final SerialFilter filter;
    private final boolean toChild;
    /** Whether what goes to a child is judged by {@link #filter} on the way out: true if it is the child's. */
    private final boolean childHasThisFilter;

    StandardCodec(SerialFilter filter) {
        this(filter, false, false);
    }

    private StandardCodec(SerialFilter filter, boolean toChild, boolean childHasThisFilter) {
        this.filter = filter;
        this.toChild = toChild;
        this.childHasThisFilter = childHasThisFilter;
    }

    /**
     * The codec for what this JVM sends to a child launched with {@code spec}: {@link #TO_CHILD}, unless the
     * spec gives the child a {@code mp4j.serialFilter} of its own, which this JVM's filter cannot stand for.
     */
    public static StandardCodec toChild(LaunchSpec spec) {
        return spec.setsSystemProperty(SerialFilter.PROPERTY) ? TO_CHILD_WITH_OWN_FILTER : TO_CHILD;
    }

    /**
     * {@link #INSTANCE} for a JVM known to have no JVM-wide deserialization filter ({@code jdk.serialFilter}): it
     * does not ask the JDK for one, which costs a fresh JVM ~12-15 ms. For a child whose parent found that nothing
     * can set one there (see {@code JvmWideFilterSources}), to decode its task before anything else has run.
     */
    public static StandardCodec withoutJvmWideFilter() {
        return WITHOUT_JVM_WIDE_FILTER;
    }

    @Override
    public byte[] encode(Object value) {
        switch (value) {
            case null -> {
                return new byte[] {Tag.NULL};
            }
            case Integer i -> {
                int v = i;
                return new byte[] {Tag.INT, (byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
            }
            default -> {
                ByteSink sink = new ByteSink(value instanceof byte[] b ? b.length + 5 : 64);
                write(value, sink);
                return sink.toByteArray();
            }
        }
    }

    @Override
    public Object decode(byte[] bytes, int offset, int length) {
        ByteSource source = new ByteSource(bytes, offset, length);
        Object value = read(source);
        if (source.remaining() != 0) {
            throw new DecodingException("malformed value: " + source.remaining() + " trailing bytes", null);
        }
        return value;
    }

    /** True if {@code value} is written without Java serialization. */
    public static boolean isFastPath(Object value) {
        return switch (value) {
            case null -> true;
            case byte[] b -> true;
            case String s -> true;
            case Integer i -> true;
            case Long l -> true;
            case Double d -> true;
            case Float f -> true;
            case Short s -> true;
            case Byte b -> true;
            case Character c -> true;
            case Boolean b -> true;
            case int[] a -> true;
            case long[] a -> true;
            case double[] a -> true;
            case float[] a -> true;
            case short[] a -> true;
            case char[] a -> true;
            case boolean[] a -> true;
            default -> false;
        };
    }

    /** Appends one value to {@code sink}. On failure the sink is left as it was. */
    public void write(Object value, ByteSink sink) {
        switch (value) {
            case null -> sink.putByte(Tag.NULL);
            case byte[] b -> sink.putByte(Tag.BYTES).putBlob(b);
            case String s -> writeString(s, sink);
            case Integer i -> sink.putByte(Tag.INT).putInt(i);
            case Long l -> sink.putByte(Tag.LONG).putLong(l);
            case Double d -> sink.putByte(Tag.DOUBLE).putLong(Double.doubleToRawLongBits(d));
            case Float f -> sink.putByte(Tag.FLOAT).putInt(Float.floatToRawIntBits(f));
            case Short s -> sink.putByte(Tag.SHORT).putShort(s);
            case Byte b -> sink.putByte(Tag.BYTE).putByte(b);
            case Character c -> sink.putByte(Tag.CHAR).putShort(c);
            case Boolean b -> sink.putByte(Tag.BOOLEAN).putByte(b ? 1 : 0);
            case int[] a -> bulk(sink, Tag.INTS, a.length, 4).asIntBuffer().put(a);
            case long[] a -> bulk(sink, Tag.LONGS, a.length, 8).asLongBuffer().put(a);
            case double[] a -> bulk(sink, Tag.DOUBLES, a.length, 8).asDoubleBuffer().put(a);
            case float[] a -> bulk(sink, Tag.FLOATS, a.length, 4).asFloatBuffer().put(a);
            case short[] a -> bulk(sink, Tag.SHORTS, a.length, 2).asShortBuffer().put(a);
            case char[] a -> bulk(sink, Tag.CHARS, a.length, 2).asCharBuffer().put(a);
            case boolean[] a -> {
                ByteBuffer out = bulk(sink, Tag.BOOLEANS, a.length, 1);
                for (boolean b : a) {
                    out.put((byte) (b ? 1 : 0));
                }
            }
            default -> writeObject(value, sink);
        }
    }

    /**
     * {@link #write}, for the result of a task in the JVM that ran it: a failure says that the result cannot be sent
     * back and how to return it, not how to stop capturing it, as for a value handed over.
     */
    public void writeResult(Object result, ByteSink sink) {
        try {
            write(result, sink);
        } catch (EncodingException e) {
            throw SerializationDiagnosis.resultCannotTravel(result, e);
        }
    }

    /** Reads one value written by {@link #write}. */
    public Object read(ByteSource source) {
        return read(source, VALUE);
    }

    /**
     * Reads one value written by {@link #write} that must be of the fast path ({@link #isFastPath}): a lambda's
     * captured value (see {@link LambdaCodec}), which neither recurses into another form nor reaches Java serialization.
     */
    Object readFastPath(ByteSource source) {
        if (source.remaining() > 0) {
            byte tag = source.array()[source.position()];
            if (tag == Tag.LAMBDA || tag == Tag.SERIAL) {
                throw new MalformedDataException("a lambda's captured value with tag " + tag
                        + ", which only values of the fast path take");
            }
        }
        return read(source, CAPTURED);
    }

    /**
     * Reads one value, judging one of the fast path by the filter's limits (see {@link SerialFilter}) before it is
     * made; {@code depth} is where a stream would hold it: {@link #VALUE} or {@link #CAPTURED}.
     */
    private Object read(ByteSource source, int depth) {
        try {
            int start = source.position();
            byte tag = source.getByte();
            Object value = switch (tag) {
                case Tag.NULL -> null;
                case Tag.BYTES -> source.getBytes(count(source, 1, byte[].class, depth, start));
                case Tag.LATIN1 -> readLatin1(source, count(source, 1, null, depth, start));
                case Tag.UTF16 -> new String(chars(source, count(source, 2, null, depth, start)));
                case Tag.INT -> source.getInt();
                case Tag.LONG -> source.getLong();
                case Tag.DOUBLE -> Double.longBitsToDouble(source.getLong());
                case Tag.FLOAT -> Float.intBitsToFloat(source.getInt());
                case Tag.SHORT -> source.getShort();
                case Tag.BYTE -> source.getByte();
                case Tag.CHAR -> (char) source.getShort();
                case Tag.BOOLEAN -> source.getByte() != 0;
                case Tag.INTS -> ints(source, count(source, 4, int[].class, depth, start));
                case Tag.LONGS -> longs(source, count(source, 8, long[].class, depth, start));
                case Tag.DOUBLES -> doubles(source, count(source, 8, double[].class, depth, start));
                case Tag.FLOATS -> floats(source, count(source, 4, float[].class, depth, start));
                case Tag.SHORTS -> shorts(source, count(source, 2, short[].class, depth, start));
                case Tag.CHARS -> chars(source, count(source, 2, char[].class, depth, start));
                case Tag.BOOLEANS -> booleans(source, count(source, 1, boolean[].class, depth, start));
                case Tag.LAMBDA -> readLambda(source, start);
                case Tag.SERIAL -> readSerialized(source, -1);
                default -> throw new MalformedDataException("unknown value tag " + tag);
            };
            if (tag >= Tag.INT && tag <= Tag.BOOLEAN && filter.limitsValues()) { // a box: one check, as for an array
                limit(null, -1, depth, depth, source.position() - start);
            }
            return value;
        } catch (MalformedDataException e) {
            throw new DecodingException("malformed value: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the count of an array's (or a string's) elements of {@code width} bytes each, checks that they are there,
     * and judges the value by the filter's limits before anything is allocated.
     *
     * @param arrayClass the value's class if it is an array, or null
     */
    private int count(ByteSource source, int width, Class<?> arrayClass, int depth, int start) {
        int count = source.getInt();
        if (count < 0 || (long) count * width > source.remaining()) {
            throw new MalformedDataException("array of " + count + " elements does not fit in "
                    + source.remaining() + " bytes");
        }
        if (filter.limitsValues()) {
            limit(arrayClass, arrayClass == null ? -1 : count, depth, depth,
                    source.position() - start + (long) count * width);
        }
        return count;
    }

    /**
     * Refuses a value of the fast path that the filter's limits refuse (see {@link SerialFilter#refusalOfValue}); for
     * a filter that {@link SerialFilter#limitsValues()}, which the caller asks first, as it costs far less.
     */
    private void limit(Class<?> arrayClass, long arrayLength, long depth, long references, long bytes) {
        SerialFilter.Check refused;
        try {
            refused = filter.refusalOfValue(arrayClass, arrayLength, depth, references, bytes);
        } catch (IllegalStateException e) { // an invalid jdk.serialFilter, as a stream would find it
            throw new DecodingException("cannot deserialize: " + e, e);
        }
        if (refused != null) {
            throw refused(refused, null);
        }
    }

    /**
     * Judges, by the filter's limits, each element of a list that {@link ListCodec} packs as a primitive array: a box
     * of {@code bytes} bytes as a value of its own. One check for the list, whatever its length.
     */
    void limitPackedBoxes(int bytes) {
        if (filter.limitsValues()) {
            limit(null, -1, VALUE, VALUE, bytes);
        }
    }

    private static void writeString(String s, ByteSink sink) {
        int n = s.length();
        boolean latin1 = true;
        for (int i = 0; i < n && latin1; i++) {
            latin1 = s.charAt(i) < 256;
        }
        if (latin1) {
            sink.putByte(Tag.LATIN1).putBlob(s.getBytes(StandardCharsets.ISO_8859_1));
        } else {
            bulk(sink, Tag.UTF16, n, 2).asCharBuffer().put(s);
        }
    }

    private static String readLatin1(ByteSource source, int n) {
        int at = source.skip(n);
        return new String(source.array(), at, n, StandardCharsets.ISO_8859_1);
    }

    /** Writes tag and count, claims {@code count * width} bytes and returns a view of them. */
    private static ByteBuffer bulk(ByteSink sink, byte tag, int count, int width) {
        long bytes = (long) count * width;
        if (bytes > Integer.MAX_VALUE - 16) { // before writing anything: a failed write leaves the sink as it was
            throw new EncodingException("array too large to send: " + count + " elements", null, null);
        }
        sink.putByte(tag).putInt(count);
        int at = sink.claim((int) bytes);
        return ByteBuffer.wrap(sink.array(), at, (int) bytes).slice();
    }

    /** A view of the {@code count * width} bytes that back a fresh array, whose {@link #count} was read. */
    private static ByteBuffer bulk(ByteSource source, int count, int width) {
        int at = source.skip(count * width);
        return ByteBuffer.wrap(source.array(), at, count * width).slice();
    }

    private static int[] ints(ByteSource source, int count) {
        int[] a = new int[count];
        bulk(source, count, 4).asIntBuffer().get(a);
        return a;
    }

    private static long[] longs(ByteSource source, int count) {
        long[] a = new long[count];
        bulk(source, count, 8).asLongBuffer().get(a);
        return a;
    }

    private static double[] doubles(ByteSource source, int count) {
        double[] a = new double[count];
        bulk(source, count, 8).asDoubleBuffer().get(a);
        return a;
    }

    private static float[] floats(ByteSource source, int count) {
        float[] a = new float[count];
        bulk(source, count, 4).asFloatBuffer().get(a);
        return a;
    }

    private static short[] shorts(ByteSource source, int count) {
        short[] a = new short[count];
        bulk(source, count, 2).asShortBuffer().get(a);
        return a;
    }

    private static char[] chars(ByteSource source, int count) {
        char[] a = new char[count];
        bulk(source, count, 2).asCharBuffer().get(a);
        return a;
    }

    private static boolean[] booleans(ByteSource source, int count) {
        ByteBuffer in = bulk(source, count, 1);
        boolean[] a = new boolean[count];
        for (int i = 0; i < a.length; i++) {
            a[i] = in.get() != 0;
        }
        return a;
    }

    /** A serializable lambda that captures only fast-path values as its {@link LambdaCodec} form, else serialized. */
    private void writeObject(Object value, ByteSink sink) {
        SerializedLambda lambda = LambdaCodec.formOf(value);
        if (lambda == null || !mayWriteAsForm(value, lambda)) {
            writeSerialized(value, sink); // which also says what is wrong with a lambda that cannot travel
            return;
        }
        int start = sink.size();
        sink.putByte(Tag.LAMBDA);
        try {
            LambdaCodec.write(lambda, sink, this);
        } catch (RuntimeException e) {
            sink.truncate(start);
            throw e;
        }
    }

    /**
     * Whether the capturing class of {@code lambda} may travel as a class name, as far as this JVM can tell: one a
     * child JVM could not load, or its filter would refuse, is left to {@link #writeSerialized}, which refuses it
     * with the message that says why.
     */
    private boolean mayWriteAsForm(Object value, SerializedLambda lambda) {
        if (!toChild) {
            return true;
        }
        Class<?> capturing;
        try {
            capturing = LambdaCodec.capturingClass(lambda, value.getClass().getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
        return ChildClassPath.reaches(capturing) && (!childHasThisFilter || !filter.isTheOneChildrenGet()
                || filter.judge(capturing) != ObjectInputFilter.Status.REJECTED);
    }

    private void writeSerialized(Object value, ByteSink sink) {
        if (toChild && childHasThisFilter) {
            filter.requireValid(); // the child would refuse everything: say why, not "cannot serialize" the value
        }
        int start = sink.size();
        sink.putByte(Tag.SERIAL);
        int lengthAt = sink.claim(4);
        try (ObjectOutputStream out = new TravellingObjectOutputStream(sink, toChild,
                toChild && childHasThisFilter ? filter : null, value)) {
            out.writeObject(value);
        } catch (EncodingException e) { // a class the child JVM could not load, or would refuse
            sink.truncate(start);
            throw e;
        } catch (IOException | RuntimeException e) {
            sink.truncate(start);
            StackTraceElement thrower = serializationMethodOf(e);
            if (e instanceof NotSerializableException notSerializable && thrower == null) {
                // thrown by serialization itself, with the class name for message: not by a writeObject of the value's
                throw SerializationDiagnosis.notSerializable(value, notSerializable);
            }
            if (thrower == null) {
                throw new EncodingException("cannot serialize " + describe(value) + ": " + e, null, e);
            }
            throw new EncodingException("cannot serialize " + describe(value) + ": the " + thrower.getMethodName()
                    + " method of " + thrower.getClassName() + " threw " + e, thrower.getClassName(), e);
        } catch (StackOverflowError e) {
            sink.truncate(start);
            throw new EncodingException("cannot serialize " + describe(value) + ": it is nested too deeply for this"
                    + " thread's stack (a linked structure of many nodes, say). Give its class a writeObject that"
                    + " writes the nodes one after another, as java.util.LinkedList does, or send it as a list", null, e);
        } catch (Error e) {
            sink.truncate(start); // an AssertionError of a writeObject, say: leave the sink as it was
            throw e;
        }
        sink.setInt(lengthAt, sink.size() - lengthAt - 4);
    }

    /**
     * Reads the value that holds a chunk of {@code items} values that {@link ListCodec} writes as one stream of an
     * {@code Object[]}, which the filter's limits judge item by item (see {@link SerialFilter#newChunkCheck}).
     */
    Object readChunk(ByteSource source, int items) {
        if (source.remaining() == 0 || source.array()[source.position()] != Tag.SERIAL) {
            return read(source); // not a stream: the caller finds that it is no array of objects
        }
        try {
            source.getByte();
            return readSerialized(source, items);
        } catch (MalformedDataException e) {
            throw new DecodingException("malformed value: " + e.getMessage(), e);
        }
    }

    /** @param chunkItems the count of items of the chunk the stream holds (see {@link #readChunk}), or -1 */
    private Object readSerialized(ByteSource source, int chunkItems) {
        int length = source.getInt();
        if (length < 0 || length > source.remaining()) {
            throw new MalformedDataException("serialized value of " + length + " bytes, " + source.remaining() + " left");
        }
        int at = source.skip(length);
        SerialFilter.Check check = chunkItems < 0 ? filter.newCheck(length) : filter.newChunkCheck(length, chunkItems);
        try (FilteringObjectInputStream in = new FilteringObjectInputStream(
                new ByteSource(source.array(), at, length), check)) {
            return in.readObject();
        } catch (InvalidClassException e) {
            throw refused(check, e);
        } catch (ClassNotFoundException e) {
            throw notOnClassPath(e);
        } catch (IOException | RuntimeException e) {
            throw new DecodingException("cannot deserialize: " + e, e);
        } catch (StackOverflowError e) {
            throw new DecodingException("cannot deserialize: the value is nested too deeply for this thread's stack", e);
        } catch (LinkageError e) {
            // A class of the value that this JVM cannot initialize or link: its static initializer throws here,
            // say. An Error escaping here would end the thread that reads the connection, not just this value.
            throw new DecodingException("cannot deserialize: " + linkageProblem(e), e);
        } catch (VirtualMachineError e) {
            throw e; // out of memory, say: not the value's fault, and not to be hidden
        } catch (Error e) {
            // An AssertionError, say, from a readObject or readResolve of the value's classes: the value's
            // failure, like their exceptions above, not a reason to end the thread that reads the connection.
            throw new DecodingException("cannot deserialize: the value's own code threw " + e, e);
        }
    }

    /**
     * Reads a lambda's form whose tag is at {@code start}, and judges it by the filter's classes and limits before its
     * capturing class makes the lambda.
     */
    private Object readLambda(ByteSource source, int start) {
        SerialFilter.Check check = filter.newCheck(source.remaining());
        try {
            if (!check.allows(SerializedLambda.class)) {
                throw refused(check, null);
            }
            LambdaCodec.Form form = LambdaCodec.read(source, name -> {
                Class<?> type = loadClass(name);
                if (!check.allows(type)) {
                    throw refused(check, null);
                }
                return type;
            }, this);
            if (filter.limitsValues()) {
                int captured = form.lambda().getCapturedArgCount();
                // the lambda, and the array of its captured values, which a stream holds at depth 2, and them at depth 3
                limit(Object[].class, captured, captured == 0 ? 2 : CAPTURED, 2 + captured, source.position() - start);
            }
            return LambdaCodec.rebuild(form);
        } catch (ClassNotFoundException e) {
            throw notOnClassPath(e);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException) { // "Invalid lambda deserialization"
                throw new DecodingException("cannot deserialize a lambda: its capturing class has no such lambda ("
                        + cause.getMessage() + "): is the class the same in both JVMs?", cause);
            }
            if (cause instanceof VirtualMachineError error) {
                throw error;
            }
            throw new DecodingException("cannot deserialize a lambda: its capturing class threw " + cause, cause);
        } catch (MalformedDataException | DecodingException e) {
            throw e;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new DecodingException("cannot deserialize a lambda: " + e, e);
        } catch (LinkageError e) { // its capturing class's static initializer failed here, say
            throw new DecodingException("cannot deserialize a lambda: " + linkageProblem(e), e);
        } catch (VirtualMachineError e) {
            throw e; // out of memory, say: not the value's fault, and not to be hidden
        } catch (Error e) {
            // An AssertionError, say, from its capturing class's static initializer, which the JVM throws as itself:
            // the value's failure, as in readSerialized, not a reason to end the thread that reads the connection.
            throw new DecodingException("cannot deserialize a lambda: its capturing class threw " + e, e);
        }
    }

    /** Loads a class named in a value: through the thread's context class loader first, as the streams do. */
    private static Class<?> loadClass(String name) throws ClassNotFoundException {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            try {
                return Class.forName(name, false, context);
            } catch (ClassNotFoundException e) {
                // the library's own loader next
            }
        }
        return Class.forName(name, false, StandardCodec.class.getClassLoader());
    }

    /** Why the filter refused a value: the class it refused, or the limit the value went past. */
    private static DecodingException refused(SerialFilter.Check check, Exception cause) {
        if (check.rejected() != null && check.rejectedByFactory()) {
            return new DecodingException(check.rejected() + " is refused by the JVM-wide deserialization filter that"
                    + " the filter factory makes, -Djdk.serialFilterFactory=" + System.getProperty(
                    "jdk.serialFilterFactory", "<set by the program>") + ", which -D" + SerialFilter.PROPERTY
                    + " cannot override: allow the class there", cause);
        }
        if (check.rejected() != null && check.rejectedByJvmWide()) {
            return new DecodingException(check.rejected() + " is refused by the JVM-wide deserialization filter,"
                    + " -Djdk.serialFilter=" + System.getProperty("jdk.serialFilter", "<set by the program>")
                    + ", which -D" + SerialFilter.PROPERTY + " cannot override: allow the class there", cause);
        }
        if (check.rejected() != null) {
            return new DecodingException(check.rejected() + " is refused by the deserialization filter. "
                    + "If this class is meant to travel between JVMs, allow it with -D"
                    + SerialFilter.PROPERTY + "=<pattern> (a java.io.ObjectInputFilter pattern, e.g. '"
                    + check.rejected() + ";com.acme.**'), set in the parent", cause);
        }
        if (check.limit() != null) {
            return new DecodingException("the value is refused by a limit of the deserialization filter ("
                    + check.limit() + "); the limits come from -D" + SerialFilter.PROPERTY
                    + " (maxdepth=, maxrefs=, maxarray=, maxbytes=) and -Djdk.serialFilter", cause);
        }
        if (cause instanceof InvalidClassException && String.valueOf(cause.getMessage()).startsWith("filter status: ")
                && SerialFilter.usersFactoryIsSet()) {
            // a stream's filter refused, and not the check: the filter the factory made of it, which does not say why
            return new DecodingException("the value is refused by the deserialization filter that the filter factory"
                    + " makes, -Djdk.serialFilterFactory=" + System.getProperty("jdk.serialFilterFactory",
                    "<set by the program>") + ", for a class or a limit of its own" + (check.chunkItems() < 0 ? ""
                    : "; it judged a chunk of " + check.chunkItems() + " items of a map as the one stream they travel"
                    + " as, with its Object[] of " + check.chunkItems() + " and all its references and bytes, and a"
                    + " smaller chunkSize (or apply, one item at a time) sends fewer at once"), cause);
        }
        return new DecodingException("cannot deserialize: " + (cause == null ? "refused" : cause.getMessage()), cause);
    }

    private static DecodingException notOnClassPath(ClassNotFoundException e) {
        return new DecodingException("class " + e.getMessage() + " is not on this JVM's class path. Child JVMs "
                + "get the parent's class path; a class from a custom class loader cannot travel", e);
    }

    /**
     * The frame of the value's own serialization method (a {@code writeObject}, {@code writeReplace} or
     * {@code writeExternal} of one of its classes) that {@code e} came from, or null if it came from elsewhere:
     * a frame of the serialization machinery above the first such method means that the machinery threw, not
     * the method that called it.
     */
    private static StackTraceElement serializationMethodOf(Throwable e) {
        for (StackTraceElement frame : e.getStackTrace()) {
            String type = frame.getClassName();
            if (type.startsWith("java.io.ObjectOutputStream") || type.startsWith("java.io.ObjectStreamClass")
                    || type.equals(TravellingObjectOutputStream.class.getName())) {
                return null;
            }
            String method = frame.getMethodName();
            if (method.equals("writeObject") || method.equals("writeReplace") || method.equals("writeExternal")) {
                return frame;
            }
        }
        return null;
    }

    /** What went wrong with a class, naming it: an ExceptionInInitializerError names none itself. */
    private static String linkageProblem(LinkageError e) {
        if (e instanceof ExceptionInInitializerError && e.getCause() != null) {
            for (StackTraceElement frame : e.getCause().getStackTrace()) {
                if (frame.getMethodName().equals("<clinit>")) {
                    return "the static initializer of " + frame.getClassName() + " failed in this JVM: " + e.getCause();
                }
            }
        }
        if (e instanceof NoClassDefFoundError && e.getCause() instanceof ExceptionInInitializerError first) {
            // "Could not initialize class X": it failed before, in this JVM (in a spare's rehearsal of the task, say)
            return e + "; its static initializer failed earlier in this JVM: " + first.getMessage();
        }
        return e.toString();
    }

    static String describe(Object value) {
        return value == null ? "null" : "a value of " + value.getClass().getName();
    }
}

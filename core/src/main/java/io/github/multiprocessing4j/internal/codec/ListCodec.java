package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.internal.bytes.MalformedDataException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.IntFunction;

/**
 * Encodes the arguments or results of a {@code map} chunk, choosing the cheapest form the elements allow:
 *
 * <pre>
 *  int8 form | int32 count | body
 *  INTS / LONGS / DOUBLES   every element is an Integer / Long / Double: a packed primitive array
 *  VALUES                   every element takes the codec's fast path: one tagged value after another
 *  OBJECTS                  anything else: one Java-serialization stream of the whole array, so class
 *                           descriptors are written once per chunk, not once per element (the filter's
 *                           limits judge each element as if sent alone, see {@link SerialFilter})
 * </pre>
 *
 * Packed lists decode to read-only views over the bytes they arrived in, which box each element when it
 * is read: a chunk of a million ints costs four megabytes, not twenty.
 */
public final class ListCodec {
    private static final byte INTS = 1;
    private static final byte LONGS = 2;
    private static final byte DOUBLES = 3;
    private static final byte VALUES = 4;
    private static final byte OBJECTS = 5;
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle DOUBLE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.BIG_ENDIAN);

    private ListCodec() {
    }

    public static void write(List<?> items, ByteSink sink) {
        write(items, sink, StandardCodec.INSTANCE);
    }

    /** Writes {@code items}, each serialized one through {@code codec} ({@link StandardCodec#TO_CHILD}, say). */
    public static void write(List<?> items, ByteSink sink, StandardCodec codec) {
        int n = items.size();
        byte form = formOf(items);
        sink.reserve(5 + switch (form) {
            case INTS -> 4 * n;
            case LONGS, DOUBLES -> 8 * n;
            default -> 5 * n;
        });
        sink.putByte(form).putInt(n);
        switch (form) {
            case INTS -> {
                int at = sink.claim(n * 4);
                var out = ByteBuffer.wrap(sink.array(), at, n * 4).asIntBuffer();
                for (Object o : items) {
                    out.put((Integer) o);
                }
            }
            case LONGS -> {
                int at = sink.claim(n * 8);
                var out = ByteBuffer.wrap(sink.array(), at, n * 8).asLongBuffer();
                for (Object o : items) {
                    out.put((Long) o);
                }
            }
            case DOUBLES -> {
                int at = sink.claim(n * 8);
                var out = ByteBuffer.wrap(sink.array(), at, n * 8).asDoubleBuffer();
                for (Object o : items) {
                    out.put((Double) o);
                }
            }
            case VALUES -> {
                for (Object o : items) {
                    codec.write(o, sink);
                }
            }
            default -> codec.write(items.toArray(), sink);
        }
    }

    /** The number of items of a list that {@link #write} wrote to {@code encoded} (from its start). */
    public static int length(byte[] encoded) {
        return new ByteSource(encoded, 1, 4).getInt();
    }

    public static List<Object> read(ByteSource source) {
        return read(source, StandardCodec.INSTANCE);
    }

    /** Reads a list written by {@link #write}, its elements through {@code codec} (and its filter). */
    static List<Object> read(ByteSource source, StandardCodec codec) {
        byte form = source.getByte();
        int n = source.getInt();
        if (n < 0) {
            throw new MalformedDataException("negative list length " + n);
        }
        if (n > 0 && (form == INTS || form == LONGS || form == DOUBLES)) { // each element as the box it is sent as
            codec.limitPackedBoxes(form == INTS ? 5 : 9);
        }
        return switch (form) {
            case INTS -> {
                byte[] bytes = source.array();
                int at = source.skip(checkedSize(n, 4));
                yield new PackedList(n, i -> (int) INT.get(bytes, at + 4 * i));
            }
            case LONGS -> {
                byte[] bytes = source.array();
                int at = source.skip(checkedSize(n, 8));
                yield new PackedList(n, i -> (long) LONG.get(bytes, at + 8 * i));
            }
            case DOUBLES -> {
                byte[] bytes = source.array();
                int at = source.skip(checkedSize(n, 8));
                yield new PackedList(n, i -> (double) DOUBLE.get(bytes, at + 8 * i));
            }
            case VALUES -> {
                List<Object> list = new ArrayList<>(Math.min(n, source.remaining()));
                for (int i = 0; i < n; i++) {
                    list.add(codec.read(source));
                }
                yield list;
            }
            case OBJECTS -> {
                if (!(codec.readChunk(source, n) instanceof Object[] array)) {
                    throw new MalformedDataException("a list of objects that is not an array of objects");
                }
                if (array.length != n) {
                    throw new MalformedDataException("list of " + n + " decoded to " + array.length + " elements");
                }
                yield java.util.Arrays.asList(array);
            }
            default -> throw new MalformedDataException("unknown list form " + form);
        };
    }

    private static int checkedSize(int n, int width) {
        long bytes = (long) n * width;
        if (bytes > Integer.MAX_VALUE) {
            throw new MalformedDataException("list of " + n + " elements of " + width + " bytes");
        }
        return (int) bytes;
    }

    private static byte formOf(List<?> items) {
        if (items.isEmpty()) {
            return VALUES;
        }
        Class<?> first = items.getFirst() == null ? null : items.getFirst().getClass();
        boolean same = first != null;
        boolean fast = StandardCodec.isFastPath(items.getFirst());
        for (Object o : items) {
            if (same && (o == null || o.getClass() != first)) {
                same = false;
            }
            if (!same && fast && !StandardCodec.isFastPath(o)) {
                fast = false;
            }
            if (!same && !fast) {
                return OBJECTS;
            }
        }
        if (same && first == Integer.class) {
            return INTS;
        }
        if (same && first == Long.class) {
            return LONGS;
        }
        if (same && first == Double.class) {
            return DOUBLES;
        }
        return fast ? VALUES : OBJECTS;
    }

    /** A read-only list over a primitive array that boxes each element when it is read. */
    private static final class PackedList extends AbstractList<Object> implements RandomAccess {
        private final int size;
        private final IntFunction<Object> element;

        PackedList(int size, IntFunction<Object> element) {
            this.size = size;
            this.element = element;
        }

        @Override
        public Object get(int i) {
            Objects.checkIndex(i, size);
            return element.apply(i);
        }

        @Override
        public int size() {
            return size;
        }
    }
}

package io.github.multiprocessing4j.testing;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Random inputs for one try of a property test (see {@link Tries}), drawn from a {@link SplittableRandom}
 * with a fixed seed, so every run checks the same inputs. Numbers lean on their edges (0, ±1, MIN, MAX, the
 * bounds of a range) and sizes on empty and full, which uniform draws would almost never hit.
 */
public final class Gen {
    private static final int[] INT_EDGES = {0, 1, -1, 2, -2, Integer.MIN_VALUE, Integer.MAX_VALUE,
        Integer.MIN_VALUE + 1, Integer.MAX_VALUE - 1, Byte.MIN_VALUE, Byte.MAX_VALUE, 255, 256, Short.MIN_VALUE,
        Short.MAX_VALUE, 65_535, 65_536};
    private static final long[] LONG_EDGES = {0, 1, -1, 2, -2, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1,
        Long.MAX_VALUE - 1, Integer.MIN_VALUE, Integer.MAX_VALUE, 1L << 32, (1L << 32) - 1};
    private static final char[] CHAR_EDGES = {'\u0000', ' ', 'a', '\u007f', '\u0080', '\u00ff', '\u0100', '\u07ff',
        '\u0800', '\ud7ff', '\ud800', '\udbff', '\udc00', '\udfff', '\ue000', '\ufeff', '\ufffe', '\uffff'};

    private final long seed;
    private final SplittableRandom random;

    /** The inputs of the try whose seed a failure reported: {@code new Gen(seed)} draws them again. */
    public Gen(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    public long seed() {
        return seed;
    }

    /** Uniform in {@code [0, n)}: for choosing among alternatives. */
    public int choose(int n) {
        return random.nextInt(n);
    }

    /** True once in {@code n} draws on average. */
    public boolean oneIn(int n) {
        return random.nextInt(n) == 0;
    }

    public boolean bool() {
        return random.nextBoolean();
    }

    @SafeVarargs
    public final <T> T pick(T... values) {
        return values[random.nextInt(values.length)];
    }

    public int pickInt(int... values) {
        return values[random.nextInt(values.length)];
    }

    /** In {@code [min, max]}, either bound one time in ten each. */
    public int intBetween(int min, int max) {
        return switch (random.nextInt(10)) {
            case 0 -> min;
            case 1 -> max;
            default -> (int) random.nextLong(min, (long) max + 1);
        };
    }

    /** Any int: an edge value one time in five, a small one one time in four, any magnitude otherwise. */
    public int intValue() {
        return switch (random.nextInt(20)) {
            case 0, 1, 2, 3 -> pickInt(INT_EDGES);
            case 4, 5, 6, 7, 8 -> random.nextInt(-300, 301);
            case 9, 10, 11 -> random.nextInt() >> random.nextInt(32);
            default -> random.nextInt();
        };
    }

    public long longValue() {
        return switch (random.nextInt(20)) {
            case 0, 1, 2, 3 -> LONG_EDGES[random.nextInt(LONG_EDGES.length)];
            case 4, 5, 6, 7, 8 -> random.nextLong(-300, 301);
            case 9, 10, 11 -> random.nextLong() >> random.nextInt(64);
            default -> random.nextLong();
        };
    }

    public short shortValue() {
        return switch (random.nextInt(5)) {
            case 0 -> (short) pickInt(0, 1, -1, Short.MIN_VALUE, Short.MAX_VALUE, 255, 256);
            case 1 -> (short) random.nextInt(-300, 301);
            default -> (short) random.nextInt();
        };
    }

    public byte byteValue() {
        return switch (random.nextInt(5)) {
            case 0 -> (byte) pickInt(0, 1, -1, Byte.MIN_VALUE, Byte.MAX_VALUE);
            default -> (byte) random.nextInt();
        };
    }

    /**
     * Any UTF-16 unit: an edge (NUL, DEL, the Latin-1 and surrogate bounds, U+FFFF...), ASCII, a surrogate
     * (lone, mostly) or anything.
     */
    public char charValue() {
        return switch (random.nextInt(6)) {
            case 0 -> CHAR_EDGES[random.nextInt(CHAR_EDGES.length)];
            case 1 -> (char) random.nextInt(0x80);
            case 2 -> (char) random.nextInt(0xd800, 0xe000);
            default -> (char) random.nextInt(0x10000);
        };
    }

    /** In {@code [min, max]}, either bound one time in ten each. */
    public char charBetween(char min, char max) {
        return (char) intBetween(min, max);
    }

    /** A length in {@code [min, max]}: the minimum (empty, mostly) one time in eight, the maximum one in sixteen. */
    public int size(int min, int max) {
        return switch (random.nextInt(16)) {
            case 0, 1 -> min;
            case 2 -> max;
            default -> random.nextInt(min, max + 1);
        };
    }

    public byte[] bytes(int minSize, int maxSize) {
        byte[] b = new byte[size(minSize, maxSize)];
        switch (random.nextInt(10)) {
            case 0 -> { // all zeros
            }
            case 1 -> java.util.Arrays.fill(b, (byte) -1);
            case 2 -> {
                for (int i = 0; i < b.length; i++) {
                    b[i] = byteValue();
                }
            }
            default -> random.nextBytes(b);
        }
        return b;
    }

    public <T> List<T> list(int minSize, int maxSize, Supplier<? extends T> element) {
        int n = size(minSize, maxSize);
        List<T> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(element.get());
        }
        return list;
    }

    /** An array of {@code arrayType} (primitive or not), its elements from {@code element} (boxed). */
    public <A> A array(Class<A> arrayType, int minSize, int maxSize, Supplier<?> element) {
        int n = size(minSize, maxSize);
        Object array = Array.newInstance(arrayType.componentType(), n);
        for (int i = 0; i < n; i++) {
            Array.set(array, i, element.get());
        }
        return arrayType.cast(array);
    }

    /** A string of {@code [minLength, maxLength]} chars, each from {@code unit}. */
    public String string(int minLength, int maxLength, IntSupplier unit) {
        int n = size(minLength, maxLength);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append((char) unit.getAsInt());
        }
        return s.toString();
    }

    /**
     * Any string of at most {@code maxLength} chars: {@link #charValue() any units}, lone surrogates
     * included, and now and then a whole surrogate pair (a code point outside the BMP).
     */
    public String string(int maxLength) {
        int n = size(0, maxLength);
        StringBuilder s = new StringBuilder(n);
        while (s.length() < n) {
            if (n - s.length() >= 2 && oneIn(8)) {
                s.appendCodePoint(random.nextInt(0x10000, Character.MAX_CODE_POINT + 1));
            } else {
                s.append(charValue());
            }
        }
        return s.toString();
    }
}

package io.github.multiprocessing4j.internal.codec;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** One change to an encoding: the ways a broken or hostile peer can garble bytes. */
record Mutation(Kind kind, int at, int value) {

    enum Kind {
        FLIP_BIT, SET_BYTE, TRUNCATE, SET_INT, SET_LENGTH_FIELD, INSERT_BYTE, DELETE_BYTE
    }

    /** Ints that make length fields interesting: negative, huge, one off the truth. */
    static Arbitrary<Integer> lengths() {
        return Arbitraries.frequencyOf(
                // and counts whose byte size overflows an int to 0 or a few bytes, for any element width
                Tuple.of(2, Arbitraries.of(Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, Integer.MAX_VALUE - 4,
                        0x7fff_fff0, 2_000_000_000, 1 << 29, (1 << 29) + 1, 1 << 30, (1 << 30) + 1, 0x8000_0001,
                        0x8000_0002)),
                Tuple.of(1, Arbitraries.integers().between(-4, 300)),
                Tuple.of(1, Arbitraries.integers()));
    }

    static Arbitrary<Mutation> any() {
        return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().greaterOrEqual(0), lengths())
                .as(Mutation::new);
    }

    static Arbitrary<List<Mutation>> some() {
        return any().list().ofMinSize(1).ofMaxSize(3);
    }

    static byte[] applyAll(byte[] bytes, List<Mutation> mutations) {
        for (Mutation m : mutations) {
            bytes = m.apply(bytes);
        }
        return bytes;
    }

    /** {@code bytes} changed; the argument is not modified. */
    byte[] apply(byte[] bytes) {
        int n = bytes.length;
        byte[] b = bytes.clone();
        int i = n == 0 ? 0 : at % n;
        switch (kind) {
            case FLIP_BIT -> {
                if (n > 0) {
                    b[i] ^= (byte) (1 << (value & 7));
                }
            }
            case SET_BYTE -> {
                if (n > 0) {
                    b[i] = (byte) value;
                }
            }
            case TRUNCATE -> b = Arrays.copyOf(b, i);
            case SET_INT -> putInt(b, i, value);
            case SET_LENGTH_FIELD -> putInt(b, 1, value); // the int after a value's tag: a length, mostly
            case INSERT_BYTE -> {
                b = new byte[n + 1];
                System.arraycopy(bytes, 0, b, 0, i);
                b[i] = (byte) value;
                System.arraycopy(bytes, i, b, i + 1, n - i);
            }
            case DELETE_BYTE -> {
                if (n > 0) {
                    b = new byte[n - 1];
                    System.arraycopy(bytes, 0, b, 0, i);
                    System.arraycopy(bytes, i + 1, b, i, n - i - 1);
                }
            }
        }
        return b;
    }

    /** Writes what fits of a big-endian int at {@code at}. */
    static void putInt(byte[] b, int at, int v) {
        for (int k = 0; k < 4 && at + k < b.length; k++) {
            b[at + k] = (byte) (v >>> (24 - 8 * k));
        }
    }
}

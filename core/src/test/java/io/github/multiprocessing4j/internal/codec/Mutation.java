package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.testing.Gen;
import java.util.Arrays;
import java.util.List;

/** One change to an encoding: the ways a broken or hostile peer can garble bytes. */
record Mutation(Kind kind, int at, int value) {

    enum Kind {
        FLIP_BIT, SET_BYTE, TRUNCATE, SET_INT, SET_LENGTH_FIELD, INSERT_BYTE, DELETE_BYTE
    }

    /** Lengths whose byte size overflows an int to 0 or a few bytes, for any element width, among others. */
    private static final int[] SPECIAL_LENGTHS = {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE,
        Integer.MAX_VALUE - 4, 0x7fff_fff0, 2_000_000_000, 1 << 29, (1 << 29) + 1, 1 << 30, (1 << 30) + 1,
        0x8000_0001, 0x8000_0002};

    /** Ints that make length fields interesting: negative, huge, one off the truth. */
    static int length(Gen g) {
        return switch (g.choose(4)) {
            case 0, 1 -> g.pickInt(SPECIAL_LENGTHS);
            case 2 -> g.intBetween(-4, 300);
            default -> g.intValue();
        };
    }

    static Mutation any(Gen g) {
        return new Mutation(g.pick(Kind.values()), g.intBetween(0, Integer.MAX_VALUE), length(g));
    }

    /** One to three mutations. */
    static List<Mutation> some(Gen g) {
        return g.list(1, 3, () -> any(g));
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

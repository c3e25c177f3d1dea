package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.testing.Gen;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Random values the codecs carry, shared by the codec property tests. */
final class Values {
    private static final double[] DOUBLE_EDGES = {Double.NaN, -0.0, 0.0, 1.0, -1.0, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE,
        Double.MIN_NORMAL, Double.longBitsToDouble(0x7ff0_0000_0000_0001L), // a signalling NaN
        Double.longBitsToDouble(0xfff8_0000_0000_0000L)}; // a negative NaN
    private static final float[] FLOAT_EDGES = {Float.NaN, -0.0f, 0.0f, 1.0f, -1.0f, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE,
        Float.MIN_NORMAL, Float.intBitsToFloat(0x7f80_0001), Float.intBitsToFloat(0xffc0_0000)};

    private Values() {
    }

    /** A serializable record of ours, written by Java serialization. */
    record Item(String name, int count, List<Object> tags) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /** Any String: ASCII, Latin-1, any UTF-16 unit including lone surrogates, surrogates only. */
    static String string(Gen g) {
        return switch (g.choose(5)) {
            case 0 -> g.string(0, 30, () -> g.charBetween('\u0000', '\u007f'));
            case 1 -> g.string(0, 30, () -> g.charBetween('\u0000', '\u00ff'));
            case 2 -> g.string(30);
            case 3 -> g.string(0, 6, () -> g.charBetween('\ud800', '\udfff'));
            default -> g.string(0, 10, () -> g.charBetween('\u00f0', '\u0110')); // around the Latin-1 edge
        };
    }

    /** Every double, NaNs with any payload, -0.0 and the infinities among them. */
    static double doubleValue(Gen g) {
        return switch (g.choose(3)) {
            case 0 -> g.longValue() / 100.0;
            case 1 -> DOUBLE_EDGES[g.choose(DOUBLE_EDGES.length)];
            default -> Double.longBitsToDouble(g.longValue());
        };
    }

    static float floatValue(Gen g) {
        return switch (g.choose(3)) {
            case 0 -> g.intValue() / 100.0f;
            case 1 -> FLOAT_EDGES[g.choose(FLOAT_EDGES.length)];
            default -> Float.intBitsToFloat(g.intValue());
        };
    }

    /** A value the codec writes with its own tags (not Java serialization); null included. */
    static Object fastPath(Gen g) {
        int max = 40;
        return switch (g.choose(18)) {
            case 0 -> null;
            case 1 -> g.bytes(0, max);
            case 2 -> string(g);
            case 3 -> g.intValue();
            case 4 -> g.longValue();
            case 5 -> doubleValue(g);
            case 6 -> floatValue(g);
            case 7 -> g.shortValue();
            case 8 -> g.byteValue();
            case 9 -> g.charValue();
            case 10 -> g.bool();
            case 11 -> g.array(int[].class, 0, max, g::intValue);
            case 12 -> g.array(long[].class, 0, max, g::longValue);
            case 13 -> g.array(double[].class, 0, max, () -> doubleValue(g));
            case 14 -> g.array(float[].class, 0, max, () -> floatValue(g));
            case 15 -> g.array(short[].class, 0, max, g::shortValue);
            case 16 -> g.array(char[].class, 0, max, g::charValue);
            default -> g.array(boolean[].class, 0, max, g::bool);
        };
    }

    /** A fast-path value other than an array, whose equals is by value: what collections may hold. */
    static Object scalar(Gen g) {
        return switch (g.choose(10)) {
            case 0 -> null;
            case 1 -> string(g);
            case 2 -> g.intValue();
            case 3 -> g.longValue();
            case 4 -> doubleValue(g);
            case 5 -> floatValue(g);
            case 6 -> g.shortValue();
            case 7 -> g.byteValue();
            case 8 -> g.charValue();
            default -> g.bool();
        };
    }

    private static List<Object> list(Gen g) {
        return new ArrayList<>(g.list(0, 8, () -> scalar(g)));
    }

    private static Map<Object, Object> map(Gen g) {
        Map<Object, Object> map = new HashMap<>();
        for (int n = g.size(0, 6); map.size() < n; ) {
            map.put(scalar(g), scalar(g));
        }
        return map;
    }

    private static Item item(Gen g) {
        List<Object> tags = g.list(0, 3, () -> g.bool() ? list(g) : map(g));
        return new Item(string(g), g.intValue(), new ArrayList<>(tags));
    }

    /** A list, map or record of fast-path values. */
    private static Object nested(Gen g) {
        return switch (g.choose(3)) {
            case 0 -> list(g);
            case 1 -> map(g);
            default -> item(g);
        };
    }

    /** A value the codec writes with Java serialization: JDK collections and a record of ours. */
    static Object serialized(Gen g) {
        return switch (g.choose(5)) {
            case 0 -> list(g);
            case 1 -> map(g);
            case 2 -> item(g);
            case 3 -> new ArrayList<>(g.list(0, 4, () -> nested(g)));
            default -> {
                Map<Object, Object> map = new HashMap<>();
                for (int n = g.size(0, 3); map.size() < n; ) {
                    map.put(string(g), nested(g));
                }
                yield map;
            }
        };
    }

    /** A fast-path value three times in four, a serialized one otherwise. */
    static Object any(Gen g) {
        return g.choose(4) < 3 ? fastPath(g) : serialized(g);
    }

    /** Equal as the codec promises: arrays element by element (doubles and floats as by Arrays.equals). */
    static boolean deepEquals(Object a, Object b) {
        return Arrays.deepEquals(new Object[] {a}, new Object[] {b});
    }
}

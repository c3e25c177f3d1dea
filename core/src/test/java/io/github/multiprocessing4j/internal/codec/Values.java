package io.github.multiprocessing4j.internal.codec;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Generators of the values the codecs carry, shared by the codec property tests. */
final class Values {
    private Values() {
    }

    /** A serializable record of ours, written by Java serialization. */
    record Item(String name, int count, List<Object> tags) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /** Any String: ASCII, Latin-1, any UTF-16 unit including lone surrogates, surrogates only. */
    static Arbitrary<String> strings() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ascii().ofMaxLength(30),
                Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(30),
                Arbitraries.strings().withCharRange(Character.MIN_VALUE, Character.MAX_VALUE).ofMaxLength(30),
                Arbitraries.strings().withCharRange('\ud800', '\udfff').ofMaxLength(6),
                Arbitraries.strings().withCharRange('\u00f0', '\u0110').ofMaxLength(10)); // around the Latin-1 edge
    }

    /** Every double, NaNs with any payload, -0.0 and the infinities among them. */
    static Arbitrary<Double> doubles() {
        return Arbitraries.oneOf(
                Arbitraries.doubles(),
                Arbitraries.of(Double.NaN, -0.0, 0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                        Double.MIN_VALUE, Double.MAX_VALUE),
                Arbitraries.longs().map(Double::longBitsToDouble));
    }

    static Arbitrary<Float> floats() {
        return Arbitraries.oneOf(
                Arbitraries.floats(),
                Arbitraries.of(Float.NaN, -0.0f, 0.0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                        Float.MIN_VALUE, Float.MAX_VALUE),
                Arbitraries.integers().map(Float::intBitsToFloat));
    }

    /** A value the codec writes with its own tags (not Java serialization); null included. */
    static Arbitrary<Object> fastPath() {
        int max = 40;
        return Arbitraries.<Object>oneOf(
                Arbitraries.just(null),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(max),
                strings(),
                Arbitraries.integers(),
                Arbitraries.longs(),
                doubles(),
                floats(),
                Arbitraries.shorts(),
                Arbitraries.bytes(),
                Arbitraries.chars(),
                Arbitraries.of(true, false),
                Arbitraries.integers().array(int[].class).ofMaxSize(max),
                Arbitraries.longs().array(long[].class).ofMaxSize(max),
                doubles().array(double[].class).ofMaxSize(max),
                floats().array(float[].class).ofMaxSize(max),
                Arbitraries.shorts().array(short[].class).ofMaxSize(max),
                Arbitraries.chars().array(char[].class).ofMaxSize(max),
                Arbitraries.of(true, false).array(boolean[].class).ofMaxSize(max));
    }

    /** A fast-path value other than an array, whose equals is by value: what collections may hold. */
    static Arbitrary<Object> scalar() {
        return Arbitraries.<Object>oneOf(
                Arbitraries.just(null), strings(), Arbitraries.integers(), Arbitraries.longs(), doubles(), floats(),
                Arbitraries.shorts(), Arbitraries.bytes(), Arbitraries.chars(), Arbitraries.of(true, false));
    }

    /** A value the codec writes with Java serialization: JDK collections and a record of ours. */
    static Arbitrary<Object> serialized() {
        Arbitrary<List<Object>> lists = scalar().list().ofMaxSize(8).map(ArrayList::new);
        Arbitrary<Map<Object, Object>> maps = Arbitraries.maps(scalar(), scalar()).ofMaxSize(6).map(HashMap::new);
        Arbitrary<Item> items = Arbitraries.oneOf(lists.map(l -> l), maps.map(m -> m)).list().ofMaxSize(3)
                .flatMap(tags -> Arbitraries.integers().flatMap(
                        n -> strings().map(s -> new Item(s, n, new ArrayList<>(tags)))));
        Arbitrary<Object> nested = Arbitraries.oneOf(lists.map(l -> l), maps.map(m -> m), items.map(i -> i));
        return Arbitraries.oneOf(lists.map(l -> l), maps.map(m -> m), items.map(i -> i),
                nested.list().ofMaxSize(4).map(l -> (Object) new ArrayList<>(l)),
                Arbitraries.maps(strings(), nested).ofMaxSize(3).map(m -> (Object) new HashMap<>(m)));
    }

    static Arbitrary<Object> any() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, fastPath()),
                net.jqwik.api.Tuple.of(1, serialized()));
    }

    /** Equal as the codec promises: arrays element by element (doubles and floats as by Arrays.equals). */
    static boolean deepEquals(Object a, Object b) {
        return Arrays.deepEquals(new Object[] {a}, new Object[] {b});
    }
}

package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The exact values that come back: NaN payloads, signed zeros, lone surrogates, empty arrays, identity. */
class ValueFidelityTest {
    private static final long NAN_BITS = 0x7ff0_0000_0000_0123L; // a signalling NaN with a payload
    private static final int FLOAT_NAN_BITS = 0x7fc0_0123;
    private final Codec codec = Codec.standard();

    private Object roundTrip(Object value) {
        return codec.decode(codec.encode(value));
    }

    @Test
    void nanPayloadsAndNegativeZero_surviveEveryFastPath() {
        double nan = Double.longBitsToDouble(NAN_BITS);
        float fnan = Float.intBitsToFloat(FLOAT_NAN_BITS);
        assertThat(Double.doubleToRawLongBits((Double) roundTrip(nan))).isEqualTo(NAN_BITS);
        assertThat(Float.floatToRawIntBits((Float) roundTrip(fnan))).isEqualTo(FLOAT_NAN_BITS);
        assertThat(Double.doubleToRawLongBits((Double) roundTrip(-0.0))).isEqualTo(Long.MIN_VALUE);
        assertThat(Float.floatToRawIntBits((Float) roundTrip(-0.0f))).isEqualTo(Integer.MIN_VALUE);
        double[] doubles = (double[]) roundTrip(new double[] {nan, -0.0});
        assertThat(Double.doubleToRawLongBits(doubles[0])).isEqualTo(NAN_BITS);
        assertThat(Double.doubleToRawLongBits(doubles[1])).isEqualTo(Long.MIN_VALUE);
        float[] floats = (float[]) roundTrip(new float[] {fnan, -0.0f});
        assertThat(Float.floatToRawIntBits(floats[0])).isEqualTo(FLOAT_NAN_BITS);
        assertThat(Float.floatToRawIntBits(floats[1])).isEqualTo(Integer.MIN_VALUE);

        ByteSink sink = new ByteSink();
        ListCodec.write(List.of(nan, -0.0), sink); // the packed DOUBLES form
        List<Object> packed = ListCodec.read(new ByteSource(sink.toByteArray()));
        assertThat(Double.doubleToRawLongBits((Double) packed.get(0))).isEqualTo(NAN_BITS);
        assertThat(Double.doubleToRawLongBits((Double) packed.get(1))).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void strings_comeBackIdentical_latin1MixedAndWithLoneSurrogates() {
        List<String> strings = List.of("", "\u0000", "\u00ff\u00e9", "\u00ff\u0100", "\uDC00", "a\uD800", "\uD800\uDC00x",
                "\uDBFF", "\uFFFF\uFFFE");
        for (String s : strings) {
            assertThat(roundTrip(s)).isEqualTo(s);
            assertThat((char[]) roundTrip(s.toCharArray())).isEqualTo(s.toCharArray());
            assertThat(roundTrip(new ArrayList<>(List.of(s)))).isEqualTo(List.of(s)); // Java serialization's modified UTF-8
        }
        for (char c : new char[] {'\uD800', '\uDFFF', '\u0000', '\uFFFF'}) {
            assertThat(roundTrip(c)).isEqualTo(c);
        }
    }

    @Test
    void emptyArrays_keepTheirType() {
        for (Object empty : List.of(new byte[0], new int[0], new long[0], new double[0], new float[0], new short[0],
                new char[0], new boolean[0], new String[0], new Object[0])) {
            Object back = roundTrip(empty);
            assertThat(back.getClass()).isEqualTo(empty.getClass());
            assertThat(java.lang.reflect.Array.getLength(back)).isZero();
        }
    }

    @Test
    void identityWithinOneValue_isKept_asPickleKeepsIt() {
        Object[] self = new Object[2];
        self[0] = self;
        int[] shared = {1, 2};
        self[1] = List.of(shared, shared);
        Object[] back = (Object[]) roundTrip(self);
        assertThat(back[0]).isSameAs(back);
        List<?> pair = (List<?>) back[1];
        assertThat(pair.get(0)).isSameAs(pair.get(1));
    }

    @Test
    void listCodec_nullsMixedElementsViewsAndLargeChunks() {
        List<Object> mixed = Arrays.asList(null, 1, "two", 3L, new java.math.BigInteger("4"), null, new int[] {5});
        List<List<?>> lists = List.of(
                Arrays.asList(1, null, 3), // not packed: a null
                Arrays.asList(null, null),
                mixed,
                mixed.subList(1, 4),
                Collections.unmodifiableList(new LinkedList<>(List.of(1.5, 2.5))),
                new ArrayList<>(List.of(1, 2, 3, 4)).subList(1, 3),
                List.of(1, 2L)); // two boxed types: tagged values, each keeps its type
        for (List<?> list : lists) {
            ByteSink sink = new ByteSink();
            ListCodec.write(list, sink);
            List<Object> back = ListCodec.read(new ByteSource(sink.toByteArray()));
            assertThat(back).hasSameSizeAs(list);
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) instanceof int[] a) {
                    assertThat((int[]) back.get(i)).isEqualTo(a);
                } else {
                    assertThat(back.get(i)).isEqualTo(list.get(i));
                    assertThat(back.get(i) == null ? null : back.get(i).getClass())
                            .isEqualTo(list.get(i) == null ? null : list.get(i).getClass());
                }
            }
        }

        List<Object> large = new ArrayList<>();
        for (int i = 0; i < 300_000; i++) {
            large.add(i % 3 == 0 ? (Object) ("s" + i) : (Object) i);
        }
        ByteSink sink = new ByteSink();
        ListCodec.write(large, sink);
        assertThat(ListCodec.read(new ByteSource(sink.toByteArray()))).isEqualTo(large);
    }
}

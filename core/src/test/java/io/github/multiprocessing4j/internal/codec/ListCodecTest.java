package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.internal.bytes.MalformedDataException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ListCodecTest {

    static List<List<?>> lists() {
        return List.of(
                List.of(),
                List.of(1, -2, Integer.MAX_VALUE),
                List.of(1L, Long.MIN_VALUE),
                List.of(0.5, Double.NaN, -0.0),
                Arrays.asList("a", null, 3, new byte[] {1}, 'c'),
                List.of(BigInteger.TEN, "mixed", 4),
                List.of(new int[] {1, 2}, new int[] {3}));
    }

    @ParameterizedTest
    @MethodSource("lists")
    void everyForm_roundTrips(List<?> list) {
        ByteSink sink = new ByteSink();
        ListCodec.write(list, sink);
        List<Object> back = ListCodec.read(new ByteSource(sink.toByteArray()));
        assertThat(back).hasSameSizeAs(list);
        for (int i = 0; i < list.size(); i++) {
            assertThat(back.get(i)).isEqualTo(list.get(i));
        }
    }

    @Test
    void packedInts_takeFourBytesEach_andDecodeToAReadOnlyView() {
        List<Integer> ints = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ints.add(i * 1000);
        }
        ByteSink sink = new ByteSink();
        ListCodec.write(ints, sink);
        assertThat(sink.size()).isEqualTo(1 + 4 + 4 * 1000);
        List<Object> back = ListCodec.read(new ByteSource(sink.toByteArray()));
        assertThat(back).isEqualTo(new ArrayList<>(ints));
        assertThatThrownBy(() -> back.add(1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> back.get(1000)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void aLengthThatDoesNotFit_isMalformed() {
        ByteSink sink = new ByteSink().putByte(1).putInt(1_000_000);
        assertThatThrownBy(() -> ListCodec.read(new ByteSource(sink.toByteArray()))).isInstanceOf(MalformedDataException.class);
        ByteSink negative = new ByteSink().putByte(4).putInt(-1);
        assertThatThrownBy(() -> ListCodec.read(new ByteSource(negative.toByteArray()))).isInstanceOf(MalformedDataException.class);
    }
    @Test
    void aListOfObjectsWhoseBodyIsNotAnArray_isMalformed_notAnotherException() {
        // form OBJECTS (5), one element, then a plain INT value where the serialized Object[] should be
        byte[] forged = new ByteSink(16).putByte(5).putInt(1).putByte(Tag.INT).putInt(7).toByteArray();
        assertThatThrownBy(() -> ListCodec.read(new ByteSource(forged))).isInstanceOf(MalformedDataException.class);
        byte[] nullBody = new ByteSink(16).putByte(5).putInt(1).putByte(Tag.NULL).toByteArray();
        assertThatThrownBy(() -> ListCodec.read(new ByteSource(nullBody))).isInstanceOf(MalformedDataException.class);
    }

    @Test
    void theElementsOfAList_areJudgedByTheLimits_asValuesOfTheirOwn_andTheListsLengthIsNot() {
        StandardCodec limited = new StandardCodec(SerialFilter.withPattern("maxarray=10"));
        List<Object> strings = new ArrayList<>(java.util.Collections.nCopies(100, (Object) "s"));
        List<Object> ints = new ArrayList<>(java.util.Collections.nCopies(100, (Object) 7));
        for (List<Object> list : List.of(strings, ints)) {
            assertThat(ListCodec.read(new ByteSource(encode(list)), limited)).isEqualTo(list);
        }
        byte[] anArrayTooLong = encode(List.of(new int[11], "s"));
        assertThatThrownBy(() -> ListCodec.read(new ByteSource(anArrayTooLong), limited))
                .isInstanceOf(DecodingException.class).hasMessageContaining("limit of the deserialization filter")
                .hasMessageContaining("an array of 11");
        // a packed list's elements are boxes of 9 bytes each, as they would be sent one by one
        byte[] longs = encode(List.of(1L, 2L));
        assertThatThrownBy(() -> ListCodec.read(new ByteSource(longs), new StandardCodec(SerialFilter.withPattern(
                "maxbytes=8")))).isInstanceOf(DecodingException.class).hasMessageContaining("9 bytes");
        assertThat(ListCodec.read(new ByteSource(longs), new StandardCodec(SerialFilter.withPattern("maxbytes=9"))))
                .isEqualTo(List.of(1L, 2L));
    }

    private static byte[] encode(List<?> list) {
        ByteSink sink = new ByteSink(64);
        ListCodec.write(list, sink);
        return sink.toByteArray();
    }
}

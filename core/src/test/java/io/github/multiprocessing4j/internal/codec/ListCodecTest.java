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

    /** A value that takes no fast path: a chunk of them is form OBJECTS, one stream of an {@code Object[]}. */
    record Point(int x, int y) implements java.io.Serializable {
    }

    /** A value one level deeper than a {@link Point}. */
    record Segment(Point from) implements java.io.Serializable {
    }

    @Test
    void aChunkOfOtherValues_isJudgedByMaxarrayAndMaxdepth_itemByItem_asEachWouldBeSentAlone() {
        List<Object> points = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            points.add(new Point(i, -i));
        }
        // the chunk's own Object[] of 100 is the library's framing, not an array of the user's
        assertThat(ListCodec.read(new ByteSource(encode(points)), new StandardCodec(SerialFilter.withPattern(
                "maxarray=10")))).isEqualTo(points);
        assertThat(ListCodec.read(new ByteSource(encode(points)), new StandardCodec(SerialFilter.withPattern(null,
                java.io.ObjectInputFilter.Config.createFilter("maxarray=10"))))).isEqualTo(points); // jdk.serialFilter
        // a Point alone is at depth 1, and so it is in the chunk
        StandardCodec depth1 = new StandardCodec(SerialFilter.withPattern("maxdepth=1"));
        assertThat(depth1.decode(depth1.encode(points.getFirst()))).isEqualTo(points.getFirst());
        assertThat(ListCodec.read(new ByteSource(encode(points)), depth1)).isEqualTo(points);
        // a Segment alone is refused by maxdepth=1 (its Point is at depth 2), and so it is in a chunk
        Segment segment = new Segment(new Point(1, 2));
        assertThatThrownBy(() -> depth1.decode(depth1.encode(segment))).isInstanceOf(DecodingException.class)
                .hasMessageContaining("at depth 2");
        assertThatThrownBy(() -> ListCodec.read(new ByteSource(encode(List.of(segment, segment))), depth1))
                .isInstanceOf(DecodingException.class).hasMessageContaining("limit of the deserialization filter")
                .hasMessageContaining("at depth 2").hasMessageNotContaining("chunk");
        // an array of the user's in the chunk is judged, at any depth
        List<Object> withAnArray = List.of(new Point(0, 0), new ArrayList<>(java.util.Collections.nCopies(11, "s")));
        assertThatThrownBy(() -> ListCodec.read(new ByteSource(encode(withAnArray)), new StandardCodec(
                SerialFilter.withPattern("maxarray=10")))).isInstanceOf(DecodingException.class)
                .hasMessageContaining("limit of the deserialization filter").hasMessageContaining("an array of 11");
    }

    @Test
    void aChunkOfOtherValues_whoseArrayIsNotTheListsLength_hasItsArrayJudged() {
        List<Object> points = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            points.add(new Point(i, i));
        }
        byte[] encoded = encode(points);
        encoded[1] = 0; // the list's count (after its form), forged: 12, while its array holds 11
        encoded[2] = 0;
        encoded[3] = 0;
        encoded[4] = 12;
        assertThatThrownBy(() -> ListCodec.read(new ByteSource(encoded), new StandardCodec(SerialFilter.withPattern(
                "maxarray=10")))).isInstanceOf(DecodingException.class)
                .hasMessageContaining("limit of the deserialization filter").hasMessageContaining("an array of 11");
        assertThatThrownBy(() -> ListCodec.read(new ByteSource(encoded))).isInstanceOf(MalformedDataException.class)
                .hasMessageContaining("list of 12 decoded to 11");
    }

    @Test
    void aChunkOfOtherValues_refusedByMaxrefsOrMaxbytes_saysThatTheyCountedTheWholeChunk_andWhatSendsFewer() {
        List<Object> points = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            points.add(new Point(i, -i));
        }
        for (String limit : List.of("maxrefs=20", "maxbytes=400")) {
            StandardCodec limited = new StandardCodec(SerialFilter.withPattern(limit));
            assertThat(limited.decode(limited.encode(points.getFirst()))).isEqualTo(points.getFirst()); // alone
            assertThatThrownBy(() -> ListCodec.read(new ByteSource(encode(points)), limited))
                    .isInstanceOf(DecodingException.class).hasMessageContaining("limit of the deserialization filter")
                    .hasMessageContaining("a chunk of 100 items").hasMessageContaining("chunkSize");
        }
    }

    private static byte[] encode(List<?> list) {
        ByteSink sink = new ByteSink(64);
        ListCodec.write(list, sink);
        return sink.toByteArray();
    }
}

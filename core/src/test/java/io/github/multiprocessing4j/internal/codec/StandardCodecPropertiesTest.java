package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.testing.Guarded;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class StandardCodecPropertiesTest {
    private static final Codec CODEC = Codec.standard();
    private static final byte[] TAGS = {Tag.NULL, Tag.BYTES, Tag.LATIN1, Tag.UTF16, Tag.INT, Tag.LONG, Tag.DOUBLE,
        Tag.FLOAT, Tag.SHORT, Tag.BYTE, Tag.CHAR, Tag.BOOLEAN, Tag.INTS, Tag.LONGS, Tag.DOUBLES, Tag.FLOATS,
        Tag.SHORTS, Tag.CHARS, Tag.BOOLEANS, Tag.SERIAL, 20, -1, 126};

    @Provide
    Arbitrary<Object> fastPath() {
        return Values.fastPath();
    }

    @Provide
    Arbitrary<Object> anyValue() {
        return Values.any();
    }

    @Provide
    Arbitrary<String> strings() {
        return Values.strings();
    }

    /** Every fast-path value comes back equal, with its own tag, never through Java serialization. */
    @Property(tries = 1000)
    void fastPathValues_roundTrip(@ForAll("fastPath") Object value) {
        byte[] bytes = CODEC.encode(value);
        assertThat(StandardCodec.isFastPath(value)).isTrue();
        assertThat(bytes[0]).isNotEqualTo(Tag.SERIAL);
        Object back = CODEC.decode(bytes);
        assertThat(Values.deepEquals(back, value)).as("%s came back as %s", value, back).isTrue();
        if (value != null) {
            assertThat(back).hasSameClassAs(value);
        }
    }

    /**
     * Strings come back exactly, lone surrogates included (Tag: "lossless, even for lone surrogates"); those
     * whose chars are all below 256 take one byte per char.
     */
    @Property(tries = 1000)
    void strings_roundTripExactly_inTheNarrowestForm(@ForAll("strings") String s) {
        byte[] bytes = CODEC.encode(s);
        boolean latin1 = s.chars().allMatch(c -> c < 256);
        assertThat(bytes[0]).isEqualTo(latin1 ? Tag.LATIN1 : Tag.UTF16);
        assertThat(bytes).hasSize(5 + (latin1 ? 1 : 2) * s.length());
        assertThat((String) CODEC.decode(bytes)).isEqualTo(s);
    }

    /** Serializable JDK collections and records of fast-path values (lone surrogates too) come back equal. */
    @Property(tries = 300)
    void serializedValues_roundTrip(@ForAll("serialized") Object value) {
        byte[] bytes = CODEC.encode(value);
        assertThat(bytes[0]).isEqualTo(Tag.SERIAL);
        assertThat(CODEC.decode(bytes)).isEqualTo(value);
    }

    @Provide
    Arbitrary<Object> serialized() {
        return Values.serialized();
    }

    /** A value inside a bigger array, between other bytes, decodes from its offset and length alone. */
    @Property(tries = 500)
    void aValueDecodes_fromAnyOffset(@ForAll("anyValue") Object value, @ForAll @Size(max = 20) byte[] before,
                                     @ForAll @Size(max = 20) byte[] after) {
        byte[] encoded = CODEC.encode(value);
        byte[] all = new byte[before.length + encoded.length + after.length];
        System.arraycopy(before, 0, all, 0, before.length);
        System.arraycopy(encoded, 0, all, before.length, encoded.length);
        System.arraycopy(after, 0, all, before.length + encoded.length, after.length);
        assertThat(Values.deepEquals(CODEC.decode(all, before.length, encoded.length), value)).isTrue();
    }

    /** Values written one after another into a sink are read back in order, each taking exactly its bytes. */
    @Property(tries = 300)
    void valuesInOneSink_readBackInOrder(@ForAll @Size(max = 8) List<@net.jqwik.api.From("anyValue") Object> values) {
        ByteSink sink = new ByteSink(0);
        for (Object v : values) {
            StandardCodec.INSTANCE.write(v, sink);
        }
        ByteSource source = new ByteSource(sink.toByteArray());
        for (Object v : values) {
            assertThat(Values.deepEquals(StandardCodec.INSTANCE.read(source), v)).isTrue();
        }
        source.expectEnd();
    }

    /** "On failure the sink is left as it was": a value that cannot be serialized leaves no bytes behind. */
    @Property(tries = 200)
    void aFailedWrite_leavesTheSinkAsItWas(@ForAll @Size(max = 4) List<@net.jqwik.api.From("anyValue") Object> before,
                                           @ForAll @Size(max = 5) List<@net.jqwik.api.From("anyValue") Object> around,
                                           @ForAll @IntRange(max = 5) int where) {
        ByteSink sink = new ByteSink(0);
        for (Object v : before) {
            StandardCodec.INSTANCE.write(v, sink);
        }
        byte[] expected = sink.toByteArray();
        List<Object> unserializable = new ArrayList<>(around);
        unserializable.add(Math.min(where, around.size()), new Object());
        assertThatThrownBy(() -> StandardCodec.INSTANCE.write(unserializable, sink)).isInstanceOf(EncodingException.class);
        assertThat(sink.toByteArray()).isEqualTo(expected);
    }

    /**
     * Garbage that starts like a value (a known or unknown tag, a length of any size, a few more bytes)
     * decodes to a value or fails with DecodingException, and never allocates what a length merely claims.
     */
    @Property(tries = 1000)
    void garbage_decodesOrFailsWithDecodingException(@ForAll @IntRange(max = 22) int tag,
                                                     @ForAll("lengths") int length,
                                                     @ForAll("rests") byte[] rest,
                                                     @ForAll boolean withLength) {
        ByteSink sink = new ByteSink().putByte(TAGS[tag]);
        if (withLength) {
            sink.putInt(length);
        }
        assertDecodesOrFailsCleanly(sink.putBytes(rest).toByteArray());
    }

    @Provide
    Arbitrary<Integer> lengths() {
        return Mutation.lengths();
    }

    /** Any bytes at all. */
    @Property(tries = 500)
    void arbitraryBytes_decodeOrFailWithDecodingException(@ForAll @Size(max = 64) byte[] bytes) {
        assertDecodesOrFailsCleanly(bytes);
    }

    /** A valid encoding with bits flipped, bytes changed, inserted or dropped, cut short, lengths made huge or negative. */
    @Property(tries = 1000)
    void mutatedEncodings_decodeOrFailWithDecodingException(@ForAll("anyValue") Object value,
                                                            @ForAll("mutations") List<Mutation> mutations) {
        assertDecodesOrFailsCleanly(Mutation.applyAll(CODEC.encode(value), mutations));
    }

    /**
     * A Java-serialization stream garbled inside, its length field kept true, so that every change reaches
     * ObjectInputStream: a value or DecodingException, whatever the stream's classes, fields and handles say.
     */
    @Property(tries = 1000)
    void mutatedSerializationStreams_decodeOrFailWithDecodingException(@ForAll("serialized") Object value,
                                                                       @ForAll("mutations") List<Mutation> mutations) {
        byte[] encoded = CODEC.encode(value);
        byte[] stream = Mutation.applyAll(java.util.Arrays.copyOfRange(encoded, 5, encoded.length), mutations);
        assertDecodesOrFailsCleanly(new ByteSink().putByte(Tag.SERIAL).putBlob(stream).toByteArray());
    }

    /**
     * What decodes from the fast path takes exactly the bytes its tag and lengths announce: written again it
     * has the same length (the same bytes, but for booleans, which read any non-zero byte as true, floats
     * and doubles, whose NaNs may change bits, and a UTF-16 string that fits in Latin-1) and reads back equal.
     */
    @Property(tries = 1000)
    void whatDecodesFromGarbage_isWrittenBackTheSame(@ForAll @IntRange(max = 18) int tag,
                                                     @ForAll("lengths") int length,
                                                     @ForAll("rests") byte[] rest) {
        byte[] bytes = new ByteSink().putByte(TAGS[tag]).putInt(length).putBytes(rest).toByteArray();
        Object value;
        try {
            value = CODEC.decode(bytes);
        } catch (DecodingException e) {
            return;
        }
        byte[] again = CODEC.encode(value);
        assertThat(Values.deepEquals(CODEC.decode(again), value)).isTrue();
        if (bytes[0] == Tag.UTF16 && again[0] == Tag.LATIN1) {
            assertThat(again.length - 5).isEqualTo((bytes.length - 5) / 2);
            return;
        }
        assertThat(again).hasSameSizeAs(bytes);
        if (!List.of(Tag.BOOLEAN, Tag.BOOLEANS, Tag.FLOAT, Tag.FLOATS, Tag.DOUBLE, Tag.DOUBLES).contains(bytes[0])) {
            assertThat(again).isEqualTo(bytes);
        }
    }

    /** Bytes after a length field, often exactly as many as one, two, four or eight elements take. */
    @Provide
    Arbitrary<byte[]> rests() {
        return Arbitraries.oneOf(
                Arbitraries.of(0, 1, 2, 4, 8, 16).flatMap(n -> Arbitraries.bytes().array(byte[].class).ofSize(n)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(24));
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Mutation.some();
    }

    static void assertDecodesOrFailsCleanly(byte[] bytes) {
        Guarded.Outcome<Object> outcome = Guarded.call(() -> CODEC.decode(bytes));
        if (outcome.thrown() != null && !(outcome.thrown() instanceof DecodingException)) {
            throw new AssertionError("decoding " + bytes.length + " bytes threw " + outcome.thrown(), outcome.thrown());
        }
        assertThat(outcome.allocatedBytes()).as("bytes allocated decoding %d bytes", bytes.length)
                .isLessThan(16L * 1024 * 1024 + 100L * bytes.length);
    }
}

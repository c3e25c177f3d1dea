package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.function.SerializableCallable;
import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.testing.Gen;
import io.github.multiprocessing4j.testing.Guarded;
import io.github.multiprocessing4j.testing.Tries;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.example.Tasks;
import org.junit.jupiter.api.Test;

class StandardCodecPropertiesTest {
    private static final Codec CODEC = Codec.standard();
    private static final byte[] TAGS = {Tag.NULL, Tag.BYTES, Tag.LATIN1, Tag.UTF16, Tag.INT, Tag.LONG, Tag.DOUBLE,
        Tag.FLOAT, Tag.SHORT, Tag.BYTE, Tag.CHAR, Tag.BOOLEAN, Tag.INTS, Tag.LONGS, Tag.DOUBLES, Tag.FLOATS,
        Tag.SHORTS, Tag.CHARS, Tag.BOOLEANS, Tag.SERIAL, 20, -1, 126};

    /** Every fast-path value comes back equal, with its own tag, never through Java serialization. */
    @Test
    void fastPathValues_roundTrip() {
        Tries.forAll(1000, Values::fastPath, value -> {
            byte[] bytes = CODEC.encode(value);
            assertThat(StandardCodec.isFastPath(value)).isTrue();
            assertThat(bytes[0]).isNotEqualTo(Tag.SERIAL);
            Object back = CODEC.decode(bytes);
            assertThat(Values.deepEquals(back, value)).as("%s came back as %s", value, back).isTrue();
            if (value != null) {
                assertThat(back).hasSameClassAs(value);
            }
        });
    }

    /**
     * Strings come back exactly, lone surrogates included (Tag: "lossless, even for lone surrogates"); those
     * whose chars are all below 256 take one byte per char.
     */
    @Test
    void strings_roundTripExactly_inTheNarrowestForm() {
        Tries.forAll(1000, Values::string, s -> {
            byte[] bytes = CODEC.encode(s);
            boolean latin1 = s.chars().allMatch(c -> c < 256);
            assertThat(bytes[0]).isEqualTo(latin1 ? Tag.LATIN1 : Tag.UTF16);
            assertThat(bytes).hasSize(5 + (latin1 ? 1 : 2) * s.length());
            assertThat((String) CODEC.decode(bytes)).isEqualTo(s);
        });
    }

    /** Serializable JDK collections and records of fast-path values (lone surrogates too) come back equal. */
    @Test
    void serializedValues_roundTrip() {
        Tries.forAll(300, Values::serialized, value -> {
            byte[] bytes = CODEC.encode(value);
            assertThat(bytes[0]).isEqualTo(Tag.SERIAL);
            assertThat(CODEC.decode(bytes)).isEqualTo(value);
        });
    }

    record Surrounded(Object value, byte[] before, byte[] after) {
    }

    /** A value inside a bigger array, between other bytes, decodes from its offset and length alone. */
    @Test
    void aValueDecodes_fromAnyOffset() {
        Tries.forAll(500, g -> new Surrounded(Values.any(g), g.bytes(0, 20), g.bytes(0, 20)), in -> {
            byte[] encoded = CODEC.encode(in.value());
            byte[] all = new byte[in.before().length + encoded.length + in.after().length];
            System.arraycopy(in.before(), 0, all, 0, in.before().length);
            System.arraycopy(encoded, 0, all, in.before().length, encoded.length);
            System.arraycopy(in.after(), 0, all, in.before().length + encoded.length, in.after().length);
            assertThat(Values.deepEquals(CODEC.decode(all, in.before().length, encoded.length), in.value())).isTrue();
        });
    }

    /** Values written one after another into a sink are read back in order, each taking exactly its bytes. */
    @Test
    void valuesInOneSink_readBackInOrder() {
        Tries.forAll(300, g -> g.list(0, 8, () -> Values.any(g)), values -> {
            ByteSink sink = new ByteSink(0);
            for (Object v : values) {
                StandardCodec.INSTANCE.write(v, sink);
            }
            ByteSource source = new ByteSource(sink.toByteArray());
            for (Object v : values) {
                assertThat(Values.deepEquals(StandardCodec.INSTANCE.read(source), v)).isTrue();
            }
            source.expectEnd();
        });
    }

    record FailedWrite(List<Object> before, List<Object> around, int where) {
    }

    /** "On failure the sink is left as it was": a value that cannot be serialized leaves no bytes behind. */
    @Test
    void aFailedWrite_leavesTheSinkAsItWas() {
        Tries.forAll(200, g -> new FailedWrite(g.list(0, 4, () -> Values.any(g)), g.list(0, 5, () -> Values.any(g)),
                g.intBetween(0, 5)), in -> {
            ByteSink sink = new ByteSink(0);
            for (Object v : in.before()) {
                StandardCodec.INSTANCE.write(v, sink);
            }
            byte[] expected = sink.toByteArray();
            List<Object> unserializable = new ArrayList<>(in.around());
            unserializable.add(Math.min(in.where(), in.around().size()), new Object());
            assertThatThrownBy(() -> StandardCodec.INSTANCE.write(unserializable, sink))
                    .isInstanceOf(EncodingException.class);
            assertThat(sink.toByteArray()).isEqualTo(expected);
        });
    }

    /** The start of a value, made up: a tag (of {@link #TAGS}), maybe a length, and a few more bytes. */
    record Garbage(int tag, int length, byte[] rest, boolean withLength) {
        byte[] bytes() {
            ByteSink sink = new ByteSink().putByte(TAGS[tag]);
            if (withLength) {
                sink.putInt(length);
            }
            return sink.putBytes(rest).toByteArray();
        }
    }

    /** Garbage with one of the first {@code tags} tags. */
    private static Garbage garbage(Gen g, int tags, boolean withLength) {
        return new Garbage(g.choose(tags), Mutation.length(g), rest(g), withLength);
    }

    /** Bytes after a length field, often exactly as many as one, two, four or eight elements take. */
    private static byte[] rest(Gen g) {
        if (g.bool()) {
            int n = g.pickInt(0, 1, 2, 4, 8, 16);
            return g.bytes(n, n);
        }
        return g.bytes(0, 24);
    }

    /**
     * Garbage that starts like a value (a known or unknown tag, a length of any size, a few more bytes)
     * decodes to a value or fails with DecodingException, and never allocates what a length merely claims.
     */
    @Test
    void garbage_decodesOrFailsWithDecodingException() {
        Tries.forAll(1000, g -> garbage(g, TAGS.length, g.bool()), in -> assertDecodesOrFailsCleanly(in.bytes()));
    }

    /** Any bytes at all. */
    @Test
    void arbitraryBytes_decodeOrFailWithDecodingException() {
        Tries.forAll(500, g -> g.bytes(0, 64), StandardCodecPropertiesTest::assertDecodesOrFailsCleanly);
    }

    record Mutated(Object value, List<Mutation> mutations) {
    }

    /** A valid encoding with bits flipped, bytes changed, inserted or dropped, cut short, lengths made huge or negative. */
    @Test
    void mutatedEncodings_decodeOrFailWithDecodingException() {
        Tries.forAll(1000, g -> new Mutated(Values.any(g), Mutation.some(g)),
                in -> assertDecodesOrFailsCleanly(Mutation.applyAll(CODEC.encode(in.value()), in.mutations())));
    }

    /** A serializable lambda that captures fast-path values, and so travels as its form (see LambdaCodec). */
    static Object lambda(Gen g) {
        Object a = Values.fastPath(g);
        Object b = Values.fastPath(g);
        return switch (g.choose(4)) {
            case 0 -> (SerializableCallable<Object>) () -> a;
            case 1 -> (SerializableFunction<Object, List<Object>>) x -> Arrays.asList(a, x, b);
            case 2 -> (SerializableFunction<String, Integer>) String::length;
            default -> Tasks.greeting(Values.string(g));
        };
    }

    /** A lambda's form, garbled: the lambda, or DecodingException, whatever its names, kind and captured values say. */
    @Test
    void mutatedLambdaForms_decodeOrFailWithDecodingException() {
        Tries.forAll(1000, g -> new Mutated(lambda(g), Mutation.some(g)), in -> {
            byte[] encoded = CODEC.encode(in.value());
            assertThat(encoded[0]).isEqualTo(Tag.LAMBDA);
            assertDecodesOrFailsCleanly(Mutation.applyAll(encoded, in.mutations()));
        });
    }

    /**
     * A Java-serialization stream garbled inside, its length field kept true, so that every change reaches
     * ObjectInputStream: a value or DecodingException, whatever the stream's classes, fields and handles say.
     */
    @Test
    void mutatedSerializationStreams_decodeOrFailWithDecodingException() {
        Tries.forAll(1000, g -> new Mutated(Values.serialized(g), Mutation.some(g)), in -> {
            byte[] encoded = CODEC.encode(in.value());
            byte[] stream = Mutation.applyAll(Arrays.copyOfRange(encoded, 5, encoded.length), in.mutations());
            assertDecodesOrFailsCleanly(new ByteSink().putByte(Tag.SERIAL).putBlob(stream).toByteArray());
        });
    }

    /**
     * What decodes from the fast path takes exactly the bytes its tag and lengths announce: written again it
     * has the same length (the same bytes, but for booleans, which read any non-zero byte as true, floats
     * and doubles, whose NaNs may change bits, and a UTF-16 string that fits in Latin-1) and reads back equal.
     */
    @Test
    void whatDecodesFromGarbage_isWrittenBackTheSame() {
        Tries.forAll(1000, g -> garbage(g, 19, true), in -> {
            byte[] bytes = in.bytes();
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
        });
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

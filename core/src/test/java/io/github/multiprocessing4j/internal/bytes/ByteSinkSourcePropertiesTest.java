package io.github.multiprocessing4j.internal.bytes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Property tests of the byte cursor pair that every encoder and decoder is built on. */
class ByteSinkSourcePropertiesTest {

    /** One write to a sink, to be read back with the matching getter. */
    sealed interface Op {
    }

    record PutByte(byte v) implements Op {
    }

    record PutShort(short v) implements Op {
    }

    record PutInt(int v) implements Op {
    }

    record PutLong(long v) implements Op {
    }

    record PutBlob(byte[] v) implements Op {
    }

    record PutUtf8(String v) implements Op {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Arbitraries.oneOf(
                Arbitraries.bytes().map(PutByte::new),
                Arbitraries.shorts().map(PutShort::new),
                Arbitraries.integers().map(PutInt::new),
                Arbitraries.longs().map(PutLong::new),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(PutBlob::new),
                Arbitraries.strings().all().ofMaxLength(40).map(PutUtf8::new));
        return op.list().ofMaxSize(30);
    }

    /**
     * What the sink writes, the source reads back, and nothing more; however small the sink starts, so that
     * every write can hit a growth. UTF-8 is the JDK's: a lone surrogate becomes '?', as documented for
     * {@code putUtf8} (names and messages, not user data).
     */
    @Property(tries = 500)
    void whatTheSinkWrites_theSourceReadsBack(@ForAll("ops") List<Op> ops, @ForAll("capacities") int capacity) {
        ByteSink sink = new ByteSink(capacity);
        for (Op op : ops) {
            switch (op) {
                case PutByte(byte v) -> sink.putByte(v);
                case PutShort(short v) -> sink.putShort(v);
                case PutInt(int v) -> sink.putInt(v);
                case PutLong(long v) -> sink.putLong(v);
                case PutBlob(byte[] v) -> sink.putBlob(v);
                case PutUtf8(String v) -> sink.putUtf8(v);
            }
        }
        byte[] bytes = sink.toByteArray();
        assertThat(bytes).hasSize(sink.size());
        ByteSource source = new ByteSource(bytes);
        for (Op op : ops) {
            switch (op) {
                case PutByte(byte v) -> assertThat(source.getByte()).isEqualTo(v);
                case PutShort(short v) -> assertThat(source.getShort()).isEqualTo(v);
                case PutInt(int v) -> assertThat(source.getInt()).isEqualTo(v);
                case PutLong(long v) -> assertThat(source.getLong()).isEqualTo(v);
                case PutBlob(byte[] v) -> assertThat(source.getBlob()).isEqualTo(v);
                case PutUtf8(String v) -> assertThat(source.getUtf8())
                        .isEqualTo(new String(v.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
            }
        }
        source.expectEnd();
        assertThat(source.read()).isEqualTo(-1);
    }

    @Provide
    Arbitrary<Integer> capacities() {
        return Arbitraries.integers().between(-1, 70);
    }

    /** Getters in any order over any bytes: a value, or MalformedDataException when too few bytes are left. */
    @Property(tries = 500)
    void readingAnyBytes_givesValuesOrMalformedData(@ForAll @Size(max = 40) byte[] bytes,
                                                    @ForAll @Size(max = 20) List<@net.jqwik.api.constraints.IntRange(max = 6) Integer> getters) {
        ByteSource source = new ByteSource(bytes);
        for (int g : getters) {
            int before = source.remaining();
            int needed = switch (g) {
                case 0 -> 1;
                case 1 -> 2;
                case 2 -> 4;
                case 3 -> 8;
                default -> -1; // length-prefixed: depends on the bytes
            };
            Throwable thrown = catchThrowable(() -> {
                switch (g) {
                    case 0 -> source.getByte();
                    case 1 -> source.getShort();
                    case 2 -> source.getInt();
                    case 3 -> source.getLong();
                    case 4 -> source.getBlob();
                    case 5 -> source.getUtf8();
                    default -> source.skip(bytes.length == 0 ? 1 : bytes[0]);
                }
            });
            if (thrown != null) {
                assertThat(thrown).isInstanceOf(MalformedDataException.class);
            }
            if (needed > 0) {
                assertThat(thrown == null).as("getter %d with %d bytes left", g, before).isEqualTo(before >= needed);
                assertThat(source.remaining()).isEqualTo(thrown == null ? before - needed : before);
            }
            assertThat(source.remaining()).isBetween(0, before);
        }
    }

    @Provide
    Arbitrary<Integer> offsetsAndLengths() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(-3, 40),
                Arbitraries.of(Integer.MAX_VALUE, Integer.MAX_VALUE - 1, Integer.MAX_VALUE - 7, Integer.MIN_VALUE),
                Arbitraries.integers());
    }

    /**
     * A source over {@code (offset, length)} of an array is either refused with IndexOutOfBoundsException
     * (the range is not inside the array) or reads exactly those bytes and no others.
     */
    @Property(tries = 1000)
    void aSourceOverARange_readsExactlyThatRange(@ForAll @Size(max = 32) byte[] bytes,
                                                  @ForAll("offsetsAndLengths") int offset,
                                                  @ForAll("offsetsAndLengths") int length) throws Exception {
        boolean inside = offset >= 0 && length >= 0 && (long) offset + length <= bytes.length;
        if (!inside) {
            assertThatThrownBy(() -> new ByteSource(bytes, offset, length)).isInstanceOf(IndexOutOfBoundsException.class);
            return;
        }
        ByteSource source = new ByteSource(bytes, offset, length);
        assertThat(source.remaining()).isEqualTo(length);
        assertThat(source.position()).isEqualTo(offset);
        assertThat(source.readAllBytes()).isEqualTo(Arrays.copyOfRange(bytes, offset, offset + length));
        assertThatThrownBy(source::getByte).isInstanceOf(MalformedDataException.class);
    }

    /** A sink truncated back to where it was holds exactly the bytes it held then. */
    @Property(tries = 300)
    void truncate_undoesWhatWasWrittenAfter(@ForAll @Size(max = 100) byte[] before,
                                            @ForAll @Size(max = 300) byte[] after) {
        ByteSink sink = new ByteSink(0);
        sink.putBytes(before);
        int mark = sink.size();
        sink.putBlob(after).putLong(7);
        sink.truncate(mark);
        assertThat(sink.toByteArray()).isEqualTo(before);
        sink.putBytes(after);
        byte[] both = Arrays.copyOf(before, before.length + after.length);
        System.arraycopy(after, 0, both, before.length, after.length);
        assertThat(sink.toByteArray()).isEqualTo(both);
    }
}

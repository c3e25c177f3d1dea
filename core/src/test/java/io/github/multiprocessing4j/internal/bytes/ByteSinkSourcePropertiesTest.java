package io.github.multiprocessing4j.internal.bytes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiprocessing4j.testing.Gen;
import io.github.multiprocessing4j.testing.Tries;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

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

    static Op op(Gen g) {
        return switch (g.choose(6)) {
            case 0 -> new PutByte(g.byteValue());
            case 1 -> new PutShort(g.shortValue());
            case 2 -> new PutInt(g.intValue());
            case 3 -> new PutLong(g.longValue());
            case 4 -> new PutBlob(g.bytes(0, 300));
            default -> new PutUtf8(g.string(40));
        };
    }

    /** Writes, to a sink that starts with room for {@code capacity} bytes. */
    record Writes(List<Op> ops, int capacity) {
    }

    /**
     * What the sink writes, the source reads back, and nothing more; however small the sink starts, so that
     * every write can hit a growth. UTF-8 is the JDK's: a lone surrogate becomes '?', as documented for
     * {@code putUtf8} (names and messages, not user data).
     */
    @Test
    void whatTheSinkWrites_theSourceReadsBack() {
        Tries.forAll(500, g -> new Writes(g.list(0, 30, () -> op(g)), g.intBetween(-1, 70)),
                in -> readsBack(in.ops(), in.capacity()));
    }

    private static void readsBack(List<Op> ops, int capacity) {
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

    /** Bytes, and getters to call on them: 0 to 3 fixed-size, 4 and 5 length-prefixed, 6 skip. */
    record Reads(byte[] bytes, List<Integer> getters) {
    }

    /** Getters in any order over any bytes: a value, or MalformedDataException when too few bytes are left. */
    @Test
    void readingAnyBytes_givesValuesOrMalformedData() {
        Tries.forAll(500, g -> new Reads(g.bytes(0, 40), g.list(0, 20, () -> g.choose(7))),
                in -> readsOrFails(in.bytes(), in.getters()));
    }

    private static void readsOrFails(byte[] bytes, List<Integer> getters) {
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

    /** Small, a bound near overflow, or anything. */
    static int offsetOrLength(Gen g) {
        return switch (g.choose(3)) {
            case 0 -> g.intBetween(-3, 40);
            case 1 -> g.pickInt(Integer.MAX_VALUE, Integer.MAX_VALUE - 1, Integer.MAX_VALUE - 7, Integer.MIN_VALUE);
            default -> g.intValue();
        };
    }

    record Range(byte[] bytes, int offset, int length) {
    }

    /**
     * A source over {@code (offset, length)} of an array is either refused with IndexOutOfBoundsException
     * (the range is not inside the array) or reads exactly those bytes and no others.
     */
    @Test
    void aSourceOverARange_readsExactlyThatRange() {
        Tries.forAll(1000, g -> new Range(g.bytes(0, 32), offsetOrLength(g), offsetOrLength(g)),
                in -> readsExactlyThatRange(in.bytes(), in.offset(), in.length()));
    }

    private static void readsExactlyThatRange(byte[] bytes, int offset, int length) throws Exception {
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

    record BeforeAndAfter(byte[] before, byte[] after) {
    }

    /** A sink truncated back to where it was holds exactly the bytes it held then. */
    @Test
    void truncate_undoesWhatWasWrittenAfter() {
        Tries.forAll(300, g -> new BeforeAndAfter(g.bytes(0, 100), g.bytes(0, 300)),
                in -> undoes(in.before(), in.after()));
    }

    private static void undoes(byte[] before, byte[] after) {
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

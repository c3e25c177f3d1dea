package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.internal.bytes.MalformedDataException;
import io.github.multiprocessing4j.testing.Guarded;
import io.github.multiprocessing4j.testing.Gen;
import io.github.multiprocessing4j.testing.Tries;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListCodecPropertiesTest {

    /** Lists of ints, longs or doubles (packed), of any values, and of ints with one other value or null. */
    static List<Object> list(Gen g) {
        int max = 30;
        return switch (g.choose(6)) {
            case 0 -> g.list(0, max, g::intValue);
            case 1 -> g.list(0, max, g::longValue);
            case 2 -> g.list(0, max, () -> Values.doubleValue(g));
            case 3 -> g.list(0, max, () -> Values.fastPath(g));
            case 4 -> g.list(0, 10, () -> Values.any(g));
            default -> { // one packed type with one element of another type or null
                List<Object> ints = g.list(1, max, g::intValue);
                ints.add(g.intBetween(0, ints.size()), Values.scalar(g));
                yield ints;
            }
        };
    }

    record ListAndAfter(List<Object> list, long after) {
    }

    /**
     * Every list comes back equal element by element, taking exactly the bytes it was written in (a value
     * after it reads back too), and lists of only Integers, Longs or Doubles are packed: 4 or 8 bytes each.
     */
    @Test
    void lists_roundTrip_andPackWhereTheyCan() {
        Tries.forAll(500, g -> new ListAndAfter(list(g), g.longValue()), in -> {
            List<Object> list = in.list();
            long after = in.after();
            ByteSink sink = new ByteSink(0);
            ListCodec.write(list, sink);
            int listBytes = sink.size();
            sink.putLong(after);
            ByteSource source = new ByteSource(sink.toByteArray());
            List<Object> back = ListCodec.read(source);
            assertThat(source.getLong()).isEqualTo(after);
            source.expectEnd();
            assertThat(back).hasSameSizeAs(list);
            for (int i = 0; i < list.size(); i++) {
                assertThat(Values.deepEquals(back.get(i), list.get(i))).as("element %d: %s", i, list.get(i))
                        .isTrue();
            }
            if (!list.isEmpty()) {
                Class<?> only = list.stream().allMatch(e -> e != null && e.getClass() == list.getFirst().getClass())
                        ? list.getFirst().getClass() : null;
                if (only == Integer.class) {
                    assertThat(listBytes).isEqualTo(5 + 4 * list.size());
                } else if (only == Long.class || only == Double.class) {
                    assertThat(listBytes).isEqualTo(5 + 8 * list.size());
                }
            }
        });
    }

    record MutatedList(List<Object> list, List<Mutation> mutations) {
    }

    /**
     * Mutated lists read as a list whose every element can be read, or fail with MalformedDataException or
     * DecodingException (what the pool's reader catches), and allocate nothing near what a count claims.
     */
    @Test
    void mutatedLists_readOrFailCleanly() {
        Tries.forAll(1000, g -> new MutatedList(list(g), Mutation.some(g)), in -> {
            List<Object> list = in.list();
            List<Mutation> mutations = in.mutations();
            ByteSink sink = new ByteSink();
            ListCodec.write(list, sink);
            byte[] bytes = Mutation.applyAll(sink.toByteArray(), mutations);
            Guarded.Outcome<Integer> outcome = Guarded.call(() -> {
                List<Object> back = ListCodec.read(new ByteSource(bytes));
                int n = 0;
                for (Object o : back) { // packed lists read their elements lazily: every one must be there
                    n += o == null ? 0 : 1;
                }
                return back.size() + n;
            });
            Throwable thrown = outcome.thrown();
            if (thrown != null && !(thrown instanceof MalformedDataException || thrown instanceof DecodingException)) {
                throw new AssertionError("reading " + bytes.length + " bytes threw " + thrown, thrown);
            }
            assertThat(outcome.allocatedBytes()).isLessThan(16L * 1024 * 1024 + 100L * bytes.length);
        });
    }
}

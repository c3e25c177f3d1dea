package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.internal.bytes.MalformedDataException;
import io.github.multiprocessing4j.testing.Guarded;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ListCodecPropertiesTest {

    @Provide
    Arbitrary<List<Object>> lists() {
        int max = 30;
        return Arbitraries.<List<Object>>oneOf(
                Arbitraries.integers().list().ofMaxSize(max).map(ArrayList::new),
                Arbitraries.longs().list().ofMaxSize(max).map(ArrayList::new),
                Values.doubles().list().ofMaxSize(max).map(ArrayList::new),
                Values.fastPath().list().ofMaxSize(max),
                Values.any().list().ofMaxSize(10),
                // one packed type with one element of another type or null
                Arbitraries.integers().list().ofMinSize(1).ofMaxSize(max).flatMap(l -> Values.scalar().flatMap(
                        odd -> Arbitraries.integers().between(0, l.size()).map(at -> {
                            List<Object> copy = new ArrayList<>(l);
                            copy.add(at, odd);
                            return copy;
                        }))));
    }

    /**
     * Every list comes back equal element by element, taking exactly the bytes it was written in (a value
     * after it reads back too), and lists of only Integers, Longs or Doubles are packed: 4 or 8 bytes each.
     */
    @Property(tries = 500)
    void lists_roundTrip_andPackWhereTheyCan(@ForAll("lists") List<Object> list, @ForAll long after) {
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
            assertThat(Values.deepEquals(back.get(i), list.get(i))).as("element %d: %s", i, list.get(i)).isTrue();
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
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Mutation.some();
    }

    /**
     * Mutated lists read as a list whose every element can be read, or fail with MalformedDataException or
     * DecodingException (what the pool's reader catches), and allocate nothing near what a count claims.
     */
    @Property(tries = 1000)
    void mutatedLists_readOrFailCleanly(@ForAll("lists") List<Object> list, @ForAll("mutations") List<Mutation> mutations) {
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
    }
}

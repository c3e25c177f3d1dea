package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.acme.Order;
import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.collections.functors.FakeGadget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StandardCodecTest {
    private final Codec codec = Codec.standard();

    static List<Object> fastPathValues() {
        return Arrays.asList(null, new byte[] {1, -2, 3}, "", "plain ascii", "latin1 caf\u00e9",
                "snowman \u2603 and emoji \uD83D\uDE00", "lone surrogate \uD800 kept", 0, -1, Integer.MAX_VALUE,
                Long.MIN_VALUE, 3.25, Double.NaN, -0.0f, (short) -7, (byte) 5, 'x', '\u2603', true, false,
                new int[] {1, 2, -3}, new long[] {Long.MAX_VALUE}, new double[] {1.5, Double.NEGATIVE_INFINITY},
                new float[] {0.5f}, new short[] {-1, 2}, new char[] {'a', '\u2603'}, new boolean[] {true, false, true},
                new int[0]);
    }

    @ParameterizedTest
    @MethodSource("fastPathValues")
    void fastPathValues_roundTripExactly(Object value) {
        byte[] bytes = codec.encode(value);
        assertThat(codec.decode(bytes)).isEqualTo(value);
        if (value != null && !(value instanceof byte[])) {
            assertThat(bytes[0]).as("tag of %s", value.getClass()).isNotEqualTo(Tag.SERIAL);
        }
    }

    record Point(int x, int y) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    @Test
    void otherSerializableValues_roundTripThroughJavaSerialization() {
        Object value = Map.of("points", List.of(new Point(1, 2)), "price", new BigDecimal("9.99"),
                "timeout", Duration.ofSeconds(3), "where", URI.create("https://example.org/"));
        byte[] bytes = codec.encode(value);
        assertThat(bytes[0]).isEqualTo(Tag.SERIAL);
        assertThat(codec.decode(bytes)).isEqualTo(value);
    }

    @Test
    void aCapturingSerializableLambda_travelsAndKeepsItsCapturedValues() {
        int offset = 100;
        SerializableFunction<Integer, Integer> f = x -> x + offset;
        @SuppressWarnings("unchecked")
        SerializableFunction<Integer, Integer> back = (SerializableFunction<Integer, Integer>) codec.decode(codec.encode(f));
        assertThat(back.apply(1)).isEqualTo(101);
    }

    @Test
    void aClassFromAKnownGadgetPackage_isRefused_withAMessageThatSaysHowToAllowIt() {
        byte[] bytes = codec.encode(new FakeGadget("rm -rf /"));
        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining(FakeGadget.class.getName() + " is refused by the deserialization filter")
                .hasMessageContaining("-Dmp4j.serialFilter=");
    }

    @Test
    void jdkClassesOutsideTheValueAllowList_areRefused() throws Exception {
        byte[] bytes = codec.encode(URI.create("https://example.org/").toURL());
        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("java.net.URL is refused");
    }

    @Test
    void aUserPattern_decidesFirst_andThenRefusesApplicationClassesItDoesNotAllow() throws Exception {
        StandardCodec custom = new StandardCodec(SerialFilter.withPattern("java.net.URL;" + Point.class.getName()));
        assertThat(custom.decode(codec.encode(URI.create("https://example.org/").toURL()))).isEqualTo(URI.create("https://example.org/").toURL());
        assertThat(custom.decode(codec.encode(new Point(3, 4)))).isEqualTo(new Point(3, 4));
        byte[] other = codec.encode(new ArrayList<>(List.of(new FakeGadget("x"))));
        assertThatThrownBy(() -> custom.decode(other)).isInstanceOf(DecodingException.class);
    }

    @Test
    void theUsualAllowListPattern_narrowsApplicationClasses_butKeepsWhatEveryTaskNeeds() throws Exception {
        StandardCodec narrowed = new StandardCodec(SerialFilter.withPattern("com.acme.**;!*"));
        int k = 3;
        SerializableFunction<Integer, Integer> f = x -> x + k;
        @SuppressWarnings("unchecked")
        SerializableFunction<Integer, Integer> back = (SerializableFunction<Integer, Integer>) narrowed.decode(codec.encode(f));
        assertThat(back.apply(1)).isEqualTo(4);
        Object values = Map.of("orders", new ArrayList<>(List.of(new Order("pear", 2))), "when", Duration.ofSeconds(1),
                "where", Path.of("/data/in.csv"));
        assertThat(narrowed.decode(codec.encode(values))).isEqualTo(values);
        assertThat(narrowed.decode(codec.encode(new IllegalStateException("boom"))))
                .isInstanceOfSatisfying(IllegalStateException.class, e -> assertThat(e).hasMessage("boom"));

        StandardCodec elsewhere = new StandardCodec(SerialFilter.withPattern("org.example.**;!*"));
        byte[] order = codec.encode(new ArrayList<>(List.of(new Order("pear", 2))));
        assertThatThrownBy(() -> elsewhere.decode(order)).isInstanceOf(DecodingException.class)
                .hasMessageContaining(Order.class.getName() + " is refused");
        byte[] url = codec.encode(URI.create("https://example.org/").toURL());
        assertThatThrownBy(() -> narrowed.decode(url)).isInstanceOf(DecodingException.class)
                .hasMessageContaining("java.net.URL is refused");
    }

    @Test
    void aPatternOfLimitsAlone_leavesApplicationClassesAllowed() {
        StandardCodec limited = new StandardCodec(SerialFilter.withPattern("maxdepth=20"));
        assertThat(limited.decode(codec.encode(new Order("pear", 2)))).isEqualTo(new Order("pear", 2));
    }

    @Test
    void theLimitsOfAUserPattern_apply() {
        StandardCodec limited = new StandardCodec(SerialFilter.withPattern("maxdepth=5;maxarray=1000"));
        List<Object> nested = new ArrayList<>();
        List<Object> inner = nested;
        for (int i = 0; i < 10; i++) {
            List<Object> next = new ArrayList<>();
            inner.add(next);
            inner = next;
        }
        byte[] deep = codec.encode(nested);
        assertThatThrownBy(() -> limited.decode(deep)).isInstanceOf(DecodingException.class)
                .hasMessageContaining("limit of the deserialization filter");
        byte[] longArray = codec.encode(new ArrayList<>(List.of((Object) new Integer[5000])));
        assertThatThrownBy(() -> limited.decode(longArray)).isInstanceOf(DecodingException.class)
                .hasMessageContaining("an array of 5000");
        assertThat(limited.decode(codec.encode(new ArrayList<>(List.of(new ArrayList<>(List.of(1)))))))
                .isEqualTo(List.of(List.of(1)));
    }

    @Test
    void aForgedArrayLength_isRefusedBeforeTheArrayIsAllocated() throws Exception {
        // A real serialized long[1] whose length field is patched to Integer.MAX_VALUE: 16 GiB if believed.
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(stream)) {
            out.writeObject(new long[] {42});
        }
        byte[] serialized = stream.toByteArray();
        int lengthAt = serialized.length - 8 - 4;
        ByteBuffer.wrap(serialized, lengthAt, 4).putInt(Integer.MAX_VALUE);
        byte[] forged = new ByteSink(serialized.length + 5).putByte(Tag.SERIAL).putInt(serialized.length)
                .putBytes(serialized).toByteArray();

        assertThatThrownBy(() -> codec.decode(forged)).isInstanceOf(DecodingException.class)
                .hasMessageContaining("an array of " + Integer.MAX_VALUE);
    }

    @Test
    void malformedBytes_areADecodingError_neverAnotherException() {
        assertThatThrownBy(() -> codec.decode(new byte[] {99})).isInstanceOf(DecodingException.class)
                .hasMessageContaining("unknown value tag 99");
        assertThatThrownBy(() -> codec.decode(new byte[] {Tag.INT, 0, 0})).isInstanceOf(DecodingException.class)
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> codec.decode(new byte[] {Tag.INTS, 0x7f, 0, 0, 0})).isInstanceOf(DecodingException.class);
        assertThatThrownBy(() -> codec.decode(new byte[] {Tag.SERIAL, 0, 0, 0, 4, 1, 2, 3, 4}))
                .isInstanceOf(DecodingException.class);
        byte[] ok = codec.encode(5);
        byte[] trailing = Arrays.copyOf(ok, ok.length + 1);
        assertThatThrownBy(() -> codec.decode(trailing)).isInstanceOf(DecodingException.class)
                .hasMessageContaining("trailing");
    }
    @Test
    void paths_travel_asPythonsPathlibPathsPickle() {
        Path absolute = Path.of("/var/data", "caf\u00e9 \u2603.csv");
        Path relative = Path.of("reports", "2026", "q4.txt");
        SerializableFunction<Integer, Path> f = i -> i == 0 ? absolute : relative;

        @SuppressWarnings("unchecked")
        SerializableFunction<Integer, Path> back = (SerializableFunction<Integer, Path>) codec.decode(codec.encode(f));
        assertThat(back.apply(0)).isEqualTo(absolute);
        assertThat(back.apply(1)).isEqualTo(relative).matches(p -> !p.isAbsolute(), "still relative");
        List<Path> list = List.of(absolute, relative, absolute);
        assertThat(codec.decode(codec.encode(list))).isEqualTo(list);
        assertThat(codec.decode(codec.encode(absolute))).isInstanceOf(Path.class).isEqualTo(absolute);
    }

    @Test
    void aPathOfAnotherFileSystem_stillFailsWithTheUsualMessage(@TempDir Path tmp) throws Exception {
        Path zip = tmp.resolve("a.zip");
        try (FileSystem zipFs = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
            Path inside = zipFs.getPath("/entry.txt");
            assertThatThrownBy(() -> codec.encode(List.of(inside)))
                    .isInstanceOf(EncodingException.class)
                    .hasMessageContaining(inside.getClass().getName() + " is not Serializable");
        }
    }

    /** A serializable holder with a field that is not. */
    static final class Holder implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        @SuppressWarnings("serial")
        final List<Object> things = new ArrayList<>(List.of("a", "b", new Object()));
    }

    @Test
    void aNonSerializableValueDeepInside_isNamedWithThePathToIt() {
        Holder holder = new Holder();
        SerializableFunction<Integer, Integer> f = x -> x + holder.things.size();
        assertThatThrownBy(() -> codec.encode(f))
                .isInstanceOf(EncodingException.class)
                .hasMessageStartingWith("java.lang.Object is not Serializable")
                .hasMessageContaining("captures value #1 (" + Holder.class.getName() + ")"
                        + " -> field Holder.things (java.util.ArrayList) -> element 2 (java.lang.Object)");
    }

    /** Loads fine. */
    static final class InitOk implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /** Cannot be initialized in this JVM, as a class whose static initializer needs what only the sender has. */
    static final class InitKo implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        static {
            if (Boolean.parseBoolean("true")) {
                throw new IllegalStateException("this JVM cannot initialize InitKo");
            }
        }
    }

    @Test
    void aClassThatCannotBeInitializedHere_isADecodingError_notAnErrorThatEscapes() {
        byte[] bytes = codec.encode(new InitOk());
        byte[] from = InitOk.class.getName().getBytes(StandardCharsets.UTF_8);
        byte[] to = InitKo.class.getName().getBytes(StandardCharsets.UTF_8);
        int at = indexOf(bytes, from);
        System.arraycopy(to, 0, bytes, at, to.length); // the same stream, naming the class that fails to initialize

        // the first attempt fails in the static initializer, later ones with "Could not initialize class"
        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(DecodingException.class)
                    .hasMessageContaining(InitKo.class.getName());
        }
    }

    /** Serializable, but refuses to be read back, with an Error (as an assert in a readObject would). */
    static final class ReadFails implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void readObject(java.io.ObjectInputStream in) {
            throw new AssertionError("ReadFails refuses to be read");
        }
    }

    @Test
    void anErrorFromTheValuesOwnReadObject_isADecodingError_notAnErrorThatEscapes() {
        byte[] bytes = codec.encode(new ReadFails());
        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(DecodingException.class)
                .hasMessageContaining("ReadFails refuses to be read").hasCauseInstanceOf(AssertionError.class);
    }

    /** Where {@code needle} first occurs in {@code haystack}; fails the test if nowhere. */
    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}

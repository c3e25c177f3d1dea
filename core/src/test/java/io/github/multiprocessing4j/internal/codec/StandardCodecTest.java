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
import java.io.ObjectInputFilter;
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

    static List<Object> arraysOf2000() {
        return List.of(new byte[2000], new int[2000], new long[2000], new double[2000], new float[2000],
                new short[2000], new char[2000], new boolean[2000]);
    }

    @ParameterizedTest
    @MethodSource("arraysOf2000")
    void anArrayOfTheFastPath_longerThanMaxarray_isRefused_asTheSameArraySerializedIs(Object array) throws Exception {
        StandardCodec limited = new StandardCodec(SerialFilter.withPattern("maxarray=1999"));
        String refusal = "the value is refused by a limit of the deserialization filter (";
        assertThat(codec.encode(array)[0]).isNotEqualTo(Tag.SERIAL);
        assertThatThrownBy(() -> limited.decode(codec.encode(array))).isInstanceOf(DecodingException.class)
                .hasMessageStartingWith(refusal).hasMessageContaining("an array of 2000")
                .hasMessageContaining("maxdepth=, maxrefs=, maxarray=, maxbytes=");
        assertThatThrownBy(() -> limited.decode(serialized(array))).isInstanceOf(DecodingException.class)
                .hasMessageStartingWith(refusal).hasMessageContaining("an array of 2000");
        StandardCodec enough = new StandardCodec(SerialFilter.withPattern("maxarray=2000"));
        assertThat(enough.decode(codec.encode(array))).isEqualTo(array);
        assertThat(enough.decode(serialized(array))).isEqualTo(array);
    }

    @Test
    void aValueOfTheFastPath_largerThanMaxbytes_isRefused_byItsEncodedSize() {
        StandardCodec limited = new StandardCodec(SerialFilter.withPattern("maxbytes=1000"));
        // 1001 bytes each as the codec writes them: the tag, the length and the elements
        for (Object big : List.of("x".repeat(996), "\u2603".repeat(498), new byte[996], new int[249], new boolean[996])) {
            byte[] bytes = codec.encode(big);
            assertThat(bytes).hasSize(1001);
            assertThatThrownBy(() -> limited.decode(bytes)).as("%s", big.getClass())
                    .isInstanceOf(DecodingException.class)
                    .hasMessageStartingWith("the value is refused by a limit of the deserialization filter (")
                    .hasMessageContaining("1001 bytes");
        }
        for (Object fits : List.of("x".repeat(995), "\u2603".repeat(497), new byte[995], new int[248], 42L, 'c')) {
            assertThat(limited.decode(codec.encode(fits))).isEqualTo(fits);
        }
    }

    @Test
    void theLimitsOfTheJvmWideFilter_judgeTheFastPathToo() {
        StandardCodec withJvmWide = new StandardCodec(SerialFilter.withPattern(null,
                ObjectInputFilter.Config.createFilter("maxarray=10")));
        assertThatThrownBy(() -> withJvmWide.decode(codec.encode(new long[11]))).isInstanceOf(DecodingException.class)
                .hasMessageContaining("limit of the deserialization filter").hasMessageContaining("an array of 11");
        assertThat(withJvmWide.decode(codec.encode(new long[10]))).isEqualTo(new long[10]);
        assertThat(withJvmWide.decode(codec.encode("a string of more than ten chars")))
                .isEqualTo("a string of more than ten chars");
    }

    /**
     * A lambda's form is judged as the stream of the same lambda: its captured values in an array at depth 2, each at
     * depth 3 (an array has no class descriptor of a superclass, which the form leaves out).
     */
    @Test
    void aLambdasForm_isRefusedByTheLimits_iffItsJavaSerializationIs() throws Exception {
        int[] small = {1, 2, 3};
        String a = "a";
        String b = "b";
        String c3 = "c";
        SerializableFunction<Integer, Object> capturesAnArray = x -> small[x];
        SerializableFunction<Integer, Object> capturesThree = x -> a + b + c3;
        SerializableFunction<Integer, Object> capturesNothing = StandardCodecTest::same;
        int[] big = new int[2000];
        SerializableFunction<Integer, Object> capturesBig = x -> big[x];
        record Case(Object lambda, String pattern, boolean refused) {
        }
        List<Case> cases = List.of(
                new Case(capturesAnArray, "maxdepth=2", true), new Case(capturesAnArray, "maxdepth=3", false),
                new Case(capturesNothing, "maxdepth=1", true), new Case(capturesNothing, "maxdepth=2", false),
                new Case(capturesThree, "maxarray=2", true), new Case(capturesThree, "maxarray=3", false),
                new Case(capturesBig, "maxarray=1999", true), new Case(capturesBig, "maxarray=2000", false));
        for (Case c : cases) {
            StandardCodec limited = new StandardCodec(SerialFilter.withPattern(c.pattern()));
            byte[] form = codec.encode(c.lambda());
            assertThat(form[0]).isEqualTo(Tag.LAMBDA);
            byte[] stream = serialized(c.lambda());
            if (c.refused()) {
                assertThatThrownBy(() -> limited.decode(stream)).as("serialized, %s", c.pattern())
                        .hasMessageContaining("limit of the deserialization filter");
                assertThatThrownBy(() -> limited.decode(form)).as("form, %s", c.pattern())
                        .isInstanceOf(DecodingException.class)
                        .hasMessageStartingWith("the value is refused by a limit of the deserialization filter (");
            } else {
                assertThat(limited.decode(stream)).as("serialized, %s", c.pattern()).isNotNull();
                assertThat(limited.decode(form)).as("form, %s", c.pattern()).isNotNull();
            }
        }
    }

    static Object same(Integer x) {
        return x;
    }

    /** {@code value} as the codec's Java-serialized form, even if it would take the fast path. */
    private static byte[] serialized(Object value) throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(stream)) {
            out.writeObject(value);
        }
        byte[] bytes = stream.toByteArray();
        return new ByteSink(bytes.length + 5).putByte(Tag.SERIAL).putInt(bytes.length).putBytes(bytes).toByteArray();
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
    void aForgedPrimitiveArrayLength_isRefused_ifItsElementsCannotFitInTheStream() throws Exception {
        // A long[] of as many elements as the stream has bytes passed (each element was taken to need one byte): the
        // JDK allocated 8 bytes per byte of the stream, then failed at its end. Each element of a long[] takes 8.
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(stream)) {
            out.writeObject(new long[] {42});
        }
        byte[] serialized = stream.toByteArray();
        int forgedLength = serialized.length / 2; // fits as bytes, not as longs
        ByteBuffer.wrap(serialized, serialized.length - 8 - 4, 4).putInt(forgedLength);
        byte[] forged = new ByteSink(serialized.length + 5).putByte(Tag.SERIAL).putInt(serialized.length)
                .putBytes(serialized).toByteArray();

        assertThatThrownBy(() -> codec.decode(forged)).isInstanceOf(DecodingException.class)
                .hasMessageContaining("an array of " + forgedLength + " elements");
        long[] honest = new long[100];
        Arrays.fill(honest, -1);
        assertThat(codec.decode(serialized(honest))).isEqualTo(honest);
        byte[] bytes = new byte[100];
        assertThat(codec.decode(serialized(bytes))).isEqualTo(bytes);
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

package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.function.SerializableCallable;
import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.testing.Guarded;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.example.Tasks;
import org.junit.jupiter.api.Test;

/** Lambdas that travel as their {@link SerializedLambda} form, without Java serialization (see {@link LambdaCodec}). */
class LambdaCodecTest {
    private final Codec codec = Codec.standard();

    @SuppressWarnings("unchecked")
    private <T> T roundTrip(T value) {
        return (T) codec.decode(codec.encode(value));
    }

    static String shout(String s) {
        return s.toUpperCase() + "!";
    }

    @Test
    void aLambdaThatCapturesPlainValues_travelsAsItsForm_andKeepsThem() {
        int offset = 100;
        String unit = "ms";
        long[] scale = {2, 3};
        SerializableFunction<Integer, String> f = x -> (x * scale[0] * scale[1] + offset) + unit;

        byte[] bytes = codec.encode(f);

        assertThat(bytes[0]).isEqualTo(Tag.LAMBDA);
        assertThat(roundTrip(f).apply(1)).isEqualTo("106ms");
    }

    @Test
    void methodReferences_andLambdasThatCaptureNothingOrNull_travelAsTheirForm() throws Exception {
        SerializableFunction<String, String> ref = LambdaCodecTest::shout;
        SerializableFunction<Object, String> bound = String::valueOf;
        String nothing = null;
        SerializableCallable<Boolean> capturesNull = () -> nothing == null;

        for (Object lambda : List.of(ref, bound, capturesNull)) {
            assertThat(codec.encode(lambda)[0]).as("tag of %s", lambda).isEqualTo(Tag.LAMBDA);
        }
        assertThat(roundTrip(ref).apply("hi")).isEqualTo("HI!");
        assertThat(roundTrip(bound).apply(42)).isEqualTo("42");
        assertThat(roundTrip(capturesNull).call()).isTrue();
    }

    @Test
    void aLambdaThatCapturesAnObject_isLeftToJavaSerialization() throws Exception {
        List<String> words = List.of("a", "bb");
        SerializableCallable<Integer> f = () -> words.stream().mapToInt(String::length).sum();

        assertThat(codec.encode(f)[0]).isEqualTo(Tag.SERIAL);
        assertThat(roundTrip(f).call()).isEqualTo(3);
    }

    @Test
    void aLambdaThatCapturesOneArrayTwice_isLeftToJavaSerialization_whichKeepsThemOne() throws Exception {
        int[] counts = {0};
        int[] same = counts;
        SerializableCallable<Boolean> f = () -> counts == same;

        assertThat(codec.encode(f)[0]).isEqualTo(Tag.SERIAL);
        assertThat(roundTrip(f).call()).isTrue();
    }

    /**
     * Java serialization keeps one object captured twice one object, a string or a box as well as an array: a
     * lambda that compares them by identity gets true back. The form would give two, so such a lambda is left to Java
     * serialization; but for a box that the reader's boxing hands out shared anyway (a small int, a boolean).
     */
    @Test
    void aLambdaThatCapturesOneStringOrBoxTwice_comesBackWithThemOne() throws Exception {
        String word = new String("same");
        String sameWord = word;
        Integer big = 1000;
        Integer sameBig = big;
        Double half = 0.5;
        Double sameHalf = half;
        Integer small = 5;
        Integer sameSmall = small;
        SerializableCallable<Boolean> words = () -> word == sameWord;
        SerializableCallable<Boolean> bigs = () -> big == sameBig;
        SerializableCallable<Boolean> halves = () -> half == sameHalf;
        SerializableCallable<Boolean> smalls = () -> small == sameSmall;

        Map<String, SerializableCallable<Boolean>> lambdas = Map.of("strings", words, "big ints", bigs, "doubles", halves,
                "small ints", smalls);
        for (Map.Entry<String, SerializableCallable<Boolean>> f : lambdas.entrySet()) {
            assertThat(roundTrip(f.getValue()).call()).as(f.getKey()).isTrue();
        }
        assertThat(codec.encode(smalls)[0]).isEqualTo(Tag.LAMBDA);
    }

    @Test
    void aCapturingClassThatTheFilterRefuses_isRefused_withTheUsualMessage() {
        SerializableCallable<String> f = Tasks.greeting("filter");
        StandardCodec narrowed = new StandardCodec(SerialFilter.withPattern("com.acme.**;!*"));
        StandardCodec allowing = new StandardCodec(SerialFilter.withPattern("org.example.**;!*"));

        assertThat(codec.encode(f)[0]).isEqualTo(Tag.LAMBDA);
        assertThatThrownBy(() -> narrowed.decode(codec.encode(f))).isInstanceOf(DecodingException.class)
                .hasMessageContaining(Tasks.class.getName() + " is refused by the deserialization filter")
                .hasMessageContaining("-Dmp4j.serialFilter");
        assertThat(((SerializableCallable<?>) allowing.decode(codec.encode(f))))
                .satisfies(back -> assertThat(back.call()).isEqualTo("hello filter"));
    }

    @Test
    void theJvmWideFilter_vetoesTheForm_asItVetoesJavaSerialization() {
        SerializableCallable<String> f = Tasks.greeting("jvm");
        ObjectInputFilter noLambdas = ObjectInputFilter.Config.createFilter("!java.lang.invoke.SerializedLambda");
        ObjectInputFilter notThisClass = ObjectInputFilter.Config.createFilter("!" + Tasks.class.getName());

        for (ObjectInputFilter jvmWide : List.of(noLambdas, notThisClass)) {
            StandardCodec withJvmWide = new StandardCodec(SerialFilter.withPattern(null, jvmWide));
            assertThatThrownBy(() -> withJvmWide.decode(codec.encode(f))).isInstanceOf(DecodingException.class)
                    .hasMessageContaining("is refused by the JVM-wide deserialization filter");
        }
    }

    @Test
    void withoutTheJvmWideFilter_theFormIsJudgedByTheLibrarysFilterAlone() {
        SerializableCallable<String> f = () -> "runs";

        assertThat(((SerializableCallable<?>) StandardCodec.withoutJvmWideFilter().decode(codec.encode(f))))
                .satisfies(back -> assertThat(back.call()).isEqualTo("runs"));
    }

    @Test
    void aFormThatItsCapturingClassDoesNotHold_isRefusedByThatClass_withAClearError() {
        SerializableCallable<String> f = () -> "original";
        SerializedLambda form = LambdaCodec.formOf(f);
        byte[] bytes = codec.encode(f);
        byte[] name = form.getImplMethodName().getBytes(StandardCharsets.UTF_8);
        int at = StandardCodecTest.indexOf(bytes, name);
        bytes[at + name.length - 1] = 'Z'; // lambda$...$0 becomes lambda$...$Z: no lambda of the class has that name

        byte[] forged = bytes;
        assertThatThrownBy(() -> codec.decode(forged)).isInstanceOf(DecodingException.class)
                .hasMessageContaining("its capturing class has no such lambda");
    }

    @Test
    void aFormNamingAMissingClass_orCutShort_isADecodingError() {
        SerializableCallable<String> f = () -> "original";
        byte[] bytes = codec.encode(f);
        byte[] name = LambdaCodecTest.class.getName().replace('.', '/').getBytes(StandardCharsets.UTF_8);
        byte[] missing = bytes.clone();
        missing[StandardCodecTest.indexOf(missing, name) + name.length - 1] = 'Q'; // ...LambdaCodecTesQ

        assertThatThrownBy(() -> codec.decode(missing)).isInstanceOf(DecodingException.class)
                .hasMessageContaining("LambdaCodecTesQ is not on this JVM's class path");
        for (int cut = 1; cut < bytes.length; cut += 7) {
            byte[] shorter = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> codec.decode(shorter)).as("cut at %d", cut).isInstanceOf(DecodingException.class)
                    .hasMessageContaining("malformed value");
        }
    }

    interface Shapes {
        static SerializableCallable<String> fromAnInterface(String s) {
            return () -> s + " from an interface";
        }
    }

    record Box(int n) {
        SerializableCallable<Integer> twice() {
            int m = n;
            return () -> m * 2;
        }
    }

    enum Colour {
        RED;

        SerializableCallable<String> named(String x) {
            return () -> x + " from an enum";
        }
    }

    class Inner {
        SerializableCallable<String> tagged(String x) {
            return () -> x + " from an inner class";
        }
    }

    /** A functional interface that narrows a generic one's method, so that its lambdas have a bridge. */
    interface Length extends SerializableFunction<String, Integer> {
        @Override
        Integer apply(String s);
    }

    static <T> SerializableFunction<T, List<T>> pairedWith(T extra) {
        return t -> List.of(t, extra);
    }

    /**
     * Every kind of lambda and method reference that captures plain values travels as its form, and comes back as
     * Java serialization brings it back: of the same interfaces (markers of intersection casts too), giving the same
     * result, captured boxes, chars, shorts, nulls, empty arrays and lone surrogates kept.
     */
    @Test
    void everyKindOfLambda_comesBackFromItsForm_asFromJavaSerialization() throws Exception {
        Integer boxed = 7;
        Object anyObject = 5;
        char c = 'x';
        short s = 3;
        byte b = 4;
        String none = null;
        int[] empty = {};
        String lone = "a\uD800b\uDC00";
        SerializableCallable<String> anonymous = new Object() {
            SerializableCallable<String> make() {
                return () -> lone + " from an anonymous class";
            }
        }.make();
        class Local {
            SerializableCallable<String> make() {
                return () -> lone + " from a local class";
            }
        }
        Map<String, Object> lambdas = new LinkedHashMap<>();
        lambdas.put("static method", (SerializableFunction<String, String>) LambdaCodecTest::shout);
        lambdas.put("bound method", (SerializableFunction<String, String>) "abc"::concat);
        lambdas.put("unbound method", (SerializableFunction<String, Integer>) String::length);
        lambdas.put("constructor", (SerializableCallable<List<String>>) ArrayList::new);
        lambdas.put("array constructor", (SerializableFunction<Integer, int[]>) int[]::new);
        lambdas.put("interface", Shapes.fromAnInterface("s"));
        lambdas.put("record", new Box(4).twice());
        lambdas.put("enum", Colour.RED.named("c"));
        lambdas.put("inner class", new Inner().tagged("i"));
        lambdas.put("anonymous class", anonymous);
        lambdas.put("local class", new Local().make());
        lambdas.put("generic method", pairedWith("x"));
        lambdas.put("boxed", (SerializableCallable<Object>) () -> boxed);
        lambdas.put("object", (SerializableCallable<Object>) () -> anyObject);
        lambdas.put("char", (SerializableCallable<Object>) () -> c);
        lambdas.put("short", (SerializableCallable<Object>) () -> s);
        lambdas.put("byte", (SerializableCallable<Object>) () -> b);
        lambdas.put("null", (SerializableCallable<Object>) () -> none);
        lambdas.put("empty array", (SerializableCallable<Object>) () -> empty);
        lambdas.put("lone surrogates", (SerializableCallable<Object>) () -> lone);
        lambdas.put("intersection", (Supplier<String> & Serializable & Cloneable) () -> lone + c);
        lambdas.put("bridge", (Length) String::length);

        for (Map.Entry<String, Object> lambda : lambdas.entrySet()) {
            byte[] bytes = codec.encode(lambda.getValue());
            Object form = codec.decode(bytes);
            Object serialized = javaRoundTrip(lambda.getValue());

            assertThat(bytes[0]).as(lambda.getKey()).isEqualTo(Tag.LAMBDA);
            assertThat(form.getClass().getInterfaces()).as(lambda.getKey())
                    .containsExactly(serialized.getClass().getInterfaces());
            Object fromForm = call(form);
            Object fromSerialized = call(serialized);
            assertThat(Values.deepEquals(fromForm, fromSerialized)).as("%s: %s vs %s", lambda.getKey(), fromForm,
                    fromSerialized).isTrue();
            if (fromSerialized != null) {
                assertThat(fromForm).as(lambda.getKey()).hasSameClassAs(fromSerialized);
            }
        }
    }

    private static Object javaRoundTrip(Object value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object call(Object lambda) throws Exception {
        return switch (lambda) {
            case SerializableCallable<?> c -> c.call();
            case Length l -> l.apply("four");
            case SerializableFunction f when f.getClass().getName().contains("LambdaCodecTest") -> {
                try {
                    yield f.apply("x");
                } catch (ClassCastException e) {
                    yield f.apply(3);
                }
            }
            case Supplier<?> s -> s.get();
            default -> throw new AssertionError("cannot call " + lambda);
        };
    }

    /**
     * A forged form may name any class as the capturing class: one whose static initializer throws, one without
     * lambdas, a JDK class, a class the filter refuses. Each is a DecodingException; only the filter's choice of
     * class is initialized, and only to look for its lambdas, as Java serialization does.
     */
    @Test
    void aFormNamingAClassThatCannotMakeIt_isADecodingError() throws Exception {
        SerializedLambda real = LambdaCodec.formOf(Tasks.greeting("x"));
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("org.example.BrokenInit", "org.example.BrokenInit"); // its initializer failed, or had failed
        expected.put("org.example.ErrorInInit", "ErrorInInit"); // its initializer threw an Error, or had thrown one
        expected.put(Values.class.getName(), "$deserializeLambda$");
        expected.put("java.lang.String", "$deserializeLambda$");
        expected.put("java.util.Comparator", "cannot deserialize a lambda");
        expected.put("javax.management.ObjectName", "is refused by the deserialization filter");

        for (Map.Entry<String, String> capturing : expected.entrySet()) {
            Class<?> type = Class.forName(capturing.getKey(), false, getClass().getClassLoader());
            SerializedLambda forged = new SerializedLambda(type, real.getFunctionalInterfaceClass(),
                    real.getFunctionalInterfaceMethodName(), real.getFunctionalInterfaceMethodSignature(),
                    real.getImplMethodKind(), real.getImplClass(), real.getImplMethodName(),
                    real.getImplMethodSignature(), real.getInstantiatedMethodType(), new Object[] {"x"});
            ByteSink sink = new ByteSink().putByte(Tag.LAMBDA);
            LambdaCodec.write(forged, sink, StandardCodec.INSTANCE);
            byte[] bytes = sink.toByteArray();

            for (int attempt = 0; attempt < 2; attempt++) { // the second time, BrokenInit is known to be broken
                assertThatThrownBy(() -> codec.decode(bytes)).as(capturing.getKey())
                        .isInstanceOf(DecodingException.class).hasMessageContaining(capturing.getValue());
            }
        }
    }

    /**
     * The writer puts only fast-path values among a form's captured values; a forged form that nests forms (or a
     * Java-serialized value) there, however deep, is a DecodingException, not a StackOverflowError that would end
     * the thread that reads the connection.
     */
    @Test
    void aFormNestedInItsOwnCapturedValues_isADecodingError_notAStackOverflow() {
        SerializableCallable<String> f = () -> "inner";
        byte[] form = codec.encode(f);
        byte[] head = Arrays.copyOf(form, form.length - 4); // all but the count of captured values, 0
        ByteSink sink = new ByteSink();
        for (int i = 0; i < 20_000; i++) {
            sink.putBytes(head).putInt(1); // one captured value: the next form
        }
        byte[] nested = sink.putBytes(form).toByteArray();
        byte[] serialized = new ByteSink().putBytes(head).putInt(1).putBytes(codec.encode(List.of("x"))).toByteArray();

        for (byte[] forged : List.of(nested, serialized)) {
            Guarded.Outcome<Object> outcome = Guarded.call(() -> codec.decode(forged));
            assertThat(outcome.thrown()).isInstanceOf(DecodingException.class)
                    .hasMessageContaining("malformed value").hasMessageContaining("captured value");
        }
    }
}

package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.function.SerializableCallable;
import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.testing.Guarded;
import java.io.ObjectInputFilter;
import java.lang.invoke.SerializedLambda;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
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
        int at = indexOf(bytes, name);
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
        missing[indexOf(missing, name) + name.length - 1] = 'Q'; // ...LambdaCodecTesQ

        assertThatThrownBy(() -> codec.decode(missing)).isInstanceOf(DecodingException.class)
                .hasMessageContaining("LambdaCodecTesQ is not on this JVM's class path");
        for (int cut = 1; cut < bytes.length; cut += 7) {
            byte[] shorter = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> codec.decode(shorter)).as("cut at %d", cut).isInstanceOf(DecodingException.class)
                    .hasMessageContaining("malformed value");
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

    private static int indexOf(byte[] haystack, byte[] needle) {
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

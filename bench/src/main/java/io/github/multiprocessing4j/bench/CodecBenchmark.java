package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.function.SerializableFunction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What it costs to send a value to another JVM and back through the standard codec: an encode and a
 * decode of each kind of value a pool moves (a boxed int argument, a string, an {@code int[1000]} argument,
 * a serializable lambda), beside the baseline of plain Java serialization of the same value. The
 * {@code int[1000]} takes the codec's packed-array path; a {@code map} chunk (a list of ints) travels by
 * the pool's own list encoding instead, which is not measured here.
 *
 * <pre>
 * ./mvnw -q package -DskipTests -pl bench -am
 * # with the JDK 25 that ./mvnw uses: an older default java cannot load the classes
 * bash -c 'source scripts/find-jdk.sh &amp;&amp; exec "$JAVA_HOME/bin/java" -jar bench/target/benchmarks.jar CodecBenchmark'
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {

    @Param({"int", "string", "int[1000]", "lambda"})
    public String value;

    @Param({"standard", "java-serialization"})
    public String codec;

    private Object payload;
    private byte[] encoded;

    @Setup
    public void setUp() throws IOException {
        int offset = 7;
        SerializableFunction<Integer, Integer> lambda = x -> x + offset;
        payload = switch (value) {
            case "int" -> 123_456;
            case "string" -> "a moderately short string argument";
            case "int[1000]" -> new int[1000];
            default -> lambda;
        };
        encoded = encode();
    }

    @Benchmark
    public byte[] encode() throws IOException {
        if (codec.equals("standard")) {
            return Codec.standard().encode(payload);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(payload);
        }
        return bytes.toByteArray();
    }

    @Benchmark
    public Object decode() throws IOException, ClassNotFoundException {
        if (codec.equals("standard")) {
            return Codec.standard().decode(encoded);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(encoded))) {
            return in.readObject();
        }
    }
}

package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.function.SerializableCallable;
import io.github.multiprocessing4j.function.SerializableFunction;
import java.util.ArrayList;
import java.util.List;
import org.example.Tasks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lambdas as a pool's values, not its tasks: arguments, items of a map and results, which travel through the same
 * codec as tasks (a lambda that captures plain values as its form, see LambdaCodec), both ways between the JVMs.
 */
class LambdaValuesTest {

    @Test
    @Timeout(120)
    void lambdasAsArguments_items_andResults_travelBothWays() throws Exception {
        String suffix = "!";
        char mark = '#';
        SerializableFunction<SerializableCallable<String>, String> callIt = c -> {
            try {
                return c.call() + suffix;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        SerializableFunction<Integer, SerializableCallable<String>> makeOne = n -> () -> mark + "result " + n;
        try (ProcessPool pool = ProcessPool.create(1)) {
            assertThat(pool.apply(callIt, Tasks.greeting("argument"))).isEqualTo("hello argument!");
            assertThat(pool.map(callIt, List.of(Tasks.greeting("a"), () -> "plain", Tasks.greeting("b"))))
                    .containsExactly("hello a!", "plain!", "hello b!");
            List<String> results = new ArrayList<>();
            for (SerializableCallable<String> result : pool.map(makeOne, List.of(1, 2))) {
                results.add(result.call());
            }
            assertThat(results).containsExactly("#result 1", "#result 2");
            assertThat(pool.apply(makeOne, 3).call()).isEqualTo("#result 3");
        }
    }
}

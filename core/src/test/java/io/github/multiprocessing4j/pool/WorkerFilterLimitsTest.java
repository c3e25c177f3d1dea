package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.pool.fixtures.LimitingFilterFactory;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * A worker given limits in its {@code mp4j.serialFilter} applies them to the values of the codec's fast path (a
 * primitive array, say) as to Java-serialized ones: a value past them is refused with the filter's error, and the
 * worker goes on with the next task.
 */
class WorkerFilterLimitsTest {

    @Test
    void aWorkerGivenMaxarray_refusesALongerArrayArgument_withTheFiltersError_andServesTheNextTask() throws Exception {
        SerializableFunction<int[], Integer> length = a -> a.length;
        try (ProcessPool pool = ProcessPool.builder().processes(1)
                .jvmOptions(List.of("-Dmp4j.serialFilter=maxarray=1000")).build()) {
            assertThatThrownBy(() -> pool.apply(length, new int[5000])).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(DecodingException.class)
                    .hasMessageStartingWith("the value is refused by a limit of the deserialization filter (")
                    .hasMessageContaining("an array of 5000");
            assertThat(pool.apply(length, new int[1000])).isEqualTo(1000);
        }
    }

    @Test
    void aWorkerWhoseFilterFactoryLimitsArrays_refusesALongerArrayArgument_asAStreamWouldBe() throws Exception {
        SerializableFunction<int[], Integer> length = a -> a.length;
        try (ProcessPool pool = ProcessPool.builder().processes(1)
                .jvmOptions(List.of("-Djdk.serialFilterFactory=" + LimitingFilterFactory.class.getName())).build()) {
            assertThatThrownBy(() -> pool.apply(length, new int[5000])).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(DecodingException.class)
                    .hasMessageStartingWith("the value is refused by a limit of the deserialization filter (")
                    .hasMessageContaining("an array of 5000").hasMessageContaining("filter factory");
            assertThat(pool.apply(length, new int[1000])).isEqualTo(1000);
        }
    }
}

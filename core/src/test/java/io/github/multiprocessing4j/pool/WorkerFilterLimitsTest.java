package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.pool.fixtures.LimitedParentMapMain;
import io.github.multiprocessing4j.pool.fixtures.LimitingFilterFactory;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.TestJvm;
import java.util.ArrayList;
import java.util.Collections;
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

    /** An argument and result that takes no fast path: a chunk of them travels as one stream of an Object[]. */
    record Point(int x, int y) implements java.io.Serializable {
    }

    @Test
    void aWorkerGivenMaxarray_mapsAChunkOfMoreRecordsThanMaxarray_whoseArrayIsTheLibrarysNotTheUsers() throws Exception {
        SerializableFunction<Point, Point> mirror = p -> new Point(p.y(), p.x());
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            points.add(new Point(i, -i));
        }
        try (ProcessPool pool = ProcessPool.builder().processes(1)
                .jvmOptions(List.of("-Dmp4j.serialFilter=maxarray=1000")).build()) {
            List<Point> mirrored = pool.map(mirror, points, 3000); // one chunk of 3000
            assertThat(mirrored).hasSize(3000).startsWith(new Point(0, 0), new Point(-1, 1)).endsWith(new Point(-2999, 2999));
            // an array of the user's in an item is still judged
            SerializableFunction<List<String>, Integer> size = List::size;
            List<List<String>> lists = List.of(List.of("a"), new ArrayList<>(Collections.nCopies(5000, "s")));
            assertThatThrownBy(() -> pool.map(size, lists, 2)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(DecodingException.class)
                    .hasMessageStartingWith("the value is refused by a limit of the deserialization filter (")
                    .hasMessageContaining("an array of 5000");
        }
    }

    @Test
    void aParentGivenMaxarray_readsBackAChunkOfMoreRecordsThanMaxarray() throws Exception {
        try (TestJvm parent = TestJvm.start(LimitedParentMapMain.class, List.of("-Dmp4j.serialFilter=maxarray=1000"),
                "3000")) {
            assertThat(parent.nextLine(Delays.seconds(60).toSeconds())).isEqualTo("RESULTS 3000 "
                    + new LimitedParentMapMain.Square(0, 0) + " " + new LimitedParentMapMain.Square(2999, 2999L * 2999));
        }
    }

    @Test
    void aWorkerGivenMaxrefs_refusesAChunkThatGoesPastThem_sayingThatTheChunkWasCounted_andServesItAlone() throws Exception {
        SerializableFunction<Point, Integer> sum = p -> p.x() + p.y();
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            points.add(new Point(i, 1));
        }
        try (ProcessPool pool = ProcessPool.builder().processes(1)
                .jvmOptions(List.of("-Dmp4j.serialFilter=maxrefs=100")).build()) {
            assertThatThrownBy(() -> pool.map(sum, points, 500)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(DecodingException.class)
                    .hasMessageStartingWith("the value is refused by a limit of the deserialization filter (")
                    .hasMessageContaining("a chunk of 500 items").hasMessageContaining("chunkSize");
            assertThat(pool.map(sum, points.subList(0, 10), 1)).isEqualTo(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        }
    }

    @Test
    void aWorkerWhoseFilterFactoryLimitsArrays_refusesAChunkOfMoreRecords_sayingThatTheFactoryJudgedTheChunk()
            throws Exception {
        // the filter a factory makes sees the chunk's stream as it is, its Object[] of 3000 too: what it refuses
        SerializableFunction<Point, Integer> sum = p -> p.x() + p.y();
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            points.add(new Point(i, 1));
        }
        try (ProcessPool pool = ProcessPool.builder().processes(1)
                .jvmOptions(List.of("-Djdk.serialFilterFactory=" + LimitingFilterFactory.class.getName())).build()) {
            assertThatThrownBy(() -> pool.map(sum, points, 3000)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(DecodingException.class)
                    .hasMessageContaining("-Djdk.serialFilterFactory=" + LimitingFilterFactory.class.getName())
                    .hasMessageContaining("a chunk of 3000 items").hasMessageContaining("chunkSize");
            assertThat(pool.map(sum, points.subList(0, 1000), 1000)).hasSize(1000).startsWith(1, 2);
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

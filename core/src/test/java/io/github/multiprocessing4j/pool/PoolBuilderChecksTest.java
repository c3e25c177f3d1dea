package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The pool builders' checks of a name, made at the setter, before any thread or process starts. */
class PoolBuilderChecksTest {

    @Test
    void aBlankName_isRefusedByTheSetter_asJvmProcessRefusesIt() {
        // Each was taken: a process pool's workers were named "-1", "-2" (JvmProcess.current().name() in a worker),
        // a thread pool's threads "  -1", where JvmProcess.builder().name("") fails at the setter.
        List<Consumer<String>> setters = List.of(
                name -> ProcessPool.builder().name(name),
                name -> ThreadPool.builder().name(name),
                name -> VirtualThreadPool.builder().name(name));
        for (Consumer<String> setter : setters) {
            for (String name : List.of("", "  ", "\t")) {
                assertThatThrownBy(() -> setter.accept(name)).as("'%s'", name)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
            }
            assertThatThrownBy(() -> setter.accept(null)).isInstanceOf(NullPointerException.class);
        }
    }
}

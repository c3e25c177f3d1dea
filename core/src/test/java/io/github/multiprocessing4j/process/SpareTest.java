package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.launch.SpareJvms;
import io.github.multiprocessing4j.testing.Delays;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class SpareTest {

    @Test
    void theNextStart_takesOverTheWarmSpare_andANewSpareBoots() throws Exception {
        try (JvmProcess first = JvmProcess.start("first", () -> { })) {
            first.join();
        }
        long spare = awaitSpare(-1);
        try (JvmProcess second = JvmProcess.start("second", () -> { })) {
            assertThat(second.pid()).as("the spare runs the task").isEqualTo(spare);
            second.join();
            assertThat(second.exitCode()).hasValue(0);
        }
        long next = awaitSpare(spare);
        assertThat(next).isNotEqualTo(spare);
        assertThat(ProcessHandle.of(next)).isPresent();
    }

    @Test
    void aSpareThatDiedWhileIdle_isReplacedByAFreshChild() throws Exception {
        try (JvmProcess first = JvmProcess.start("first", () -> { })) {
            first.join();
        }
        long spare = awaitSpare(-1);
        ProcessHandle.of(spare).orElseThrow().destroyForcibly();
        Awaitility.await().atMost(Delays.seconds(10)).until(() -> ProcessHandle.of(spare).isEmpty());
        try (JvmProcess next = JvmProcess.start("after-spare-died", () -> System.exit(7))) {
            next.join();
            assertThat(next.pid()).isNotEqualTo(spare);
            assertThat(next.exitCode()).hasValue(7);
        }
    }

    private static long awaitSpare(long other) {
        return Awaitility.await().atMost(Delays.seconds(30))
                .until(() -> SpareJvms.get().sparePid(), pid -> pid > 0 && pid != other);
    }
}

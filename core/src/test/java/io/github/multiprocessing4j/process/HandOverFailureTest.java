package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.internal.launch.SpareJvms;
import io.github.multiprocessing4j.testing.Delays;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A child that connected back, and whose start then fails before it is given its task, must not be left waiting for
 * that task: it waits for its first frame without a limit (a spare must), for as long as its parent lives.
 */
class HandOverFailureTest {

    @Test
    void aStartThatThrowsAnErrorHandingTheTaskToAConnectedChild_killsThatChild() throws Exception {
        // A StackOverflowError or OutOfMemoryError in the send of the task (start() called deep in a stack) left the
        // child alive, connected and waiting for its task, until this JVM exited.
        String marker = "-Dmp4j.test.handOver=" + UUID.randomUUID();
        System.setProperty("mp4j.directStart", "false"); // a fresh child that connects back, not one given its task
        SpareJvms.get().enabled(false); // and no spare of the same options booted after it
        SpareJvms.get().closeSpare();
        JvmProcessImpl.failNextHandOver(new StackOverflowError("a test's"));
        try {
            assertThatThrownBy(() -> JvmProcess.builder().name("hand-over").jvmOptions(List.of(marker))
                    .task(() -> { }).start())
                    .isInstanceOf(StackOverflowError.class).hasMessage("a test's");
            Awaitility.await("the connected child is killed").atMost(Delays.seconds(60))
                    .until(() -> childrenWith(marker).isEmpty());
        } finally {
            JvmProcessImpl.failNextHandOver(null);
            System.clearProperty("mp4j.directStart");
            SpareJvms.get().enabled(true);
            childrenWith(marker).forEach(ProcessHandle::destroyForcibly);
        }
        assertThat(JvmProcess.start("after", () -> System.exit(4)).join(Delays.seconds(60))).isTrue();
    }

    private static List<ProcessHandle> childrenWith(String marker) {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false)).toList();
    }
}

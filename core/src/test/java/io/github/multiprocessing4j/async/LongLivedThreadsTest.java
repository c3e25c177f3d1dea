package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.TestJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The package's own threads live as long as the JVM: they must not pin what their first user had. */
class LongLivedThreadsTest {

    @Test
    void theTimerAndTheDeadlineThread_keepNothingOfTheThreadThatStartedThem() throws Exception {
        try (TestJvm jvm = TestJvm.start(InheritedContextProbeMain.class, List.of())) {
            assertThat(jvm.nextLine(30)).isEqualTo("the deadline cancelled a running task: true");
            // Before the fix both threads inherited the owner's inheritable thread-locals and its context class
            // loader (a web application's, say), and kept them for the life of the JVM.
            assertThat(jvm.nextLine(30)).isEqualTo("inheritable thread-local value kept: false");
            assertThat(jvm.nextLine(30)).isEqualTo("context class loader kept: false");
        }
    }
}

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

    @Test
    void theTimerAndTheDeadlineThread_runAtTheNormalPriority_inTheLibrarysGroup_whoeverStartedThem() throws Exception {
        // Made by the thread whose first deadline started them (a background request's, at the lowest priority), the
        // timer thread had its group and its priority, and the deadline thread, made by the timer's, had them in
        // turn: every sleep and deadline of the JVM then ran at that thread's priority (where the OS honours them)
        try (TestJvm jvm = TestJvm.start(FirstMadeThreadsMain.class, List.of())) {
            assertThat(jvm.nextLineStartingWith("TIMER ", 60)).isEqualTo("TIMER 5 mp4j");
            assertThat(jvm.nextLineStartingWith("DEADLINES ", 60)).isEqualTo("DEADLINES 5 mp4j");
        }
    }
}

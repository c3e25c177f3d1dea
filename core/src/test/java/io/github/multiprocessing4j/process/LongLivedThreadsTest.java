package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.process.fixtures.InheritedContextJvmProcessMain;
import io.github.multiprocessing4j.process.fixtures.InheritedContextOpenPoolMain;
import io.github.multiprocessing4j.process.fixtures.InheritedContextReportReaderMain;
import io.github.multiprocessing4j.testing.TestJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Threads the library starts for child JVMs and commands may outlive the call: they must not pin its context. */
class LongLivedThreadsTest {

    @Test
    void theThreadsOfTheFirstChildPoolAndCommand_keepNothingOfTheThreadThatStartedThem() throws Exception {
        try (TestJvm jvm = TestJvm.start(InheritedContextJvmProcessMain.class, List.of())) {
            assertThat(jvm.nextLine(60)).isEqualTo("ready");
            assertThat(jvm.nextLine(30)).isEqualTo("inheritable thread-local value kept: false");
            assertThat(jvm.nextLine(30)).isEqualTo("context class loader kept: false");
        }
    }

    @Test
    void theReaderOfAConnectedChildsReport_keepsNoInheritableThreadLocalOfTheCaller_whileTheChildRuns() throws Exception {
        // The reader lives as long as the child: it inherited the caller's inheritable thread-locals, and kept their
        // values for all that time. It keeps the caller's context class loader, which decodes the failure.
        try (TestJvm jvm = TestJvm.start(InheritedContextReportReaderMain.class, List.of("-Dmp4j.directStart=false"))) {
            assertThat(jvm.nextLine(60)).isEqualTo("inheritable thread-local value kept: false");
            assertThat(jvm.nextLine(30)).isEqualTo("context class loader kept: true");
            assertThat(jvm.nextLineStartingWith("FAILURE ", 60))
                    .isEqualTo("FAILURE java.lang.IllegalStateException: the task's own");
        }
    }

    @Test
    void theThreadsOfAnOpenProcessPool_keepNoInheritableThreadLocalOfTheThreadThatBuiltIt() throws Exception {
        // Its workers' readers, exit watches and writers live as long as the pool: they inherited the builder's
        // inheritable thread-locals, and kept their values for all that time. The readers and exit watches keep its
        // context class loader, which decodes results there and which the callbacks run there may need.
        try (TestJvm jvm = TestJvm.start(InheritedContextOpenPoolMain.class, List.of())) {
            assertThat(jvm.nextLine(60)).isEqualTo("inheritable thread-local value kept: false");
            assertThat(jvm.nextLine(30)).isEqualTo("context class loader kept: true");
            assertThat(jvm.nextLineStartingWith("RESULT ", 60)).isEqualTo("RESULT 42");
        }
    }
}

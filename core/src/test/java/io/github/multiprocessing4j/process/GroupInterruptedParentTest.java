package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.process.fixtures.GroupInterruptedParentMain;
import io.github.multiprocessing4j.process.fixtures.GroupInterruptedReportMain;
import io.github.multiprocessing4j.testing.TestJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A program that interrupts every thread of its group (ThreadGroup.interrupt(), as some frameworks do when they
 * stop). Run in a JVM of its own: in the test JVM it would interrupt the test runner's threads.
 */
class GroupInterruptedParentTest {

    @Test
    void aParentThatInterruptsEveryThreadOfItsGroup_canStillStartChildren() throws Exception {
        // The interrupt reached the thread that accepts the children's connections (started in the group of the
        // thread that started the first child): its accept closed the socket, and every later start in the JVM
        // failed, the child exiting with "Connection refused".
        try (TestJvm jvm = TestJvm.start(GroupInterruptedParentMain.class, List.of())) {
            assertThat(jvm.nextLineStartingWith("FIRST ", 60)).isEqualTo("FIRST OptionalInt[0]");
            assertThat(jvm.nextLineStartingWith("SECOND ", 60)).isEqualTo("SECOND OptionalInt[0]");
        }
    }

    @Test
    void theReportOfAChildThatConnectedBack_isRead_thoughItsParentInterruptsEveryThreadOfItsGroup() throws Exception {
        // The reader of the report was a platform thread in the group of the thread that started the child: the
        // interrupt closed the connection it read, and failure() was empty, as for a child that died without a report.
        try (TestJvm jvm = TestJvm.start(GroupInterruptedReportMain.class, List.of("-Dmp4j.directStart=false"))) {
            assertThat(jvm.nextLineStartingWith("FAILURE ", 60))
                    .isEqualTo("FAILURE java.lang.IllegalStateException: the task's own");
        }
    }
}

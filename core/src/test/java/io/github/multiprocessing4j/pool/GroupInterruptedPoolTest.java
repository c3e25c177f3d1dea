package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.pool.fixtures.GroupInterruptedImapMain;
import io.github.multiprocessing4j.pool.fixtures.GroupInterruptedPoolMain;
import io.github.multiprocessing4j.pool.fixtures.GroupInterruptedTimeoutMain;
import io.github.multiprocessing4j.pool.fixtures.LowPriorityBuilderPoolMain;
import io.github.multiprocessing4j.testing.TestJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A program that interrupts every thread of its group (ThreadGroup.interrupt(), as some frameworks do when they
 * stop) while its process pool runs. Run in a JVM of its own: in the test JVM it would interrupt the test runner's
 * threads.
 */
class GroupInterruptedPoolTest {

    @Test
    void aRunningTask_deliversItsResult_thoughThePoolsOwnerInterruptsEveryThreadOfItsGroup() throws Exception {
        // The worker's reader was a thread in the group of the thread that built the pool: the interrupt reached its
        // read, which closed the worker's connection, and the task failed as if its worker had died.
        try (TestJvm jvm = TestJvm.start(GroupInterruptedPoolMain.class, List.of())) {
            assertThat(jvm.nextLineStartingWith("RESULT ", 90)).isEqualTo("RESULT the task's own");
        }
    }

    @Test
    void anImapOfAPlatformThread_readsItsInput_thoughItsOwnerInterruptsEveryThreadOfItsGroup() throws Exception {
        // The feeder, which reads the input, was a platform thread in the caller's group since c93a676 (a virtual
        // one is in none of the program's): the interrupt reached the input's wait, and the iteration ended with
        // 'the input failed after 1 elements: java.lang.IllegalStateException: the input was interrupted'.
        try (TestJvm jvm = TestJvm.start(GroupInterruptedImapMain.class, List.of())) {
            assertThat(jvm.nextLineStartingWith("RESULTS ", 60)).isEqualTo("RESULTS [2, 4]");
        }
    }

    @Test
    void aCallbackOfATaskThatTimedOut_runsOn_thoughTheGroupOfTheThreadThatBuiltTheFirstTimedPoolIsInterrupted()
            throws Exception {
        // The pool timer's threads, JVM-wide, were made in the group of the thread that first scheduled a timeout (a
        // request's), and so were the threads that run its timeouts: the program's interrupt of that group reached
        // the callbacks that a timeout runs, and the kill of a hung worker, the retry of a replacement's boot.
        try (TestJvm jvm = TestJvm.start(GroupInterruptedTimeoutMain.class, List.of())) {
            assertThat(jvm.nextLineStartingWith("RESULT ", 90)).isEqualTo("RESULT waited");
        }
    }

    @Test
    void theThreadsOfAWorker_runAtTheNormalPriority_inTheLibrarysGroup_thoughALowPriorityThreadBuiltThePool()
            throws Exception {
        // The reader and the exit watch were made by the builder, the writer by the boot thread that the builder made:
        // all three had the builder's priority (a background request's, the lowest) for as long as the worker lived
        try (TestJvm jvm = TestJvm.start(LowPriorityBuilderPoolMain.class, List.of())) {
            assertThat(jvm.nextLineStartingWith("RESULT ", 90)).isEqualTo("RESULT 42");
            assertThat(jvm.nextLineStartingWith("THREADS ", 30)).isEqualTo("THREADS mp4j-pool-exit 5 mp4j, "
                    + "mp4j-pool-reader 5 mp4j, mp4j-pool-writer 5 mp4j");
        }
    }
}

package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.TestJvm;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The threads on which a pool timer's actions run when they fire. */
class PoolTimerActionsTest {

    @Test
    void manyActionsDueAtOnce_shareTheirThreads_ratherThanMakingOneEach() throws Exception {
        // Twenty thousand timeouts due at once (a VirtualThreadPool's calls to a service that hangs) fired seconds
        // late when the timer's thread made a platform thread for each. Short actions, so a thread is free again long
        // before the timer has handed out a thousand: made one each, there are as many threads as actions.
        int actions = 1000;
        PoolTimer timer = PoolTimer.onFirstUse();
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch fired = new CountDownLatch(actions);
        try {
            for (int i = 0; i < actions; i++) {
                timer.schedule(() -> {
                    threads.add(Thread.currentThread());
                    fired.countDown();
                }, TimeUnit.MILLISECONDS.toNanos(200));
            }
            assertThat(fired.await(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isTrue();
        } finally {
            timer.shutdown();
        }
        assertThat(threads).allSatisfy(t -> {
            assertThat(t.isVirtual()).isFalse(); // see ThreadPoolTest's timeout under held carriers
            assertThat(t.isDaemon()).isTrue();
            assertThat(t.getName()).isEqualTo("mp4j-pool-timeout");
        });
        assertThat(threads.size()).as("threads for %d actions", actions).isLessThan(actions / 2);
    }

    @Test
    void theTimersThreads_keepNothingOfTheThreadThatMadeTheFirstTimer_neitherItsGroupNorItsPriority() throws Exception {
        // Made by the first thread that scheduled, the timer's thread had its group and its priority, and the threads
        // that run the actions of every pool of the JVM, made by a timer's thread, had them in turn: a background
        // thread's lowest priority slowed every pool's timeouts (where the OS honours priorities), and the program's
        // interrupt of that group reached them (GroupInterruptedPoolTest).
        try (TestJvm jvm = TestJvm.start(PoolTimerThreadsMain.class, List.of())) {
            assertThat(jvm.nextLineStartingWith("ACTION ", 60)).isEqualTo("ACTION 5 mp4j mp4j-pool-timeout");
            assertThat(jvm.nextLineStartingWith("TIMER ", 60)).isEqualTo("TIMER 5 mp4j mp4j-pool-timer");
        }
    }
}

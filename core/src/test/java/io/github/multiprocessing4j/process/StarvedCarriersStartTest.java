package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.Delays;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A child that dies before it starts its task fails its start at once, whatever this JVM's virtual threads do:
 * CPU-bound ones, as many as the carriers of the virtual-thread scheduler (which never preempts), hold every carrier
 * for as long as they run.
 */
class StarvedCarriersStartTest {

    @Test
    void aChildThatDiesBeforeItStarts_failsItsStartAtOnce_evenWhileVirtualThreadsHoldEveryCarrier() throws Exception {
        // Its death was seen by a virtual thread, which waited for a free carrier: the start waited out its connect
        // timeout (60 s), then said the child "did not start within 60 s (killed it)", a child that had exited at once.
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        AtomicBoolean release = new AtomicBoolean();
        long giveUp = System.nanoTime() + Delays.seconds(90).toNanos(); // never spin for good, whatever happens
        List<Thread> spinners = new ArrayList<>();
        try {
            for (int i = 0; i < carriers; i++) {
                spinners.add(Thread.ofVirtual().start(() -> {
                    while (!release.get() && System.nanoTime() - giveUp < 0) {
                        Thread.onSpinWait(); // CPU-bound: holds its carrier
                    }
                }));
            }
            FutureTask<JvmProcess> start = new FutureTask<>(() -> JvmProcess.builder().name("bad-options-starved")
                    .task(() -> { }).jvmOptions(List.of("-XX:+ThisOptionDoesNotExist")).start());
            Thread.ofPlatform().daemon().start(start);
            assertThatThrownBy(() -> start.get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOfSatisfying(ProcessStartException.class, e -> {
                        assertThat(e.exitCode()).hasValue(1);
                        assertThat(e.getMessage()).contains("before it started").contains("ThisOptionDoesNotExist");
                    });
            assertThat(spinners).allMatch(Thread::isAlive); // they held the carriers all along
        } finally {
            release.set(true);
            for (Thread spinner : spinners) {
                spinner.join();
            }
        }
    }
}

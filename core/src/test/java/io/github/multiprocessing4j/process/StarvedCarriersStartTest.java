package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.BusyCarriers;
import io.github.multiprocessing4j.testing.Delays;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
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
        try (BusyCarriers busy = BusyCarriers.all(Delays.seconds(90))) {
            FutureTask<JvmProcess> start = new FutureTask<>(() -> JvmProcess.builder().name("bad-options-starved")
                    .task(() -> { }).jvmOptions(List.of("-XX:+ThisOptionDoesNotExist")).start());
            Thread.ofPlatform().daemon().start(start);
            assertThatThrownBy(() -> start.get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOfSatisfying(ProcessStartException.class, e -> {
                        assertThat(e.exitCode()).hasValue(1);
                        assertThat(e.getMessage()).contains("before it started").contains("ThisOptionDoesNotExist");
                    });
            assertThat(busy.heldAllAlong()).as("the spinners held the carriers all along").isTrue();
        }
    }
}

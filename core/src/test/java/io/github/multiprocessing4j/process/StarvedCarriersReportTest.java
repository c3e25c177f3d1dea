package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.launch.SpareJvms;
import io.github.multiprocessing4j.testing.BusyCarriers;
import io.github.multiprocessing4j.testing.Delays;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a child that connected back is read whatever this JVM's virtual threads do: CPU-bound ones, as many
 * as the carriers of the virtual-thread scheduler (which never preempts), hold every carrier for as long as they run.
 */
class StarvedCarriersReportTest {

    @TempDir
    Path tmp;

    @Test
    void joinThenFailure_tellsWhatTheTaskThrew_evenWhileVirtualThreadsHoldEveryCarrier() throws Exception {
        String go = tmp.resolve("go").toString();
        System.setProperty("mp4j.directStart", "false"); // a child that connects back and reports on its connection
        SpareJvms.get().enabled(false);
        SpareJvms.get().closeSpare();
        try (JvmProcess child = JvmProcess.builder().name("starved-report").task(() -> {
            while (!Files.exists(Path.of(go))) {
                Thread.onSpinWait();
            }
            throw new IllegalStateException("the task's own");
        }).start()) {
            try (BusyCarriers busy = BusyCarriers.all(Delays.seconds(60))) {
                Files.createFile(Path.of(go)); // the task throws now, while the spinners hold the carriers
                assertThat(child.join(Delays.seconds(30))).isTrue();
                // the reader of the report, a virtual thread, waited for a carrier: join() gave up on the report
                // after 10 s, and failure() was empty, as for a child that died without reporting
                assertThat(child.failure()).get().isInstanceOf(IllegalStateException.class)
                        .extracting(Throwable::getMessage).isEqualTo("the task's own");
                assertThat(busy.heldAllAlong()).as("the spinners held the carriers all along").isTrue();
            }
        } finally {
            System.clearProperty("mp4j.directStart");
            SpareJvms.get().enabled(true);
        }
    }
}

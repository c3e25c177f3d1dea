package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The thread that keeps this JVM alive while a non-daemon child runs (as Python's non-daemon processes do) lives as
 * long as the child, and waits, after its exit, for its last output to be written: it must be none of the starting
 * thread's group, whose {@code ThreadGroup.interrupt()} would cut that wait short, nor run at its priority.
 */
class KeepAliveThreadTest {

    @Test
    void theKeepAliveOfANonDaemonChild_isInTheLibrarysGroup_atTheNormalPriority_whoeverStartedTheChild()
            throws Exception {
        ThreadGroup requests = new ThreadGroup("requests");
        AtomicReference<JvmProcess> started = new AtomicReference<>();
        Thread starter = Thread.ofPlatform().group(requests).priority(Thread.MIN_PRIORITY)
                .start(() -> started.set(JvmProcess.start("sleeper", () -> LockSupport.parkNanos(60_000_000_000L))));
        starter.join();
        try (JvmProcess child = started.get()) {
            String name = "mp4j-keepalive-" + child.pid();
            Thread keepAlive = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals(name)).findFirst().orElseThrow();

            assertThat(keepAlive.isDaemon()).as("keeps the JVM alive").isFalse();
            assertThat(keepAlive.getThreadGroup().getName()).isEqualTo("mp4j");
            assertThat(keepAlive.getPriority()).isEqualTo(Thread.NORM_PRIORITY);
        }
        assertThat(started.get().join(Duration.ofSeconds(30))).isTrue();
    }
}

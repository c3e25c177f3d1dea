package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The threads that live as long as a child (the keep-alive of a non-daemon child, as Python's non-daemon processes
 * keep their parent alive; the pumps of its stdout and stderr) are the library's: none of them is in the group of the
 * thread that started the child, whose {@code ThreadGroup.interrupt()} (a framework stopping) would reach them, nor
 * runs at its priority. Interrupted, the keep-alive cut short its wait for the child's last output after its exit,
 * and a pump spun, instead of parking, whenever it waited for the rest of a line.
 */
class ChildThreadsGroupTest {

    @Test
    void theThreadsOfAChild_areInTheLibrarysGroup_atTheNormalPriority_whoeverStartedIt() throws Exception {
        ThreadGroup requests = new ThreadGroup("requests");
        AtomicReference<JvmProcess> started = new AtomicReference<>();
        Thread starter = Thread.ofPlatform().group(requests).priority(Thread.MIN_PRIORITY)
                .start(() -> started.set(JvmProcess.start("sleeper", () -> LockSupport.parkNanos(60_000_000_000L))));
        starter.join();
        try (JvmProcess child = started.get()) {
            for (String kind : List.of("keepalive", "out", "err")) {
                String name = "mp4j-" + kind + "-" + child.pid();
                Thread thread = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().equals(name)).findFirst().orElseThrow();

                assertThat(thread.getThreadGroup().getName()).as(name).isEqualTo("mp4j");
                assertThat(thread.getPriority()).as(name).isEqualTo(Thread.NORM_PRIORITY);
                assertThat(thread.isDaemon()).as(name + " keeps the JVM alive").isEqualTo(!kind.equals("keepalive"));
            }
        }
        assertThat(started.get().join(Duration.ofSeconds(30))).isTrue();
    }
}

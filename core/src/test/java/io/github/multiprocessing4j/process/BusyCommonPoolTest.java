package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiprocessing4j.testing.BusyCommonPool;
import io.github.multiprocessing4j.testing.Delays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A child's death is seen from a full common ForkJoinPool too. The JDK completes {@code Process.onExit()}
 * there, so a start that waited for it without letting the pool add a thread (a plain lock or condition
 * wait instead of a {@code CompletableFuture} wait) would see a child that died at once only at the 60 s
 * connect timeout. (A process pool's own watch was hit by this: see ProcessPoolLifecycleTest.)
 */
class BusyCommonPoolTest {

    @Test
    void start_ofAChildThatDiesBeforeConnecting_failsPromptly_fromAFullCommonPool() throws Exception {
        try (BusyCommonPool busy = BusyCommonPool.allButOneThread()) {
            // the common pool's last thread starts the child, and waits for it there
            CompletableFuture<Throwable> start = CompletableFuture.supplyAsync(() -> catchThrowable(() ->
                    JvmProcess.builder().name("dies-at-once").task(() -> { })
                            .jvmOptions(List.of("-XX:+ThisOptionDoesNotExist")).start()));
            // the connect timeout is 60 s: a death seen only then would fail this wait
            Throwable failure = start.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS);
            assertThat(failure).isInstanceOf(ProcessStartException.class).hasMessageContaining("before it started");
        }
    }
}

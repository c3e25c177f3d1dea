package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.testing.Delays;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A start that fails once its child's process runs: the child must not outlive the failure. */
class ChildLauncherFailureTest {
    /** Long enough for a child, had it been left, to be seen alive still; the test waits less when it is gone. */
    private static final Duration GONE_WITHIN = Delays.seconds(20);

    @Test
    void aChildWhoseOutputPumpCannotStart_isKilled_andTheFailureThrown() {
        String marker = "mp4j.test.unpumped=" + System.nanoTime();
        LaunchSpec spec = new LaunchSpec(List.of("-D" + marker), new LinkedHashMap<>(), Map.of());
        OutOfMemoryError noThread = new OutOfMemoryError("unable to create native thread: possibly out of memory"
                + " or process/resource limits reached (a test's)");
        OutputPump.failNextStart(noThread);
        Throwable thrown;
        try {
            thrown = catchThrowable(() -> ChildLauncher.get().launch(spec));
        } finally {
            OutputPump.failNextStart(null);
        }
        assertThat(thrown).isSameAs(noThread);
        // It ran on, waiting for its boot record, with nobody to give it one or to end it
        try {
            Awaitility.await().atMost(GONE_WITHIN).alias("the child whose pump could not start is gone")
                    .until(() -> childWith(marker).isEmpty());
        } finally {
            childWith(marker).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aFreshChildWhoseWaitFailsOtherwiseThanAsDocumented_isKilled_andTheFailureThrown() {
        String marker = "mp4j.test.unawaited=" + System.nanoTime();
        LaunchSpec spec = new LaunchSpec(List.of("-D" + marker), new LinkedHashMap<>(), Map.of());
        AtomicReference<ChildJvm> launched = new AtomicReference<>();
        IllegalStateException failure = new IllegalStateException("a wait that failed (a test's)");
        Throwable thrown = catchThrowable(() -> SpareJvms.launchReady(() -> {
            ChildJvm child = ChildLauncher.get().launch(spec);
            launched.set(child);
            return child;
        }, child -> {
            child.awaitConnected(Delays.seconds(60)); // connected: it would wait for its task for good
            throw failure;
        }));
        assertThat(thrown).isSameAs(failure);
        ChildJvm child = launched.get();
        try {
            Awaitility.await().atMost(GONE_WITHIN).alias("the child whose wait failed is gone")
                    .until(() -> !child.process().isAlive());
        } finally {
            child.discard();
        }
    }

    @Test
    void aPoolReplacementWhoseOutputPumpCannotStart_countsAsAFailedStart_andTheNextReplacementRunsTheQueuedTask()
            throws Exception {
        ProcessPool pool = ProcessPool.builder().processes(1).maxTasksPerChild(1).build();
        try {
            // the next pump to start is the replacement's of the worker that retires after its one task
            OutputPump.failNextStart(new OutOfMemoryError("unable to create native thread (a test's)"));
            CompletableFuture<Integer> first = pool.applyAsync(x -> x + 1, 1);
            CompletableFuture<Integer> second = pool.applyAsync(x -> x + 1, 2);
            assertThat(first.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
            // The Error ended the replacement's boot thread with the boot still counted: no other replacement came,
            // and the task waited for good
            assertThat(second.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(3);
        } finally {
            OutputPump.failNextStart(null);
            pool.close();
        }
        assertThat(pool.isTerminated()).isTrue();
    }

    @Test
    void aPoolWhoseWorkerCannotStartItsOutputPump_failsToBuild_withThatError() {
        String marker = "mp4j.test.unpumpedWorker=" + System.nanoTime();
        OutOfMemoryError noThread = new OutOfMemoryError("unable to create native thread (a test's)");
        OutputPump.failNextStart(noThread);
        Throwable thrown;
        try {
            thrown = catchThrowable(() -> ProcessPool.builder().processes(1).jvmOptions(List.of("-D" + marker)).build());
        } finally {
            OutputPump.failNextStart(null);
        }
        // It was an IllegalStateException, which build() documents for an initializer that failed
        assertThat(thrown).isSameAs(noThread);
        Awaitility.await().atMost(GONE_WITHIN).alias("no worker left").until(() -> childWith(marker).isEmpty());
    }

    private static Optional<ProcessHandle> childWith(String marker) {
        return ProcessHandle.current().children()
                .filter(p -> p.info().commandLine().orElse("").contains(marker))
                .filter(ProcessHandle::isAlive)
                .findFirst();
    }
}

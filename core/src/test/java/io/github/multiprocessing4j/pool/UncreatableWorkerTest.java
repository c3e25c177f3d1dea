package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.multiprocessing4j.internal.launch.ChildLauncher;
import io.github.multiprocessing4j.process.ProcessStartException;
import io.github.multiprocessing4j.testing.Delays;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers whose process cannot even be created (the {@code java} executable is not executable: the JDK removed under
 * a running program; a process limit or a full file table fail the same call): at build(), and for a replacement.
 */
class UncreatableWorkerTest {
    @TempDir
    Path tmp;

    @Test
    void aPoolWhoseWorkersCannotBeCreated_failsToBuild_withAProcessStartException() throws Exception {
        Path java = notExecutableJava();
        ChildLauncher.javaForTests(java);
        ProcessStartException e;
        try {
            e = catchThrowableOfType(ProcessStartException.class, () -> ProcessPool.builder().processes(2).build());
        } finally {
            ChildLauncher.javaForTests(null);
        }
        // It was an UncheckedIOException, which the contract of build() does not name
        assertUncreatable(e, java);
    }

    @Test
    void aRecycledWorkerWhoseReplacementCannotBeCreated_breaksThePool_andTheQueuedTaskFailsWithWhy() throws Exception {
        Path java = notExecutableJava();
        ProcessPool pool = ProcessPool.builder().processes(1).maxTasksPerChild(1).build();
        try {
            ChildLauncher.javaForTests(java);
            CompletableFuture<Integer> first = pool.applyAsync(x -> x + 1, 1);
            CompletableFuture<Integer> second = pool.applyAsync(x -> x + 1, 2);
            assertThat(first.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
            // The worker retires after its one task; its replacements cannot be created
            ExecutionException failed = catchThrowableOfType(ExecutionException.class,
                    () -> second.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS));
            assertThat(failed.getCause()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the pool is broken");
            assertUncreatable((ProcessStartException) catchCause(failed.getCause()), java);
        } finally {
            ChildLauncher.javaForTests(null);
            pool.close();
        }
        assertThat(pool.awaitTermination(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aCrashedWorkerWhoseReplacementCannotBeCreated_breaksThePool_andTheQueuedTaskFailsWithWhy() throws Exception {
        Path java = notExecutableJava();
        ProcessPool pool = ProcessPool.builder().processes(1).build();
        try {
            ChildLauncher.javaForTests(java);
            CompletableFuture<Integer> crash = pool.applyAsync(x -> {
                Runtime.getRuntime().halt(7);
                return x;
            }, 1);
            CompletableFuture<Integer> next = pool.applyAsync(x -> x + 1, 2);
            ExecutionException crashed = catchThrowableOfType(ExecutionException.class,
                    () -> crash.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS));
            assertThat(crashed.getCause()).isInstanceOf(WorkerCrashedException.class);
            ExecutionException failed = catchThrowableOfType(ExecutionException.class,
                    () -> next.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS));
            assertThat(failed.getCause()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the pool is broken");
            assertUncreatable((ProcessStartException) catchCause(failed.getCause()), java);
        } finally {
            ChildLauncher.javaForTests(null);
            pool.close();
        }
        assertThat(pool.awaitTermination(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aReplacementThatFailsToStartForAMoment_isTriedAgainAfterAPause_andThePoolKeepsWorking() throws Exception {
        // Each worker the pool starts fails at once for half a second after the first attempt (a fork refused while
        // the process table is full, say), then starts: the three tries were immediate, and broke the pool for good
        Path java = javaThatFailsFor(500);
        ProcessPool pool = ProcessPool.builder().processes(1).maxTasksPerChild(1).build();
        try {
            ChildLauncher.javaForTests(java);
            CompletableFuture<Integer> first = pool.applyAsync(x -> x + 1, 1);
            CompletableFuture<Integer> second = pool.applyAsync(x -> x + 1, 2);
            assertThat(first.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
            // The worker retires after its one task; its replacement fails to start, and a later try succeeds
            assertThat(second.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(3);
            assertThat(Files.exists(tmp.resolve("failed-once"))).as("a replacement failed to start").isTrue();
            assertThat(pool.isShutdown()).isFalse();
            int third = pool.apply(x -> x + 1, 3);
            assertThat(third).isEqualTo(4);
        } finally {
            ChildLauncher.javaForTests(null);
            pool.close();
        }
        assertThat(pool.awaitTermination(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void replacementsThatFailToStartTogether_forAMoment_areEachTriedAgainAfterAPause_andThePoolKeepsWorking()
            throws Exception {
        // The first three starts fail (a fork refused for a moment, say), then every one succeeds. The three workers
        // retire together after their one task, and each of their replacements fails once: the three failures of
        // different replacements counted as three in a row, and broke the pool at once, with no pause
        Path java = javaThatFailsItsFirst(3);
        ProcessPool pool = ProcessPool.builder().processes(3).maxTasksPerChild(1).build();
        try {
            ChildLauncher.javaForTests(java);
            Path together = Files.createDirectory(tmp.resolve("together"));
            List<CompletableFuture<Integer>> firsts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                // one task for each worker (it takes one only); each ends once all three have begun
                firsts.add(pool.applyAsync(UncreatableWorkerTest::oneOfThreeTogether, together.toString()));
            }
            CompletableFuture<Integer> next = pool.applyAsync(x -> x + 1, 4);
            for (CompletableFuture<Integer> first : firsts) {
                assertThat(first.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
            }
            assertThat(next.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(5);
            assertThat(failedStarts()).as("starts that failed").isEqualTo(3);
            assertThat(pool.isShutdown()).isFalse();
            int after = pool.apply(x -> x + 1, 5);
            assertThat(after).isEqualTo(6);
        } finally {
            ChildLauncher.javaForTests(null);
            pool.close();
        }
        assertThat(pool.awaitTermination(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    /** In a worker: says it has begun, in {@code dir}, and waits (up to a minute) until three tasks have. */
    private static int oneOfThreeTogether(String dir) {
        try {
            Files.createFile(Path.of(dir, "begun-" + ProcessHandle.current().pid()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                try (var begun = Files.list(Path.of(dir))) {
                    if (begun.count() >= 3) {
                        break;
                    }
                }
                Thread.sleep(10);
            }
            return 1;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private long failedStarts() throws IOException {
        try (var failed = Files.list(tmp).filter(p -> p.getFileName().toString().startsWith("failed-"))) {
            return failed.count();
        }
    }

    private static Throwable catchCause(Throwable t) {
        assertThat(t.getCause()).isInstanceOf(ProcessStartException.class);
        return t.getCause();
    }

    /** A {@code java} that exits at once, failing, for {@code millis} after it was first run, then is the real one. */
    private Path javaThatFailsFor(long millis) throws IOException {
        Path first = tmp.resolve("first-run");
        Path failed = tmp.resolve("failed-once");
        Path real = Path.of(System.getProperty("java.home"), "bin", "java");
        Path java = tmp.resolve("java-for-a-while");
        Files.writeString(java, """
                #!/bin/sh
                now=$(date +%%s%%3N)
                [ -f '%1$s' ] || echo "$now" > '%1$s'
                if [ $((now - $(cat '%1$s'))) -lt %2$d ]; then
                    touch '%3$s'
                    echo "cannot start now (a test's)" >&2
                    exit 1
                fi
                exec '%4$s' "$@"
                """.formatted(first, millis, failed, real));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        return java;
    }

    /** A {@code java} whose first {@code n} runs exit at once, failing (even runs at once), then the real one. */
    private Path javaThatFailsItsFirst(int n) throws IOException {
        Path real = Path.of(System.getProperty("java.home"), "bin", "java");
        Path java = tmp.resolve("java-failing-first");
        Files.writeString(java, """
                #!/bin/sh
                i=1
                while [ $i -le %2$d ]; do
                    if mkdir '%1$s'/failed-$i 2>/dev/null; then
                        echo "cannot start now (a test's)" >&2
                        exit 1
                    fi
                    i=$((i + 1))
                done
                exec '%3$s' "$@"
                """.formatted(tmp, n, real));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        return java;
    }

    private Path notExecutableJava() throws IOException {
        return Files.createFile(tmp.resolve("java"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
    }

    private static void assertUncreatable(ProcessStartException e, Path java) {
        assertThat(e).as("the failure of the start").isNotNull();
        assertThat(e.getMessage()).contains(java.toString()).contains("Permission denied");
        assertThat(e.getCause()).isInstanceOf(IOException.class);
        assertThat(e.pid()).isEqualTo(-1);
    }
}

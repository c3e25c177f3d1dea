package io.github.multiprocessing4j.pool;

import static io.github.multiprocessing4j.pool.ProcessPoolTest.append;
import static io.github.multiprocessing4j.pool.ProcessPoolTest.hangsOnceStarted;
import static io.github.multiprocessing4j.pool.ProcessPoolTest.sleepMillis;
import static io.github.multiprocessing4j.pool.ProcessPoolTest.waitingFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.pool.fixtures.ShutdownNowAfterOutcomesMain;
import io.github.multiprocessing4j.testing.BusyCommonPool;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.TestJvm;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a process pool's workers and the pool itself come to an end: kills at the deadline, close and join. */
class ProcessPoolLifecycleTest {

    @TempDir
    Path tmp;

    @Test
    void aRunningTaskCancelledWithoutInterrupt_isStillKilledAtItsTimeout_andItsWorkerReplaced() throws Exception {
        // The cancel must come between the task's start and its timeout. On a slow machine the timeout may
        // expire first (the task then fails with TaskTimeoutException and cannot be cancelled): that round proves
        // nothing, so it is tried again with a longer timeout.
        for (int round = 0; ; round++) {
            Duration timeout = Duration.ofSeconds(1L << (2 * round)); // 1, 4, 16 s
            String started = tmp.resolve("started-" + round).toString();
            ProcessPool pool = ProcessPool.builder().processes(1).taskTimeout(timeout).build();
            try {
                long worker = pool.workerPids().iterator().next();
                CompletableFuture<Integer> hung = pool.applyAsync(hangsOnceStarted(started), 1);
                Awaitility.await().atMost(Delays.seconds(30)).until(() -> Files.exists(Path.of(started)));
                if (!hung.cancel(false)) {
                    assertThat(hung).as("a task that could not be cancelled").failsWithin(Delays.seconds(30))
                            .withThrowableOfType(ExecutionException.class).havingCause()
                            .isInstanceOf(TaskTimeoutException.class);
                    assertThat(round).as("rounds whose timeout expired before the cancel").isLessThan(2);
                    continue;
                }
                CompletableFuture<Integer> next = pool.applyAsync(x -> x + 1, 1);
                assertThat(next.get(Delays.seconds(30).toMillis() + timeout.toMillis(), TimeUnit.MILLISECONDS))
                        .as("a task queued behind the cancelled one, which ran past its timeout").isEqualTo(2);
                assertThat(ProcessHandle.of(worker)).as("the worker that ran past the timeout").isEmpty();
                return;
            } finally {
                pool.terminate();
            }
        }
    }

    @Test
    void close_inACallbackRunByCancelOfARunningTask_returns_sinceItsWorkerIsKilledFirst() throws Exception {
        String applied = tmp.resolve("started-apply").toString();
        closeInACallbackRunByCancel(applied, pool -> pool.applyAsync(hangsOnceStarted(applied), 1));
        String submitted = tmp.resolve("started-submit").toString();
        closeInACallbackRunByCancel(submitted, pool -> pool.submit((Runnable & Serializable) () -> {
            append(submitted, "yes");
            sleepMillis(600_000);
        }, "result"));
        String mapped = tmp.resolve("started-map").toString();
        closeInACallbackRunByCancel(mapped, pool -> pool.mapAsync(hangsOnceStarted(mapped), List.of(1), 1));
    }

    private void closeInACallbackRunByCancel(String started, Function<ProcessPool, CompletableFuture<?>> submit)
            throws Exception {
        ProcessPool pool = ProcessPool.create(1);
        try {
            CompletableFuture<?> hung = submit.apply(pool);
            CompletableFuture<String> closing = hung.handle((r, e) -> {
                pool.close(); // runs inside cancel(true), on the cancelling thread
                return String.valueOf(e);
            });
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> Files.exists(Path.of(started)));
            CompletableFuture<Boolean> cancel = CompletableFuture.supplyAsync(() -> hung.cancel(true),
                    r -> Thread.ofPlatform().daemon().start(r));
            assertThat(cancel.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(closing.getNow("not run")).contains("CancellationException");
            assertThat(hung.isCancelled()).isTrue();
            assertThat(pool.isTerminated()).isTrue();
        } finally {
            pool.terminate();
        }
    }

    @Test
    void cancelWithInterrupt_ofAMapAsyncWhoseChunksRunOnSeveralWorkers_killsThemAll_beforeItsCallbacksRun()
            throws Exception {
        String started = tmp.resolve("started-chunks").toString();
        ProcessPool pool = ProcessPool.create(2);
        try {
            java.util.Set<Long> workers = pool.workerPids();
            CompletableFuture<List<Integer>> all = pool.mapAsync(x -> {
                append(started, "chunk " + x);
                return sleepMillis(600_000);
            }, List.of(1, 2), 1);
            CompletableFuture<String> closing = all.handle((r, e) -> {
                pool.close(); // runs inside cancel(true): both chunks' workers must be gone by then
                return String.valueOf(e);
            });
            Awaitility.await().atMost(Delays.seconds(30))
                    .until(() -> Files.exists(Path.of(started)) && Files.readAllLines(Path.of(started)).size() == 2);
            CompletableFuture<Boolean> cancel = CompletableFuture.supplyAsync(() -> all.cancel(true),
                    r -> Thread.ofPlatform().daemon().start(r));
            assertThat(cancel.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(closing.getNow("not run")).contains("CancellationException");
            assertThat(all.isCancelled()).isTrue();
            assertThat(pool.isTerminated()).isTrue();
            for (long pid : workers) {
                assertThat(ProcessHandle.of(pid)).as("worker " + pid).isEmpty();
            }
        } finally {
            pool.terminate();
        }
    }

    @Test
    void cancelWithInterrupt_afterACancelWithout_returnsTrue_andStillKillsTheWorkerRunningTheTask() throws Exception {
        String started = tmp.resolve("started-twice").toString();
        ProcessPool pool = ProcessPool.create(1);
        try {
            long worker = pool.workerPids().iterator().next();
            CompletableFuture<Integer> hung = pool.applyAsync(hangsOnceStarted(started), 1);
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> Files.exists(Path.of(started)));
            assertThat(hung.cancel(false)).isTrue();
            assertThat(hung.cancel(true)).as("cancel of a cancelled CompletableFuture, as a thread pool's").isTrue();
            assertThat(hung.isCancelled()).isTrue();
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> ProcessHandle.of(worker).isEmpty());
        } finally {
            pool.terminate();
        }
    }

    @Test
    void shutdownNow_afterTheWorkerAnsweredTasksItTakesBack_logsNoProtocolViolation() throws Exception {
        // Outcomes of tasks that shutdownNow took off a worker's queue, sent before the worker was killed, were read as
        // frames "for no task running": each pool logged a WARNING that its worker broke the protocol.
        try (TestJvm parent = TestJvm.start(ShutdownNowAfterOutcomesMain.class, List.of(), tmp.toString())) {
            assertThat(parent.nextLineStartingWith("TERMINATED", 120)).isEqualTo("TERMINATED true");
            assertThat(parent.process().waitFor(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            parent.awaitOutputEnd(Duration.ofSeconds(30));
            assertThat(parent.stderr()).doesNotContain("protocol");
        }
    }

    @Test
    void anImapClosedEarlyOverHangingTasks_leavesThemToTheTimeout_soClosingThePoolReturns() throws Exception {
        ProcessPool pool = ProcessPool.builder().processes(2).taskTimeout(Duration.ofSeconds(1)).build();
        try {
            String started = tmp.resolve("started-imap").toString();
            ResultIterator<Integer> results = pool.imap(hangsOnceStarted(started), List.of(1, 2, 3, 4));
            // the first two run on the workers (a fixed pause could end before they started: then nothing hung)
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> Files.exists(Path.of(started))
                    && Files.readAllLines(Path.of(started)).size() >= 2);
            results.close(); // cancels the submitted tasks without interrupt, as Python's imap leaves them
            CompletableFuture<Void> closed = CompletableFuture.runAsync(pool::close, r -> Thread.ofPlatform().start(r));
            closed.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS);
            assertThat(pool.isTerminated()).isTrue();
        } finally {
            pool.terminate();
        }
    }

    @Test
    void closeOrJoin_inACallbackOnThePoolsResultThread_failsWithAClearError_insteadOfHanging() throws Exception {
        ProcessPool pool = ProcessPool.create(1);
        try {
            // The task waits for the gate, so that the callback is registered before the result arrives and runs
            // on the pool's result thread (registered later, it would run on this thread).
            Path gate = tmp.resolve("gate-close");
            CompletableFuture<Integer> closing = pool.applyAsync(waitingFor(gate, x -> x), 1).thenApply(r -> {
                pool.close();
                return r;
            });
            Files.createFile(gate);
            assertThat(closing).failsWithin(Delays.seconds(30)).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOf(IllegalStateException.class).withMessageContaining("thenApplyAsync");
            assertThat(pool.isShutdown()).as("shut down by the refused close()").isTrue();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("terminated once the callback returned").isTrue();
        } finally {
            pool.terminate();
        }

        ProcessPool joined = ProcessPool.create(1);
        try {
            Path gate = tmp.resolve("gate-join");
            CompletableFuture<Integer> joining = joined.applyAsync(waitingFor(gate, x -> x), 1).thenApply(r -> {
                joined.shutdown();
                try {
                    joined.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                return r;
            });
            Files.createFile(gate);
            assertThat(joining).failsWithin(Delays.seconds(30)).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOf(IllegalStateException.class);
            assertThat(joined.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            joined.terminate();
        }
    }

    @Test
    void terminate_inACallbackOnThePoolsResultThread_killsTheWorkers_andReturnsWithoutWaitingForItself() throws Exception {
        ProcessPool pool = ProcessPool.create(1);
        try {
            long pid = pool.workerPids().iterator().next();
            Path gate = tmp.resolve("gate-terminate");
            CompletableFuture<Long> terminating = pool.applyAsync(waitingFor(gate, x -> x), 1).thenApply(r -> {
                long start = System.nanoTime();
                pool.terminate(); // this thread must handle the killed worker's end: it cannot wait for it
                return System.nanoTime() - start;
            });
            Files.createFile(gate);
            // terminate() waits up to 30 s for a pool that cannot terminate before it returns: far above this bound
            assertThat(Duration.ofNanos(terminating.get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS)))
                    .isLessThan(Delays.seconds(15));
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("terminated once the callback returned").isTrue();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("the worker was killed").isNotEqualTo(
                    java.util.Optional.of(true));
        } finally {
            pool.terminate();
        }
    }

    @Test
    void close_inACallbackOfATaskWhoseWorkerCrashed_waitsForThePool_sinceThatThreadReadsNoMore() throws Exception {
        ProcessPool pool = ProcessPool.create(1);
        try {
            // The worker dies running the task: its reader thread fails the future after taking the worker out of
            // the pool, and reads nothing more, so a callback there may wait for the pool (the replacement's end).
            Path gate = tmp.resolve("gate-crash");
            CompletableFuture<String> closing = pool.applyAsync(waitingFor(gate, x -> {
                Runtime.getRuntime().halt(3);
                return x;
            }), 1).handle((r, e) -> {
                String thread = Thread.currentThread().getName();
                pool.close();
                return thread + ": " + e;
            });
            Files.createFile(gate);
            // Whoever notices the death first fails the task (WorkerTurnover.workerExited): the worker's reader thread,
            // at the end of its stream, or, as 1 run in several on a loaded machine, the watch on its process
            assertThat(closing.get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS))
                    .containsPattern("^mp4j-pool-(reader|exit)-").contains(WorkerCrashedException.class.getSimpleName());
            assertThat(pool.isTerminated()).isTrue();
        } finally {
            pool.terminate();
        }
    }

    @Test
    void close_inACallbackOfATaskThatTimedOut_returns_sinceItsWorkerIsKilledFirst() throws Exception {
        ProcessPool pool = ProcessPool.builder().processes(1).taskTimeout(Duration.ofSeconds(1)).build();
        try {
            CompletableFuture<String> closing = pool.applyAsync(x -> sleepMillis(600_000), 1).handle((r, e) -> {
                pool.close(); // runs where the timeout fires: the hung worker must be on its way out already
                return String.valueOf(e);
            });
            assertThat(closing.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS))
                    .contains(TaskTimeoutException.class.getSimpleName());
            assertThat(pool.isTerminated()).isTrue();
        } finally {
            pool.terminate();
        }
    }

    @Test
    void close_returnsOnlyOnceTheFutureOfATaskWhoseWorkerDiedIsDone() throws Exception {
        // The last worker dies running the task: the pool terminated as soon as the worker's end was handled, and
        // the task's future failed only after that, so close() often returned with the future still pending (21
        // times in 30 before the fix). Found by ProcessPoolChaosTest.
        for (int round = 0; round < 8; round++) {
            ProcessPool pool = ProcessPool.create(1);
            try {
                CompletableFuture<Integer> crashing = pool.applyAsync(x -> {
                    Runtime.getRuntime().halt(7);
                    return x;
                }, round);
                pool.close();
                assertThat(crashing.isDone()).as("round %d: the crashed task's future once close() returned", round)
                        .isTrue();
                assertThat(crashing).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                        .havingCause().isInstanceOf(WorkerCrashedException.class);
            } finally {
                pool.terminate();
            }
        }
    }

    @Test
    void awaitTermination_isTrueOnlyOnceTheTasksThatTerminateCancelsAreDone() throws Exception {
        String started = tmp.resolve("started-terminate").toString();
        ProcessPool pool = ProcessPool.create(1);
        try {
            CompletableFuture<Integer> running = pool.applyAsync(hangsOnceStarted(started), 0);
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> Files.exists(Path.of(started)));
            List<CompletableFuture<Integer>> queued = new java.util.ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                queued.add(pool.applyAsync(x -> x, i));
            }
            // terminate() cancels the queued tasks one by one; the first one's callback holds it up while another
            // thread waits for the pool to terminate: it must not before the other two are cancelled as well.
            java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>(
                    "no callback ran");
            for (CompletableFuture<Integer> q : queued) {
                q.whenComplete((v, e) -> {
                    if (first.compareAndSet(false, true)) {
                        Thread observer = Thread.ofPlatform().start(() -> {
                            try {
                                boolean terminated = pool.awaitTermination(Delays.seconds(3).toMillis(), TimeUnit.MILLISECONDS);
                                long pending = queued.stream().filter(f -> !f.isDone()).count();
                                seen.set(terminated && pending > 0 ? "terminated with " + pending + " queued tasks not done"
                                        : "fine");
                            } catch (InterruptedException ex) {
                                seen.set(ex.toString());
                            }
                        });
                        try {
                            observer.join();
                        } catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
            }
            pool.terminate();
            assertThat(seen.get()).isEqualTo("fine");
            assertThat(pool.isTerminated()).isTrue();
            assertThat(running).isCancelled();
            assertThat(queued).allSatisfy(q -> assertThat(q).isCancelled());
        } finally {
            pool.terminate();
        }
    }

    /**
     * A runnable given to execute() and still in the pool's own queue when shutdownNow() comes never reached a
     * worker: it is listed as itself, as a ThreadPoolExecutor lists it, and runs where the caller runs it.
     */
    @Test
    void shutdownNow_listsARunnableGivenToExecuteThatNoWorkerHad_asItself() throws Exception {
        String started = tmp.resolve("started-pending").toString();
        String ran = tmp.resolve("ran-pending").toString();
        ProcessPool pool = ProcessPool.builder().processes(1).prefetch(0).build();
        try {
            CompletableFuture<Integer> running = pool.applyAsync(hangsOnceStarted(started), 0);
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> Files.exists(Path.of(started)));
            Runnable command = (Runnable & Serializable) () -> append(ran, "ran");
            pool.execute(command);
            List<Runnable> listed = pool.shutdownNow();
            assertThat(listed).hasSize(1);
            assertThat(listed.get(0)).isSameAs(command);
            assertThat(pool.awaitTermination(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(running).isCancelled();
            assertThat(Path.of(ran)).as("no worker ran it").doesNotExist();
            listed.get(0).run();
            assertThat(Files.readAllLines(Path.of(ran))).as("run once, here").containsExactly("ran");
        } finally {
            pool.terminate();
        }
    }

    /**
     * A runnable given to execute() but sent ahead to a worker (prefetch) may have run there just before the kill:
     * shutdownNow() lists a placeholder for it, not the runnable, which the caller could otherwise run twice.
     */
    @Test
    void shutdownNow_listsAPlaceholder_forARunnableGivenToExecuteThatWasSentAheadToAWorker() throws Exception {
        String gate = tmp.resolve("gate").toString();
        String started = tmp.resolve("started-prefetched").toString();
        String ran = tmp.resolve("ran-prefetched").toString();
        ProcessPool pool = ProcessPool.builder().processes(1).prefetch(1).build();
        try {
            // The worker is busy and silent while the first task waits for the gate: the next two wait in the pool's
            // queue, and both go to the worker with the first one's outcome, the second sent ahead behind the first.
            CompletableFuture<Integer> first = pool.applyAsync(waitingFor(Path.of(gate), x -> x), 0);
            CompletableFuture<Integer> hanging = pool.applyAsync(hangsOnceStarted(started), 1);
            Runnable command = (Runnable & Serializable) () -> append(ran, "ran");
            pool.execute(command);
            Files.writeString(Path.of(gate), "open");
            assertThat(first.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isZero();
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> Files.exists(Path.of(started)));

            List<Runnable> listed = pool.shutdownNow();
            assertThat(listed).hasSize(1);
            assertThat(listed.get(0)).as("a placeholder").isNotSameAs(command);
            assertThat(listed.get(0).toString()).as("the task, sent to the worker").contains("(RUN, on ");
            assertThat(catchThrowable(listed.get(0)::run)).isInstanceOf(CancellationException.class);
            assertThat(pool.awaitTermination(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(hanging).isCancelled();
            assertThat(Path.of(ran)).doesNotExist();
        } finally {
            pool.terminate();
        }
    }

    /**
     * A runnable given to execute() whose worker died running it waits in the pool's queue to run again
     * (retries): it has run, partly at least, so shutdownNow() lists a placeholder for it, not the runnable.
     */
    @Test
    void shutdownNow_listsAPlaceholder_forARunnableGivenToExecuteThatWaitsToRunAgainAfterItsWorkerDied()
            throws Exception {
        String bootedOnce = tmp.resolve("booted-once").toString();
        String ran = tmp.resolve("ran-crashed").toString();
        // The first worker boots; its replacement waits in the initializer until killed, so the task stays queued.
        SerializableRunnable init = () -> {
            if (Files.exists(Path.of(bootedOnce))) {
                sleepMillis(600_000);
            }
            append(bootedOnce, "booted");
        };
        ProcessPool pool = ProcessPool.builder().processes(1).retries(1).initializer(init).build();
        try {
            Runnable command = (Runnable & Serializable) () -> {
                append(ran, "ran");
                Runtime.getRuntime().halt(1);
            };
            pool.execute(command);
            Awaitility.await().atMost(Delays.seconds(30))
                    .until(() -> Files.exists(Path.of(ran)) && pool.workerPids().isEmpty());

            List<Runnable> listed = pool.shutdownNow();
            assertThat(listed).hasSize(1);
            assertThat(listed.get(0)).as("a placeholder").isNotSameAs(command);
            assertThat(catchThrowable(listed.get(0)::run)).isInstanceOf(CancellationException.class);
            assertThat(pool.awaitTermination(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(Files.readAllLines(Path.of(ran))).containsExactly("ran");
        } finally {
            pool.terminate();
        }
    }

    @Test
    void close_onACommonPoolThread_whileTheCommonPoolIsFull_stillSeesRecycledWorkersExit_andReturns() throws Exception {
        ProcessPool pool = ProcessPool.builder().processes(2).maxTasksPerChild(1).build();
        try {
            List<CompletableFuture<Integer>> tasks = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                tasks.add(pool.applyAsync(x -> x + 1, i));
            }
            // close() takes the common pool's last thread, so the common pool runs nothing else until close()
            // returns: the pool must notice its workers' exits without the common pool.
            try (BusyCommonPool busy = BusyCommonPool.allButOneThread()) {
                CompletableFuture<Void> closing = CompletableFuture.runAsync(pool::close);
                closing.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS);
            }
            assertThat(pool.isTerminated()).isTrue();
            for (int i = 0; i < 6; i++) {
                assertThat(tasks.get(i)).isCompletedWithValue(i + 1);
            }
        } finally {
            pool.terminate();
        }
    }
}

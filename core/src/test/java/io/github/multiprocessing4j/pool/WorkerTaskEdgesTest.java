package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.pool.fixtures.PoolParentMain;
import io.github.multiprocessing4j.process.RemoteTaskException;
import io.github.multiprocessing4j.testing.AssertingException;
import io.github.multiprocessing4j.testing.ChildProcesses;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.TestJvm;
import io.github.multiprocessing4j.testing.UnprintableException;
import io.github.multiprocessing4j.testing.UnreadableException;
import io.github.multiprocessing4j.testing.UnwritableException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** What a task may leave behind in a pool's worker, and how the worker and the pool cope. */
class WorkerTaskEdgesTest {

    @Test
    void aTaskThatReturnsWithItsThreadInterrupted_costsNothing_theNextTaskRunsInTheSameWorker_notInterrupted()
            throws Exception {
        // The initializer and the first task each leave the worker's thread interrupted. The worker used to die
        // the next time it waited for its connection (an interrupt closes the channel), or, if the next task came
        // at once, run that task interrupted.
        try (ProcessPool pool = ProcessPool.builder().processes(1)
                .initializer(() -> Thread.currentThread().interrupt()).build()) {
            List<Long> first = pool.<Integer, List<Long>>apply(x -> {
                boolean interrupted = Thread.currentThread().isInterrupted();
                Thread.currentThread().interrupt();
                return List.of(ProcessHandle.current().pid(), interrupted ? 1L : 0L);
            }, 1);
            List<Long> second = pool.<Integer, List<Long>>apply(x ->
                    List.of(ProcessHandle.current().pid(), Thread.currentThread().isInterrupted() ? 1L : 0L), 2);
            assertThat(first.get(1)).as("the first task was interrupted by the initializer").isZero();
            assertThat(second.get(1)).as("the second task was interrupted by the first").isZero();
            assertThat(second.get(0)).as("the worker of the second task").isEqualTo(first.get(0));
        }
    }

    @Test
    void close_endsAWorkerThatATaskLeftANonDaemonThreadIn() throws Exception {
        Set<Long> before = ChildProcesses.livePids();
        ProcessPool pool = ProcessPool.create(1);
        try {
            long worker = pool.<Integer, Long>apply(x -> {
                Thread.ofPlatform().daemon(false).name("left-behind").start(() -> {
                    try {
                        new CountDownLatch(1).await(); // for ever
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                return ProcessHandle.current().pid();
            }, 1);
            // close() used to wait for ever: the worker's main returned after STOP, but its JVM waited for the thread
            CompletableFuture<Void> closed = CompletableFuture.runAsync(pool::close, r -> Thread.ofPlatform().daemon().start(r));
            closed.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS);
            assertThat(ProcessHandle.of(worker).map(ProcessHandle::isAlive)).isEmpty();
        } finally {
            pool.terminate();
        }
        Awaitility.await().atMost(Delays.seconds(10))
                .untilAsserted(() -> assertThat(before).containsAll(ChildProcesses.livePids()));
    }

    @Test
    void close_andRecycling_endAWorkerThatATaskLeftAShutdownHookThatHangsIn() throws Exception {
        // A stopped worker (recycled, or at close()) exits with System.exit, which runs its shutdown hooks: one that
        // never returned kept the worker alive for good, and close() waited for it for ever.
        Set<Long> before = ChildProcesses.livePids();
        ProcessPool pool = ProcessPool.builder().processes(1).maxTasksPerChild(1).build();
        try {
            long recycled = pool.<Integer, Long>apply(x -> hangAtExit(), 1);
            long closed = pool.<Integer, Long>apply(x -> hangAtExit(), 2);
            assertThat(closed).as("the second task ran on a new worker").isNotEqualTo(recycled);
            Awaitility.await("the recycled worker ends").atMost(Delays.seconds(30))
                    .until(() -> !ChildProcesses.running(recycled));
            CompletableFuture<Void> closing = CompletableFuture.runAsync(pool::close, r -> Thread.ofPlatform().daemon().start(r));
            closing.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS);
            assertThat(ChildProcesses.running(closed)).as("the last worker runs after close()").isFalse();
        } finally {
            pool.terminate();
        }
        Awaitility.await().atMost(Delays.seconds(10))
                .untilAsserted(() -> assertThat(before).containsAll(ChildProcesses.livePids()));
    }

    @Test
    void aTaskThatExitsItsWorkerWhileAShutdownHookHangs_failsWithWorkerCrashedException_ratherThanWaitingForEver()
            throws Exception {
        // System.exit waits for the shutdown hooks: with one that never returned, the worker never ended, and its
        // task (without a taskTimeout) never completed.
        try (ProcessPool pool = ProcessPool.create(1)) {
            CompletableFuture<Long> exits = pool.applyAsync(x -> {
                hangAtExit();
                System.exit(4);
                return 0L;
            }, 1);
            assertThatThrownBy(() -> exits.get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(WorkerCrashedException.class,
                            crash -> assertThat(crash.stderrTail()).contains("shutdown hook"));
            assertThat(pool.<Integer, Integer>apply(x -> x + 1, 41)).as("the pool still serves").isEqualTo(42);
        }
    }

    /** Registers a shutdown hook that never returns; the pid of this JVM. */
    static long hangAtExit() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            while (true) {
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    // hang on
                }
            }
        }));
        return ProcessHandle.current().pid();
    }

    @Test
    void aTaskWhoseExceptionBreaksEveryMethodThatPrintsIt_failsAlone_withThatException_andItsWorkerGoesOn()
            throws Exception {
        // Writing the exception's stack trace as text fell back to a plain one when toString() threw, and that called
        // getStackTrace(), which threw too: the worker ended (exit code 1) and the task failed with WorkerCrashedException
        try (ProcessPool pool = ProcessPool.create(1)) {
            long worker = pool.workerPids().iterator().next();
            assertThatThrownBy(() -> pool.apply(x -> {
                throw new UnprintableException();
            }, 1)).isInstanceOf(ExecutionException.class).cause().isInstanceOf(UnprintableException.class);
            assertThat(pool.<Integer, Long>apply(x -> ProcessHandle.current().pid(), 1)).isEqualTo(worker);
        }
    }

    @Test
    void aTaskWhoseExceptionThrowsErrorsWhenPrinted_failsAlone_withThatException_andItsWorkerGoesOn() throws Exception {
        // getMessage(), toString(), getStackTrace() and getCause() throw AssertionErrors: the report caught only
        // exceptions (and StackOverflowError) from them, so the worker ended and the task failed with
        // WorkerCrashedException
        try (ProcessPool pool = ProcessPool.create(1)) {
            long worker = pool.workerPids().iterator().next();
            assertThatThrownBy(() -> pool.apply(x -> {
                throw new AssertingException();
            }, 1)).isInstanceOf(ExecutionException.class).cause().isInstanceOf(AssertingException.class);
            assertThat(pool.<Integer, Long>apply(x -> ProcessHandle.current().pid(), 1)).isEqualTo(worker);
        }
    }

    @Test
    void aTaskThatInterruptsEveryThreadOfItsGroup_leavesItsWorkerWatchingTheParent_whichEndsItIfKilled() throws Exception {
        // ThreadGroup.interrupt() reached the thread that polls the parent's liveness while a task runs: it ended, and a
        // worker whose parent was then killed ran its task on, an orphan, for as long as the task ran.
        try (TestJvm parent = TestJvm.start(PoolParentMain.class, List.of(), "interrupt-group")) {
            String pidsLine = null;
            boolean interrupted = false;
            while (pidsLine == null || !interrupted) { // in either order: the worker's line comes through a pump
                String line = parent.nextLine(60);
                if (line.startsWith("PIDS ")) {
                    pidsLine = line;
                } else if (line.equals("GROUP INTERRUPTED")) {
                    interrupted = true;
                }
            }
            long[] pids = Arrays.stream(pidsLine.substring(5).split(" ")).mapToLong(Long::parseLong).toArray();
            parent.process().destroyForcibly();
            for (long pid : pids) {
                Awaitility.await("worker " + pid + " ends with its parent").atMost(Delays.seconds(10))
                        .until(() -> !ChildProcesses.running(pid));
            }
        }
    }

    @Test
    void aTaskWhoseExceptionCannotBeSerialized_evenWithAnError_failsAlone_withARemoteTaskException() throws Exception {
        // The Error from serializing the exception used to end the worker: the task failed with WorkerCrashedException
        try (ProcessPool pool = ProcessPool.create(1)) {
            long worker = pool.workerPids().iterator().next();
            assertThatThrownBy(() -> pool.apply(x -> {
                throw new UnwritableException("cannot travel");
            }, 1)).isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(RemoteTaskException.class, e -> {
                assertThat(e.remoteClassName()).isEqualTo(UnwritableException.class.getName());
                assertThat(e.remoteMessage()).isEqualTo("cannot travel");
            });
            assertThat(pool.<Integer, Long>apply(x -> ProcessHandle.current().pid(), 1)).isEqualTo(worker);
        }
    }

    @Test
    void aResultWhoseReadObjectThrowsAVirtualMachineError_failsItsTaskAlone_andTheTasksBehindItGetTheirResults()
            throws Exception {
        // The parent's decoding let VirtualMachineErrors other than OutOfMemoryError through: an InternalError from a
        // value's readObject ended the reader thread with the task already off its worker's queue, so its future (and
        // those of the outcomes read with it) never completed, and the worker was killed; apply() threw the raw Error.
        try (ProcessPool pool = ProcessPool.create(1)) {
            long worker = pool.workerPids().iterator().next();
            CompletableFuture<ReadingBreaksTheJvm> broken = pool.applyAsync(x -> new ReadingBreaksTheJvm(), 1);
            CompletableFuture<Integer> behind = pool.applyAsync(x -> x + 1, 1);
            assertThatThrownBy(() -> broken.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().hasMessageContaining(ReadingBreaksTheJvm.class.getName())
                    .rootCause().isInstanceOf(InternalError.class);
            assertThat(behind.get(30, TimeUnit.SECONDS)).isEqualTo(2);
            // apply() reads the idle worker's outcome on the caller's thread
            assertThatThrownBy(() -> pool.apply(x -> new ReadingBreaksTheJvm(), 1))
                    .isInstanceOf(ExecutionException.class).rootCause().isInstanceOf(InternalError.class);
            assertThat(pool.<Integer, Long>apply(x -> ProcessHandle.current().pid(), 1)).isEqualTo(worker);
        }
    }

    @Test
    void aTaskWhoseExceptionCannotBeReadInTheParent_evenWithAVirtualMachineError_failsAlone_withARemoteTaskException()
            throws Exception {
        // An InternalError from the exception's value, as the parent read it, was not taken as a reason to keep the
        // exception's text (a RemoteTaskException): the task failed with the decoding's error alone
        try (ProcessPool pool = ProcessPool.create(1)) {
            long worker = pool.workerPids().iterator().next();
            assertThatThrownBy(() -> pool.apply(x -> {
                throw new UnreadableException("cannot be read");
            }, 1)).isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(RemoteTaskException.class, e -> {
                assertThat(e.remoteClassName()).isEqualTo(UnreadableException.class.getName());
                assertThat(e.remoteMessage()).isEqualTo("cannot be read");
            });
            assertThat(pool.<Integer, Long>apply(x -> ProcessHandle.current().pid(), 1)).isEqualTo(worker);
        }
    }

    /** A result whose deserialization, in the parent, throws an InternalError (a VirtualMachineError) of its own. */
    static final class ReadingBreaksTheJvm implements java.io.Serializable {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        @java.io.Serial
        private void readObject(java.io.ObjectInputStream in) {
            throw new InternalError("readObject of " + ReadingBreaksTheJvm.class.getName() + " is broken");
        }
    }
}

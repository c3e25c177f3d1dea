package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.launch.SpareJvms;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.HeldMonitor;
import io.github.multiprocessing4j.testing.LogCapture;
import java.io.Serial;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start with no spare ready starts a fresh child with its task on stdin, which reports in a file and has no
 * connection (see {@code DirectStart}); what a connection gave a child must hold for it too.
 */
class FreshChildTest {

    @TempDir
    Path tmp;

    @BeforeEach
    void noSpareReady() {
        SpareJvms.get().closeSpare();
    }

    @Test
    void close_whileTheTaskRuns_endsTheChildAsItsParentsDeathWould_code3_notByKill() throws Exception {
        Path running = tmp.resolve("running");
        String runningPath = running.toString();
        JvmProcess child = JvmProcess.builder().name("closed")
                .task(() -> {
                    try {
                        Files.createFile(Path.of(runningPath));
                        Thread.sleep(600_000);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).start();
        Awaitility.await().atMost(Delays.seconds(60)).until(() -> Files.exists(running));
        child.close();
        assertThat(child.join(Delays.seconds(30))).isTrue();
        assertThat(child.exitCode()).as("told to exit (3), not killed after a second (137)").hasValue(3);
        Path session = io.github.multiprocessing4j.internal.session.Session.get().directory();
        Awaitility.await("the child's files are cleaned up").atMost(Delays.seconds(30)).until(() -> {
            try (var files = Files.list(session)) {
                return files.map(f -> f.getFileName().toString()).noneMatch(f -> f.startsWith("stop-") || f.startsWith("report-"));
            }
        });
    }

    @Test
    void aTaskOfMoreThanTheBootRecordsOwn64KiB_arrivesWhole() throws Exception {
        byte[] big = new byte[3 * 1024 * 1024];
        Arrays.fill(big, (byte) 7);
        big[big.length - 1] = 9;
        Path out = tmp.resolve("sum");
        String outPath = out.toString();
        try (JvmProcess child = JvmProcess.builder().name("big")
                .task(() -> {
                    long sum = 0;
                    for (byte b : big) {
                        sum += b;
                    }
                    try {
                        Files.writeString(Path.of(outPath), big.length + " " + sum);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).start()) {
            child.join();
            assertThat(child.exitCode()).hasValue(0);
        }
        assertThat(Files.readString(out)).isEqualTo(big.length + " " + (7L * (big.length - 1) + 9));
    }

    @Test
    void theFailureOfAFreshChild_canBeReadOnceItHasExited_evenWithoutAJoin() throws Exception {
        JvmProcess child = JvmProcess.builder().name("fails")
                .task(() -> {
                    throw new IllegalArgumentException("fresh failure");
                }).start();
        try (child) {
            Awaitility.await().atMost(Delays.seconds(60)).until(() -> child.exitCode().isPresent());
            assertThat(child.exitCode()).hasValue(1);
            assertThat(child.failure()).hasValueSatisfying(f ->
                    assertThat(f).isInstanceOf(IllegalArgumentException.class).hasMessage("fresh failure"));
        }
    }

    /** Thrown by a child's task; loaded in this JVM by a loader of a test's own too. */
    static final class OwnLoadersException extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        OwnLoadersException(String message) {
            super(message);
        }
    }

    @Test
    void theFailureOfAFreshChild_isDecodedWithTheContextClassLoaderOfTheThreadThatStartedIt() throws Exception {
        // As a connected child's is, by its reader thread, which has that loader. A fresh child's was decoded with the
        // loader of whichever thread read its report first, mostly the JDK's that completes onExit(): the system
        // class loader, so that a caller whose classes a loader of its own defines (a web application's) got an
        // exception of a class that its catch blocks did not know.
        URL classes = FreshChildTest.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader own = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
            Thread me = Thread.currentThread();
            ClassLoader before = me.getContextClassLoader();
            JvmProcess child;
            me.setContextClassLoader(own);
            try {
                child = JvmProcess.builder().name("own-loader")
                        .task(() -> {
                            throw new OwnLoadersException("thrown in the child");
                        }).start();
            } finally {
                me.setContextClassLoader(before);
            }
            try (child) {
                child.join();
                assertThat(child.exitCode()).hasValue(1);
                Throwable failure = child.failure().orElseThrow();
                assertThat(failure.getClass().getName()).isEqualTo(OwnLoadersException.class.getName());
                assertThat(failure.getClass().getClassLoader()).isSameAs(own);
                assertThat(failure).hasMessage("thrown in the child");
            }
        }
    }

    @Test
    void join_interruptedWhileTheOutputOfAnExitedChildIsStillBeingCopied_throwsInterruptedException() throws Exception {
        // It returned as if the output had been copied, with the interrupt status still set: the wait for the output
        // kept the interrupt to itself, and the report of a fresh child (a file) was read without a wait
        Path go = tmp.resolve("go");
        String goPath = go.toString();
        try (JvmProcess child = JvmProcess.builder().name("held-output")
                .task(() -> {
                    while (!Files.exists(Path.of(goPath))) {
                        Thread.onSpinWait();
                    }
                    System.out.println("copied once System.out is free");
                }).start()) {
            CountDownLatch release = new CountDownLatch(1);
            Thread holder = HeldMonitor.hold(System.out, release); // the stdout pump waits to write the child's line
            try {
                Files.createFile(go);
                Awaitility.await().atMost(Delays.seconds(60)).until(() -> child.exitCode().isPresent());
                Thread.currentThread().interrupt();
                Throwable thrown = null;
                try {
                    child.join();
                } catch (InterruptedException e) {
                    thrown = e;
                }
                boolean stillInterrupted = Thread.interrupted();
                assertThat(thrown).isInstanceOf(InterruptedException.class);
                assertThat(stillInterrupted).as("the interrupt status is cleared").isFalse();
            } finally {
                Thread.interrupted();
                release.countDown();
                holder.join();
            }
            child.join();
            assertThat(child.exitCode()).hasValue(0);
        }
    }

    /** A task that appends its pid to {@code path}. */
    private static io.github.multiprocessing4j.function.SerializableRunnable appendPidTo(String path) {
        return () -> {
            try {
                Files.writeString(Path.of(path), ProcessHandle.current().pid() + "\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    @Test
    void aChildWhoseSignalIsReadLate_runsItsTaskOnce_onlyOnceStartHasSeenTheSignal() throws Exception {
        // The JVM writes a line to stdout before main (-Xlog:gc:stdout), which the stdout pump forwards to
        // System.out; while it waits there (another thread of this JVM holds System.out), the child has signalled its
        // start but must not run its task: start() has not seen the signal yet. (It once ran it, exited, and start()
        // took that exit for a death at boot: "exited with 0 before it started", of a child that had run its task.)
        Path ran = tmp.resolve("ran");
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = HeldMonitor.hold(System.out, release);
        CompletableFuture<JvmProcess> started = CompletableFuture.supplyAsync(() -> JvmProcess.builder().name("late")
                .jvmOptions(List.of("-Xlog:gc:stdout")).task(appendPidTo(ran.toString())).start(),
                r -> Thread.ofPlatform().daemon().start(r));
        try {
            Thread.sleep(Delays.seconds(3).toMillis()); // time enough to boot and signal, and to run a task
            assertThat(ran).as("the task ran before start() had seen the signal").doesNotExist();
            assertThat(started).isNotDone();
        } finally {
            release.countDown();
            holder.join(TimeUnit.SECONDS.toMillis(30));
        }
        try (JvmProcess child = started.get(60, TimeUnit.SECONDS)) {
            child.join();
            assertThat(child.exitCode()).hasValue(0);
        }
        assertThat(Files.readAllLines(ran)).as("the task ran once").hasSize(1);
    }

    @Test
    void anInterruptedStart_killsTheChild_beforeItsTaskBegins() throws Exception {
        // Its task in hand, a child ran it as soon as it had signalled its start: a start() interrupted after that,
        // but before it had read the signal, killed a child whose task was running, and said the start had failed
        Path ran = tmp.resolve("ran");
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = HeldMonitor.hold(System.out, release);
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread starter = Thread.ofPlatform().daemon().start(() -> {
            try {
                JvmProcess.builder().name("interrupted").jvmOptions(List.of("-Xlog:gc:stdout"))
                        .task(appendPidTo(ran.toString())).start().close();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        try {
            // until the child runs its task (as it did), or has had the time to boot and signal its start
            long deadline = System.nanoTime() + Delays.seconds(3).toNanos();
            while (System.nanoTime() < deadline && !Files.exists(ran)) {
                Thread.sleep(20);
            }
            starter.interrupt();
            starter.join(Delays.seconds(60).toMillis());
        } finally {
            release.countDown();
            holder.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(failure.get()).as("start() failed").isInstanceOf(ProcessStartException.class)
                .hasMessageContaining("interrupted");
        Thread.sleep(Delays.seconds(1).toMillis()); // a task still running would write now
        assertThat(ran).as("the task of a start that failed never ran").doesNotExist();
    }

    @Test
    void aChildWhoseSystemOutIsReplacedBeforeMain_stillSignalsItsStart() throws Exception {
        // The child wrote its start signal through System.out: replaced before main, it swallowed the signal, and
        // start() failed after the connect timeout (60 s)
        try (JvmProcess child = JvmProcess.builder().name("silenced")
                .jvmOptions(java.util.List.of("-Djava.system.class.loader="
                        + io.github.multiprocessing4j.process.fixtures.SilencingSystemClassLoader.class.getName()))
                .task(() -> { }).start()) {
            assertThat(child.join(Delays.seconds(60))).isTrue();
            assertThat(child.exitCode()).hasValue(0);
        }
    }

    /**
     * A failure whose class cannot be read in this JVM: its readObject throws an Error that the codec lets through
     * (an OutOfMemoryError, as a value too large for this heap would).
     */
    static final class UnreadableHereException extends RuntimeException {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        @java.io.Serial
        private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
            in.defaultReadObject();
            if (!io.github.multiprocessing4j.internal.session.Session.isChild()) {
                throw new OutOfMemoryError("Java heap space (a test's, reading the child's failure)");
            }
        }
    }

    static void throwUnreadableHere() {
        throw new UnreadableHereException();
    }

    @Test
    void aReportThatCannotBeDecoded_isDoneWith_andJoinReturns_theOutcomeUnknownBeyondTheExitCode() throws Exception {
        SpareJvms.get().enabled(false); // a direct child for sure: no spare to take
        try (JvmProcess child = JvmProcess.start("unreadable", FreshChildTest::throwUnreadableHere)) {
            try {
                child.join();
                assertThat(child.exitCode()).hasValue(1);
                assertThat(child.failure()).isEmpty();
                assertThat(child.join(Delays.seconds(10))).isTrue();
            } catch (OutOfMemoryError e) {
                // It threw the Error of the decode, the report left pending, again at every call (caught here: JUnit
                // would end the whole run on an OutOfMemoryError)
                throw new AssertionError("the decode's Error reached the caller", e);
            }
        } finally {
            SpareJvms.get().enabled(!"false".equalsIgnoreCase(System.getProperty("mp4j.spare")));
        }
    }

    @Test
    void withDirectStartsOff_aReportThatCannotBeDecoded_isLoggedAtWarning_notLeftToTheThreadsUncaughtHandler()
            throws Exception {
        // The connected child's report, read by its own thread: the decode's Error ended that thread, and went to
        // its uncaught handler (a stack trace on stderr) instead of the log
        LogCapture log = LogCapture.of(JvmProcess.class.getName(), null, r -> true); // JvmProcessImpl's logger
        List<java.util.logging.LogRecord> records = log.records();
        SpareJvms.get().enabled(false); // a fresh child for sure: no spare to take
        System.setProperty("mp4j.directStart", "false");
        try (JvmProcess child = JvmProcess.start("unreadable", FreshChildTest::throwUnreadableHere)) {
            child.join();
            assertThat(child.exitCode()).hasValue(1);
            assertThat(child.failure()).isEmpty();
            // logged before the report is done with, so before join() returns
            assertThat(records).as("what was logged").anySatisfy(r -> {
                assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.WARNING);
                assertThat(r.getThrown()).isInstanceOf(OutOfMemoryError.class);
            });
        } finally {
            System.clearProperty("mp4j.directStart");
            log.close();
            SpareJvms.get().enabled(!"false".equalsIgnoreCase(System.getProperty("mp4j.spare")));
        }
    }
}

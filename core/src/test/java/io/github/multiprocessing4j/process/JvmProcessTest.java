package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.testing.ChildProcesses;
import io.github.multiprocessing4j.testing.Delays;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JvmProcessTest {

    @TempDir
    Path tmp;

    /** Writes text to a file, for a child to report to the test. */
    static void write(String file, String text) {
        try {
            Files.writeString(Path.of(file), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void start_capturingLambda_runsInAnotherJvmWithTheCapturedValues() throws Exception {
        String out = tmp.resolve("out").toString();
        int factor = 6;
        List<Integer> numbers = List.of(1, 2, 3);
        try (JvmProcess child = JvmProcess.start("calc", () ->
                write(out, ProcessHandle.current().pid() + " " + numbers.stream().mapToInt(n -> n * factor).sum()))) {
            child.join();
            assertThat(child.exitCode()).hasValue(0);
            assertThat(child.failure()).isEmpty();
            String[] reply = Files.readString(Path.of(out)).split(" ");
            assertThat(Long.parseLong(reply[0])).isEqualTo(child.pid()).isNotEqualTo(ProcessHandle.current().pid());
            assertThat(reply[1]).isEqualTo("36");
        }
    }

    @Test
    void start_aTaskThatCapturesPaths_seesThemInTheChild() throws Exception {
        Path out = tmp.resolve("paths out.txt");
        Path relative = Path.of("some", "relative.txt");
        try (JvmProcess child = JvmProcess.start("paths", () -> {
            try {
                Files.writeString(out, relative + " absolute=" + relative.isAbsolute());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        })) {
            child.join();
            assertThat(child.failure()).isEmpty();
            assertThat(child.exitCode()).hasValue(0);
        }
        assertThat(Files.readString(out)).isEqualTo("some/relative.txt absolute=false");
    }

    @Test
    void failingTask_exitsWithCode1_andTheParentReadsTheExceptionWithTheChildsStackTrace() throws Exception {
        try (JvmProcess child = JvmProcess.start("failing", JvmProcessTest::throwBoom)) {
            child.join();
            assertThat(child.exitCode()).hasValue(1);
            assertThat(child.failure().orElseThrow()).isInstanceOf(IllegalStateException.class)
                    .hasMessage("boom from the child");
            StackTraceElement[] trace = child.failure().orElseThrow().getStackTrace();
            assertThat(trace).extracting(StackTraceElement::getMethodName).contains("throwBoom");
        }
    }

    static void throwBoom() {
        throw new IllegalStateException("boom from the child");
    }

    /** An exception that cannot be serialized: the parent gets a RemoteTaskException built from text. */
    static final class UnsendableException extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;
        @SuppressWarnings({"unused", "serial"})
        private final Object lock = new Object();

        UnsendableException(String message) {
            super(message);
        }
    }

    @Test
    void failingTask_whoseExceptionCannotTravel_givesRemoteTaskExceptionWithTheRemoteTrace() throws Exception {
        try (JvmProcess child = JvmProcess.start("unsendable", () -> {
            throw new UnsendableException("not serializable");
        })) {
            child.join();
            assertThat(child.exitCode()).hasValue(1);
            assertThat(child.failure()).get().isInstanceOfSatisfying(RemoteTaskException.class, e -> {
                assertThat(e.remoteClassName()).isEqualTo(UnsendableException.class.getName());
                assertThat(e.remoteMessage()).isEqualTo("not serializable");
                assertThat(e.remoteStackTrace()).contains("JvmProcessTest");
                assertThat(e.getMessage()).contains("stack trace in child JVM " + child.pid());
            });
        }
    }

    /** Serializable, but its class can be initialized only in a child JVM, as one that needs what only a child has. */
    static final class ChildOnlyException extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        static {
            if (!JvmProcess.current().isChild()) {
                throw new IllegalStateException("ChildOnlyException cannot be initialized outside a child");
            }
        }

        ChildOnlyException(String message) {
            super(message);
        }
    }

    static void throwChildOnly() {
        throw new ChildOnlyException("thrown in the child");
    }

    @Test
    void failingTask_whoseExceptionClassCannotBeInitializedHere_givesRemoteTaskException() throws Exception {
        try (JvmProcess child = JvmProcess.start("child-only", JvmProcessTest::throwChildOnly)) {
            child.join();
            assertThat(child.exitCode()).hasValue(1);
            assertThat(child.failure()).get().isInstanceOfSatisfying(RemoteTaskException.class, e -> {
                assertThat(e.remoteClassName()).isEqualTo(ChildOnlyException.class.getName());
                assertThat(e.remoteMessage()).isEqualTo("thrown in the child");
                assertThat(e.getCause()).hasMessageContaining("static initializer of " + ChildOnlyException.class.getName());
            });
        }
    }

    /** Serializable, but its {@code getMessage()} (and so {@code toString()} and {@code printStackTrace()}) throws. */
    static class MessageFailsException extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage() is broken");
        }
    }

    /** As above, and it cannot be serialized either. */
    static final class UnsendableMessageFailsException extends MessageFailsException {
        @Serial
        private static final long serialVersionUID = 1L;
        @SuppressWarnings({"unused", "serial"})
        private final Object lock = new Object();
    }

    static void throwMessageFails() {
        throw new MessageFailsException();
    }

    static void throwUnsendableMessageFails() {
        throw new UnsendableMessageFailsException();
    }

    @Test
    void failingTask_whoseExceptionsMessageThrows_isStillReported_withItsTypeAndTrace() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (JvmProcess sendable = JvmProcess.start("bad-message", JvmProcessTest::throwMessageFails);
                JvmProcess unsendable = JvmProcess.start("bad-unsendable", JvmProcessTest::throwUnsendableMessageFails)) {
            sendable.join();
            unsendable.join();
            assertThat(sendable.exitCode()).hasValue(1);
            assertThat(sendable.failure()).get().isInstanceOf(MessageFailsException.class);
            assertThat(sendable.failure().orElseThrow().getStackTrace())
                    .extracting(StackTraceElement::getMethodName).contains("throwMessageFails");
            assertThat(unsendable.exitCode()).hasValue(1);
            assertThat(unsendable.failure()).get().isInstanceOfSatisfying(RemoteTaskException.class, e -> {
                assertThat(e.remoteClassName()).isEqualTo(UnsendableMessageFailsException.class.getName());
                assertThat(e.remoteMessage()).isNull();
                assertThat(e.remoteStackTrace()).contains(UnsendableMessageFailsException.class.getName())
                        .contains("getMessage() threw java.lang.IllegalStateException")
                        .contains("throwUnsendableMessageFails");
            });
        } finally {
            System.setErr(original);
        }
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("Exception in process \"bad-message\"")
                .contains(MessageFailsException.class.getName())
                .contains("throwMessageFails");
    }

    @Test
    void failingTask_printsItsStackTraceOnTheChildsStderr_whichReachesOurs() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (JvmProcess child = JvmProcess.start("loud", JvmProcessTest::throwBoom)) {
            child.join();
        } finally {
            System.setErr(original);
        }
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("Exception in process \"loud\"")
                .contains("java.lang.IllegalStateException: boom from the child")
                .contains("throwBoom");
    }

    @Test
    void stdoutAndStderr_ofTheChild_areCopiedToOurs_beforeJoinReturns() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (JvmProcess child = JvmProcess.start("talker", () -> {
            System.out.println("to stdout from " + ProcessHandle.current().pid());
            System.err.println("to stderr");
        })) {
            child.join();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("to stdout from " + child.pid());
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("to stderr");
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    @Test
    void linesOfChildrenPrintingAtOnce_arriveWhole_evenWhenWrittenInPieces() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            List<JvmProcess> children = new ArrayList<>();
            for (String who : List.of("alpha", "beta")) {
                children.add(JvmProcess.start(who, () -> {
                    for (int i = 0; i < 200; i++) {
                        System.out.print(who + "-");
                        System.out.flush();
                        System.out.print(i);
                        System.out.flush();
                        System.out.println(".");
                    }
                }));
            }
            for (JvmProcess child : children) {
                child.join();
                child.close();
            }
        } finally {
            System.setOut(original);
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(400).allMatch(line -> line.matches("(alpha|beta)-\\d+\\."));
    }

    @Test
    void systemExit_inTheTask_isTheExitCode() throws Exception {
        try (JvmProcess child = JvmProcess.start("exiting", () -> System.exit(42))) {
            child.join();
            assertThat(child.exitCode()).hasValue(42);
            assertThat(child.failure()).isEmpty();
        }
    }

    @Test
    void terminate_sendsSigterm_soShutdownHooksRun() throws Exception {
        String marker = tmp.resolve("hook-ran").toString();
        Path ready = tmp.resolve("hook-registered");
        String readyFile = ready.toString();
        try (JvmProcess child = JvmProcess.start("sleeper", () -> {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> write(marker, "yes")));
            write(readyFile, "ready");
            sleepForever();
        })) {
            // SIGTERM only once the hook is in place: earlier, the JVM would end without running it
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> Files.exists(ready));
            assertThat(child.join(Duration.ZERO)).isFalse();
            assertThat(child.isAlive()).isTrue();
            assertThat(child.exitCode()).isEmpty();
            child.terminate();
            assertThat(child.join(Delays.seconds(10))).isTrue();
            assertThat(child.exitCode()).hasValue(143);
            assertThat(Files.readString(Path.of(marker))).isEqualTo("yes");
        }
    }

    @Test
    void kill_sendsSigkill() throws Exception {
        try (JvmProcess child = JvmProcess.start("sleeper", JvmProcessTest::sleepForever)) {
            child.kill();
            assertThat(child.join(Delays.seconds(10))).isTrue();
            assertThat(child.exitCode()).hasValue(137);
            assertThat(child.isAlive()).isFalse();
        }
    }

    @Test
    void join_withTimeout_returnsFalseWhileTheChildRuns_andTrueOnceItHasExited() throws Exception {
        Path gate = tmp.resolve("gate"); // the child runs until the test opens it, however slow the machine
        try (JvmProcess child = JvmProcess.start("napper", waitingFor(gate.toString()))) {
            long started = System.nanoTime();
            assertThat(child.join(Delays.millis(200))).isFalse();
            assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(Delays.millis(150).toNanos());
            assertThat(child.join(Duration.ZERO)).isFalse();
            Files.createFile(gate);
            assertThat(child.join(Delays.seconds(30))).isTrue();
            assertThat(child.exitCode()).hasValue(0);
        }
    }

    @Test
    void join_withATimeoutTooLongForNanoseconds_waitsForTheChild_andANegativeOneOnlyPolls() throws Exception {
        Duration forever = ChronoUnit.FOREVER.getDuration();
        Path gate = tmp.resolve("gate"); // the child runs until the test opens it, however slow the machine
        try (JvmProcess child = JvmProcess.start("patient", waitingFor(gate.toString()))) {
            // both used to throw ArithmeticException (Duration.toNanos overflows)
            assertThat(child.join(forever.negated())).isFalse();
            CompletableFuture<Boolean> joined = CompletableFuture.supplyAsync(() -> {
                try {
                    return child.join(forever);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> Thread.ofPlatform().daemon().start(r));
            Files.createFile(gate);
            assertThat(joined.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(child.exitCode()).hasValue(0);
            assertThat(child.join(forever.negated())).isTrue();
        }
    }

    @Test
    void close_killsAChildThatStillRuns_andIsIdempotent() throws Exception {
        JvmProcess child = JvmProcess.start("abandoned", JvmProcessTest::sleepForever);
        long pid = child.pid();
        child.close();
        child.close();
        assertThat(child.isAlive()).isFalse();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void close_onAnInterruptedThread_killsTheChild_andReturnsOnceItIsGone_leavingTheInterruptSet() throws Exception {
        // It sent SIGKILL and returned at once: the child still ran, and exitCode() was empty (a task cancelled with
        // cancel(true) that closes its child in a try-with-resources)
        JvmProcess child = JvmProcess.start("interrupted-close", JvmProcessTest::sleepForever);
        boolean stillInterrupted;
        boolean alive;
        Thread.currentThread().interrupt();
        try {
            child.close();
            alive = child.isAlive(); // right away: the child, killed, is gone a few ms later anyway
        } finally {
            stillInterrupted = Thread.interrupted();
        }
        assertThat(alive).isFalse();
        assertThat(stillInterrupted).isTrue();
        assertThat(child.exitCode()).hasValue(137);
    }

    @Test
    void current_inTheChild_tellsItsNamePidAndParent() throws Exception {
        String out = tmp.resolve("current").toString();
        try (JvmProcess child = JvmProcess.start("curious", () -> {
            CurrentProcess me = JvmProcess.current();
            write(out, me.name() + " " + me.pid() + " " + me.parentPid().orElse(-1) + " " + me.isChild());
        })) {
            child.join();
            assertThat(Files.readString(Path.of(out)))
                    .isEqualTo("curious " + child.pid() + " " + ProcessHandle.current().pid() + " true");
        }
    }

    @Test
    void current_inAJvmNotStartedByTheLibrary_isTheMainProcess() {
        CurrentProcess me = JvmProcess.current();
        assertThat(me.name()).isEqualTo("MainProcess");
        assertThat(me.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(me.isChild()).isFalse();
    }

    @Test
    void aDaemonThreadOfTheTask_blockedInANativeRead_doesNotHoldTheChildsExit() throws Exception {
        // HotSpot waits 300 ms at exit for a thread in a native call unless the child is told not to: the best of
        // three children shows whether they waited.
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            String out = tmp.resolve("ended-" + i).toString();
            try (JvmProcess child = JvmProcess.start("native-reader", () -> endWithAThreadInARead(out))) {
                child.join();
                long joined = epochNanos();
                assertThat(child.exitCode()).hasValue(0);
                best = Math.min(best, joined - Long.parseLong(Files.readString(Path.of(out))));
            }
        }
        assertThat(Duration.ofNanos(best)).as("from the task's end to join()'s return, best of 3")
                .isLessThan(Duration.ofMillis(300));
    }

    /** Leaves a daemon thread blocked in a read of a pipe that nobody writes, then writes the time to the file. */
    static void endWithAThreadInARead(String file) {
        try {
            Pipe pipe = Pipe.open();
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try {
                    pipe.source().read(ByteBuffer.allocate(1));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            while (reader.getState() != Thread.State.RUNNABLE) {
                Thread.onSpinWait();
            }
            Thread.sleep(100); // into the read
            write(file, Long.toString(epochNanos()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Wall-clock nanoseconds, comparable between processes. */
    static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Test
    void jvmOptions_systemProperties_andEnvironment_reachTheChild() throws Exception {
        String out = tmp.resolve("env").toString();
        try (JvmProcess child = JvmProcess.builder()
                .name("configured")
                .task(() -> write(out, System.getProperty("app.mode") + "|" + System.getenv("MP4J_TEST_VAR") + "|"
                        + Runtime.getRuntime().maxMemory() / (1024 * 1024)))
                .jvmOptions(List.of("-Xmx96m"))
                .systemProperty("app.mode", "batch")
                .environment("MP4J_TEST_VAR", "from-parent")
                .start()) {
            child.join();
            String[] reply = Files.readString(Path.of(out)).split("\\|");
            assertThat(reply[0]).isEqualTo("batch");
            assertThat(reply[1]).isEqualTo("from-parent");
            assertThat(Long.parseLong(reply[2])).isBetween(80L, 96L);
        }
    }

    @Test
    void aCollectorPickedInJavaToolOptions_isTheChildsCollector_notAConflictWithOurDefault() throws Exception {
        String out = tmp.resolve("gc.txt").toString();
        try (JvmProcess child = JvmProcess.builder().name("g1-from-env")
                .task(() -> write(out, String.join(",", nativeThreadNames())))
                .environment("JAVA_TOOL_OPTIONS", "-XX:+UseG1GC")
                .start()) {
            child.join();
            assertThat(child.exitCode()).hasValue(0);
            assertThat(Files.readString(Path.of(out))).as("the child's JVM threads").contains("G1 Main Marker");
        }
    }

    /** The names of this process's threads as the kernel knows them (JVM threads included; 15 chars). */
    static List<String> nativeThreadNames() {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.map(t -> {
                try {
                    return Files.readString(t.resolve("comm")).strip();
                } catch (IOException e) {
                    return "?"; // the thread ended meanwhile
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void start_withATaskThatCapturesSomethingUnserializable_failsAtOnce_namingTheClassAndThePath() {
        Object lock = new Object();
        SerializableRunnable task = () -> System.out.println(lock);
        assertThatThrownBy(() -> JvmProcess.start("doomed", task))
                .isInstanceOf(EncodingException.class)
                .hasMessageContaining("java.lang.Object is not Serializable")
                .hasMessageContaining("captures value #1 (java.lang.Object)")
                .hasMessageContaining("java.lang.Object is a JDK class, which cannot be made so: send what it holds")
                .hasMessageContaining("keep it in a transient field, or create it inside the task")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("make java.lang.Object Serializable"))
                .satisfies(e -> assertThat(((EncodingException) e).offendingClass()).isEqualTo("java.lang.Object"));
    }

    @Test
    void start_ofAChildThatDiesBeforeConnecting_failsWithItsExitCodeAndStderr() {
        assertThatThrownBy(() -> JvmProcess.builder().name("bad-options").task(() -> { })
                .jvmOptions(List.of("-XX:+ThisOptionDoesNotExist")).start())
                .isInstanceOfSatisfying(ProcessStartException.class, e -> {
                    assertThat(e.exitCode()).hasValue(1);
                    assertThat(e.stderrTail()).contains("ThisOptionDoesNotExist");
                    assertThat(e.getMessage()).contains("before it started").contains("ThisOptionDoesNotExist");
                });
    }

    @Test
    void jvmOptions_withANull_areRefusedNamingItsPosition() {
        assertThatThrownBy(() -> JvmProcess.builder().jvmOptions(java.util.Arrays.asList("-Xmx64m", null)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("jvmOptions holds a null at index 1");
        assertThatThrownBy(() -> io.github.multiprocessing4j.pool.ProcessPool.builder()
                .jvmOptions(java.util.Arrays.asList(null, "-Xmx64m")))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("jvmOptions holds a null at index 0");
    }

    @Test
    void builder_refusesASetterCalledTwice_andAStartWithoutTask() {
        assertThatThrownBy(() -> JvmProcess.builder().name("a").name("b"))
                .isInstanceOf(IllegalStateException.class).hasMessage("name was already set to a");
        assertThatThrownBy(() -> JvmProcess.builder().environment("K", "1").environment("K", "2"))
                .isInstanceOf(IllegalStateException.class).hasMessage("environment K was already set to 1");
        assertThatThrownBy(() -> JvmProcess.builder().name("no-task").start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no task");
    }

    @Test
    void environment_thatNoProcessCanHave_isRefusedByTheSetter_beforeAnythingStarts() {
        for (String[] variable : List.of(new String[] {"A=B", "1"}, new String[] {"", "1"},
                new String[] {"A\0B", "1"}, new String[] {"A", "x\0y"})) {
            assertThatThrownBy(() -> JvmProcess.builder().environment(variable[0], variable[1]))
                    .as("%s", List.of(variable)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("environment variable");
        }
    }

    @Test
    void systemProperty_thatADashDOptionCannotCarry_isRefused_ratherThanReachingTheChildAsAnotherProperty() {
        // "-Da=b=v" would give the child a = "b=v"; no property can have an empty key; a NUL cannot be in a command
        for (String key : List.of("a=b", "", "a\0b")) {
            assertThatThrownBy(() -> JvmProcess.builder().systemProperty(key, "v"))
                    .as("key %s", key.replace("\0", "\\0")).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> JvmProcess.builder().systemProperty("a", "v\0w"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aJvmOptionWithANul_isRefusedAsAnIllegalArgument_notReportedAsAnIoFailure() {
        assertThatThrownBy(() -> JvmProcess.builder().task(() -> { }).jvmOptions(List.of("-Da=b\0c")).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
    }

    @Test
    void jvmOptions_thatSetTheClassPath_areRefused() {
        assertThatThrownBy(() -> JvmProcess.builder().task(() -> { }).jvmOptions(List.of("-cp", "/elsewhere")).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("may not set the class path");
    }

    @Test
    void jvmOptions_thatSetTheMainClassOrClassPath_inTheirOneArgumentForm_areRefusedToo() {
        // The launcher reads --module=m/c as --module m/c: the child ran another main, with our class path and
        // worker main as its arguments, and the start failed (or hung until the connect timeout) instead.
        for (String option : List.of("--module=java.base/java.lang.Object", "--class-path=/elsewhere")) {
            assertThatThrownBy(() -> JvmProcess.builder().task(() -> { }).jvmOptions(List.of(option)).start())
                    .as(option).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("may not set the class path or main class");
        }
    }

    @Test
    void manyChildren_atOnce_eachRunsItsOwnTask() throws Exception {
        List<JvmProcess> children = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int code = 10 + i;
            children.add(JvmProcess.start("many-" + i, () -> System.exit(code)));
        }
        Map<String, Integer> codes = new TreeMap<>();
        for (JvmProcess child : children) {
            child.join();
            codes.put(child.name(), child.exitCode().getAsInt());
            child.close();
        }
        assertThat(codes).isEqualTo(Map.of("many-0", 10, "many-1", 11, "many-2", 12, "many-3", 13));
    }

    /** A task that ends once the file {@code gate} exists. */
    static SerializableRunnable waitingFor(String gate) {
        return () -> {
            while (!Files.exists(Path.of(gate))) {
                sleep(10);
            }
        };
    }

    static void sleepForever() {
        sleep(Long.MAX_VALUE);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
    @Test
    void start_interruptedWhileTheChildBoots_fails_andLeavesNoChildJvmBehind() throws Exception {
        Set<Long> before = ChildProcesses.livePids();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread starter = Thread.ofPlatform().start(() -> {
            Thread.currentThread().interrupt(); // the wait for the child to connect is interrupted at once
            try {
                // a system property of its own: no spare matches, so a fresh child is launched and waited for
                JvmProcess.builder().name("interrupted").systemProperty("mp4j.test.interrupted", "yes")
                        .task(() -> { }).start();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        starter.join(Delays.seconds(30).toMillis());

        assertThat(thrown.get()).isInstanceOf(ProcessStartException.class).hasMessageContaining("interrupted");
        Awaitility.await().atMost(Delays.seconds(10))
                .untilAsserted(() -> assertThat(before).containsAll(ChildProcesses.livePids()));
    }
}

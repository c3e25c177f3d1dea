package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.internal.launch.SpareJvms.FailurePoint;
import io.github.multiprocessing4j.internal.launch.fixtures.ExitWithARehearsingSpareMain;
import io.github.multiprocessing4j.internal.launch.fixtures.SleepStartingTask;
import io.github.multiprocessing4j.internal.launch.fixtures.StallingAgent;
import io.github.multiprocessing4j.internal.session.Session;
import io.github.multiprocessing4j.internal.worker.OneShotProtocol;
import io.github.multiprocessing4j.process.ProcessStartException;
import io.github.multiprocessing4j.process.fixtures.RehearsedTasks;
import io.github.multiprocessing4j.testing.ChildProcesses;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.LogCapture;
import io.github.multiprocessing4j.testing.TestJvm;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm spare's slot, with spares that never connect back ({@link StallingAgent}). */
class SpareJvmsTest {
    /** The connect timeout the takes give: the first child must start within it on a loaded machine. */
    private static final Duration CONNECT_TIMEOUT = Delays.seconds(15);

    /**
     * The timeout of a take that needs no child to start or connect within it: its spare is ready, or it waits for one
     * that stalls. Only its passing is awaited, so it is short: the test waits it out.
     */
    private static final Duration WATCHED_TIMEOUT = Delays.seconds(3);

    @TempDir
    Path tmp;

    @Test
    void aSpareThatNeverConnects_isKilledWithWhatItStarted_andTheNextTakeBootsANewOne() throws Exception {
        SpareJvms spares = new SpareJvms(ChildLauncher.get());
        LaunchSpec spec = stallingJvms(3, 3); // the first child and the first spare boot; the spare after them stalls
        byte[] task = Codec.standard().encode(nothing());
        try {
            spares.take(spec, CONNECT_TIMEOUT, run(task), task).discard();
            long ready = Awaitility.await().atMost(Delays.seconds(60)).alias("the first spare, connected")
                    .until(spares::sparePid, pid -> pid > 0);
            // The spare that stalls is booted after this take, and is watched for the take's own timeout: a short one,
            // which only the watch waits out (the take hands over the spare that is ready, and starts no child)
            ChildJvm taken = spares.take(spec, WATCHED_TIMEOUT, run(task), task);
            taken.discard();
            assertThat(taken.pid()).as("the take handed over the ready spare").isEqualTo(ready);
            long[] stalled = awaitStalled(3);
            // It used to stay in the slot until this JVM exited: never taken (not connected), never replaced (alive)
            Awaitility.await().atMost(Delays.seconds(60)).alias("the spare that never connected, and its sleep, end")
                    .until(() -> ProcessHandle.of(stalled[0]).isEmpty() && ProcessHandle.of(stalled[1]).isEmpty());

            ChildJvm next = spares.take(spec, CONNECT_TIMEOUT, run(task), task);
            next.discard();
            long spare = Awaitility.await().atMost(Delays.seconds(60)).alias("a new spare, connected")
                    .until(spares::sparePid, pid -> pid > 0);
            assertThat(spare).isNotIn(stalled[0], next.pid());
        } finally {
            spares.closeSpare();
            endStalled();
        }
    }

    @Test
    void aSpareWhoseConnectWatchThrows_leavesItsSlot_andIsKilledWithWhatItStarted() throws Exception {
        // The watch's wait threw an Error (no thread for its exit watch, say) to its thread's uncaught handler: the
        // spare that never connects stayed in its slot, alive, until this JVM exited, and no spare was booted again.
        // (Awaitility also fails a test whose await sees an exception reach a thread's uncaught handler.)
        aSpareWhoseConnectWatchFails_leavesItsSlot_andIsKilledWithWhatItStarted(FailurePoint.CONNECT_WATCH);
    }

    @Test
    void aSpareWhoseConnectWatchCannotStart_leavesItsSlot_andIsKilledWithWhatItStarted() throws Exception {
        // The Error of the watch's thread start went to the launch's whenComplete, which dropped it: as above
        aSpareWhoseConnectWatchFails_leavesItsSlot_andIsKilledWithWhatItStarted(FailurePoint.CONNECT_WATCH_START);
    }

    private void aSpareWhoseConnectWatchFails_leavesItsSlot_andIsKilledWithWhatItStarted(FailurePoint where)
            throws Exception {
        SpareJvms spares = new SpareJvms(ChildLauncher.get());
        LaunchSpec spec = stallingJvms(2, 99); // the spare stalls, if it gets as far as the agent before it is killed
        byte[] task = Codec.standard().encode(nothing());
        // not an OutOfMemoryError, the real one: surefire ends its forked JVM on one that reaches an uncaught handler
        spares.failNext(where, new InternalError("no thread to be had (a test's)"));
        try {
            // a connect timeout that the test does not reach: the watch's failure, not the timeout, ends the spare
            spares.take(spec, Delays.seconds(600), run(task), task).discard();
            Awaitility.await().atMost(Delays.seconds(60)).alias("a spare launched")
                    .until(() -> spares.sparesLaunched() > 0);
            Awaitility.await().atMost(Delays.seconds(60)).alias("the spare whose watch failed leaves its slot")
                    .until(() -> !spares.hasSpare());
            Awaitility.await().atMost(Delays.seconds(30)).alias("the spare whose watch failed, and its sleep, end")
                    .until(() -> childrenWith(spec).isEmpty()
                            && stalledPids().stream().noneMatch(ChildProcesses::running));
        } finally {
            spares.closeSpare();
            endStalled();
        }
    }

    @Test
    void aTakeThatCannotScheduleItsSpare_stillReturnsTheChildItStarted() throws Exception {
        // The timer's thread start threw out of take(), after its child had started: the caller got the Error, and the
        // child (a direct one runs its task by then) ran on with nobody to join it or end it
        SpareJvms spares = new SpareJvms(ChildLauncher.get());
        LaunchSpec spec = new LaunchSpec(List.of("-Dmp4j.test.noTimer=" + System.nanoTime()), new LinkedHashMap<>(),
                Map.of());
        byte[] task = Codec.standard().encode(nothing());
        spares.failNext(FailurePoint.TIMER_START, new InternalError("no thread to be had (a test's)"));
        // A child that connects back and waits for its task: alive when the take schedules the spare, whose timer is
        // then the first this instance starts (the end of a direct child could start another before it)
        System.setProperty("mp4j.directStart", "false");
        try {
            ChildJvm child = spares.take(spec, CONNECT_TIMEOUT, run(task), task);
            try {
                assertThat(child.isConnected()).isTrue();
                assertThat(child.process().isAlive()).isTrue();
            } finally {
                child.discard();
            }
            assertThat(child.process().waitFor(60, TimeUnit.SECONDS)).as("the discarded child exits").isTrue();
        } finally {
            System.clearProperty("mp4j.directStart");
            spares.closeSpare();
        }
    }

    @Test
    void aTakeThatFailsAsItTakesOverTheSpare_killsTheSpare() throws Exception {
        // An Error as the take waited for the spare it had taken out of its slot (no thread for the wait's exit watch,
        // say) left that spare running, connected and idle, with nobody to end it until this JVM exited
        SpareJvms spares = new SpareJvms(ChildLauncher.get());
        LaunchSpec spec = new LaunchSpec(List.of("-Dmp4j.test.handOver=" + System.nanoTime()), new LinkedHashMap<>(),
                Map.of());
        byte[] task = Codec.standard().encode(nothing());
        try {
            spares.take(spec, CONNECT_TIMEOUT, run(task), task).discard();
            long spare = Awaitility.await().atMost(Delays.seconds(60)).alias("a spare, connected")
                    .until(spares::sparePid, pid -> pid > 0);
            InternalError failure = new InternalError("no thread to be had (a test's)");
            spares.failNext(FailurePoint.HAND_OVER, failure);
            assertThatThrownBy(() -> spares.take(spec, CONNECT_TIMEOUT, run(task), task)).isSameAs(failure);
            Awaitility.await().atMost(Delays.seconds(30)).alias("the spare the failed take had taken, ended")
                    .until(() -> !ChildProcesses.running(spare));
        } finally {
            spares.closeSpare();
        }
    }

    /** This JVM's live children started with {@code spec}'s agent. */
    private static List<Long> childrenWith(LaunchSpec spec) {
        String agent = spec.jvmOptions().getFirst();
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(args -> Arrays.asList(args).contains(agent)).orElse(false))
                .map(ProcessHandle::pid).toList();
    }

    /** The pids that the stalled JVMs wrote (each one's own and its sleep's). */
    private List<Long> stalledPids() throws IOException {
        try (var files = Files.list(tmp.resolve("jvms"))) {
            List<Long> pids = new ArrayList<>();
            for (Path file : files.filter(f -> f.getFileName().toString().matches("stalled-\\d+")).toList()) {
                Arrays.stream(Files.readString(file).split(" ")).mapToLong(Long::parseLong).forEach(pids::add);
            }
            return pids;
        }
    }

    @Test
    void aSpareThatHasNotConnected_isKilledWithWhatItStarted_whenTheSpareIsClosed() throws Exception {
        SpareJvms spares = new SpareJvms(ChildLauncher.get());
        LaunchSpec spec = stallingSecondJvm();
        byte[] task = Codec.standard().encode(nothing());
        // a connect timeout that the test does not reach: the close, not the timeout, ends the spare
        spares.take(spec, Delays.seconds(600), run(task), task).discard();
        long[] stalled = awaitStalled();
        spares.closeSpare();
        // A close only turned it away once it connected, which it never does
        Awaitility.await().atMost(Delays.seconds(30)).alias("the closed spare, and its sleep, end")
                .until(() -> ProcessHandle.of(stalled[0]).isEmpty() && ProcessHandle.of(stalled[1]).isEmpty());
    }

    @Test
    void withDirectStartsOff_aTakeOfASpareThatNeverConnects_killsItWithWhatItStarted_andTheNextTakeStartsAFreshChild()
            throws Exception {
        SpareJvms spares = new SpareJvms(ChildLauncher.get());
        LaunchSpec spec = stallingSecondJvm();
        byte[] task = Codec.standard().encode(nothing());
        System.setProperty("mp4j.directStart", "false");
        try {
            // a connect timeout the test does not reach: the spare stays in its slot for the next take
            spares.take(spec, Delays.seconds(600), run(task), task).discard();
            long[] stalled = awaitStalled();
            // takes the booting spare and waits for it to connect for the whole timeout: none is left for another (a
            // short timeout, since the spare never connects and nothing else must start within it)
            assertThatThrownBy(() -> spares.take(spec, WATCHED_TIMEOUT, run(task), task))
                    .isInstanceOf(ProcessStartException.class)
                    .hasMessageContaining("(pid " + stalled[0] + ") did not connect back within");
            // Its wait killed the spare, with the sleep it had started
            Awaitility.await().atMost(Delays.seconds(30)).alias("the spare that missed its timeout, and its sleep, end")
                    .until(() -> ProcessHandle.of(stalled[0]).isEmpty() && ProcessHandle.of(stalled[1]).isEmpty());
            ChildJvm child = spares.take(spec, CONNECT_TIMEOUT, run(task), task);
            child.discard();
            assertThat(child.pid()).isNotEqualTo(stalled[0]);
            assertThat(child.isConnected()).isTrue();
        } finally {
            System.clearProperty("mp4j.directStart");
            spares.closeSpare();
        }
    }

    @Test
    void withDirectStartsOff_aTakeOfAStalledSpareThenOfAStalledFreshChild_failsWithinTheOneTimeoutItWasGiven()
            throws Exception {
        SpareJvms spares = new SpareJvms(ChildLauncher.get());
        LaunchSpec spec = stallingJvms(2, 3); // the spare, and the fresh child started after it
        byte[] task = Codec.standard().encode(nothing());
        System.setProperty("mp4j.directStart", "false");
        try {
            // a connect timeout the test does not reach: the spare stays in its slot for the next take
            spares.take(spec, Delays.seconds(600), run(task), task).discard();
            long[] stalled = awaitStalled();
            Duration timeout = Delays.seconds(6);
            long begun = System.nanoTime();
            assertThatThrownBy(() -> spares.take(spec, timeout, run(task), task))
                    .isInstanceOf(ProcessStartException.class)
                    .hasMessageContaining("did not connect back within " + timeout.toSeconds() + " s");
            Duration took = Duration.ofNanos(System.nanoTime() - begun);
            // The spare's wait and the fresh child's each had the whole timeout: twice it (12 s), and more
            assertThat(took).as("the take failed after %s", took).isLessThan(Delays.seconds(10));
            Awaitility.await().atMost(Delays.seconds(30)).alias("the spare that missed the timeout, and its sleep, end")
                    .until(() -> ProcessHandle.of(stalled[0]).isEmpty() && ProcessHandle.of(stalled[1]).isEmpty());
        } finally {
            System.clearProperty("mp4j.directStart");
            spares.closeSpare();
            endStalled();
        }
    }

    @Test
    void withDirectStartsOff_aTakeOfASpareWhoseLaunchStalls_failsWithinItsTimeout_andTheSpareIsEndedOnceLaunched()
            throws Exception {
        // The launch is held where a real one can be: at the session's listener, whose lock a relocation of its
        // socket holds as it binds anew. The take waits for it within its timeout, and has none left for a fresh child.
        SpareJvms spares = new SpareJvms(ChildLauncher.get());
        String marker = "-Dmp4j.test.launchStall=" + System.nanoTime();
        LaunchSpec spec = new LaunchSpec(List.of(marker), new LinkedHashMap<>(), Map.of());
        byte[] task = Codec.standard().encode(nothing());
        LogCapture log = LogCapture.of(ChildLauncher.class, Level.FINE,
                r -> r.getMessage() != null && r.getMessage().startsWith("started child JVM "));
        System.setProperty("mp4j.directStart", "false");
        Duration timeout = WATCHED_TIMEOUT; // the launch stays stalled until it has passed: nothing starts within it
        try {
            long first;
            synchronized (Session.get()) { // this thread's own launches pass: the lock is reentrant
                ChildJvm child = spares.take(spec, CONNECT_TIMEOUT, run(task), task);
                first = child.pid();
                child.discard();
                Awaitility.await().atMost(Delays.seconds(60)).alias("the spare's launch begun")
                        .until(() -> spares.sparesLaunched() > 0);
                long begun = System.nanoTime();
                assertThatThrownBy(() -> spares.take(spec, timeout, run(task), task))
                        .isInstanceOf(ProcessStartException.class)
                        .hasMessage("no child JVM started within " + timeout.toSeconds() + " s: the launch of the spare"
                                + " it waited for did not finish (it is ended when it does)")
                        .satisfies(e -> assertThat(((ProcessStartException) e).pid()).isEqualTo(-1));
                Duration took = Duration.ofNanos(System.nanoTime() - begun);
                // a generous margin: the point is that it returns at all while the launch stays stalled
                assertThat(took).as("the take failed after %s", took).isLessThan(timeout.plus(Delays.seconds(30)));
            }
            // Released, the launch starts the spare, which the take that gave up on it ends
            String line = Awaitility.await().atMost(Delays.seconds(60)).alias("the stalled spare launched")
                    .until(() -> log.records().stream().map(LogRecord::getMessage).filter(l -> l.contains(marker))
                            .filter(l -> !l.startsWith("started child JVM " + first + ":")).findFirst(),
                            Optional::isPresent)
                    .orElseThrow();
            long spare = Long.parseLong(line.substring("started child JVM ".length(), line.indexOf(':')));
            Awaitility.await().atMost(Delays.seconds(30)).alias("the spare launched after its take gave up, ended")
                    .until(() -> !ChildProcesses.running(spare));
            assertThat(spares.hasSpare()).isFalse();
        } finally {
            System.clearProperty("mp4j.directStart");
            log.close();
            spares.closeSpare();
        }
    }

    @Test
    void aSpareThatRehearsedATaskWhoseClassStartsAThread_exitsWhenItsParentDiesDuringItsHandshake() throws Exception {
        // The parent, here this test on a socket of its own, dies (its end of the connection closes) after the spare
        // has connected and rehearsed, before it sent the challenge. The spare's main thread then threw, and the
        // JVM waited for the thread that the rehearsed class's static initializer started, with no parent to watch.
        long parent = ProcessHandle.current().pid();
        Path log = RehearsedTasks.log(parent);
        Files.deleteIfExists(log);
        Path socket = tmp.resolve("parent.sock");
        Session session = Session.get();
        BootRecord boot = new BootRecord(session.key(), session.directory(), socket, 42, parent, false, true,
                new byte[0], Codec.standard().encode(RehearsedTasks.lingering()));
        Process child = null;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            List<String> argv = new JavaCommand(JavaRuntime.current())
                    .build(LaunchSpec.DEFAULT, JavaCommand.libraryProperties(), null, null);
            child = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(tmp.resolve("child.err").toFile()).start();
            try (OutputStream stdin = child.getOutputStream()) {
                stdin.write(boot.encode());
            }
            CompletableFuture<SocketChannel> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long pid = child.pid();
            try (SocketChannel ignored = accepted.get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS)) {
                Awaitility.await().atMost(Delays.seconds(60)).alias("the spare rehearsed the task")
                        .until(() -> Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8)
                                .contains("linger-init " + pid));
            }
            Process spare = child;
            Awaitility.await().atMost(Delays.seconds(30)).alias("the spare whose parent died exits")
                    .until(() -> !spare.isAlive());
        } finally {
            if (child != null) {
                child.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(log);
        }
    }

    @Test
    void aSpareThatRehearsedATaskWhoseClassStartsAProcess_endsThatProcess_whenItIsClosedUnused() throws Exception {
        SpareJvms spares = new SpareJvms(ChildLauncher.get());
        LaunchSpec spec = new LaunchSpec(List.of("-Dmp4j.test.sleepStarting=" + System.nanoTime()), new LinkedHashMap<>(),
                Map.of());
        byte[] task = Codec.standard().encode(SleepStartingTask.task());
        Path log = SleepStartingTask.log(ProcessHandle.current().pid());
        Files.deleteIfExists(log);
        try {
            // Takes of one kind until the spare rehearses it: the one booted after the second take finds the slot
            // empty (the spare taken, or none yet) and rehearses the task
            for (int i = 0; i < 5 && !(spares.spareRehearses() && spares.sparePid() > 0); i++) {
                ChildJvm child = spares.take(spec, CONNECT_TIMEOUT, run(task), task);
                try {
                    if (child.isDirect()) { // it runs the task; a spare taken here is given none
                        assertThat(child.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
                    }
                } finally {
                    child.discard();
                }
                Awaitility.await().atMost(Delays.seconds(60)).alias("a spare").until(() -> spares.sparePid() > 0);
            }
            assertThat(spares.spareRehearses()).as("the spare rehearses the task").isTrue();
            long spare = spares.sparePid();
            long sleep = sleepOf(log, spare);
            spares.closeSpare();
            // It halted, and the sleep its rehearsal started ran on, re-parented to init
            Awaitility.await().atMost(Delays.seconds(30)).alias("the closed spare, and the sleep it started, end")
                    .until(() -> ProcessHandle.of(spare).isEmpty() && ProcessHandle.of(sleep).isEmpty());
        } finally {
            spares.closeSpare();
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    ProcessHandle.of(Long.parseLong(line.split(" ")[1])).ifPresent(ProcessHandle::destroyForcibly);
                }
                Files.delete(log);
            }
        }
    }

    @Test
    void theSpareOfAProgramThatEnds_endsWithWhatItsRehearsalStarted() throws Exception {
        Path log = null;
        try (TestJvm jvm = TestJvm.start(ExitWithARehearsingSpareMain.class, List.of())) {
            log = SleepStartingTask.log(jvm.process().pid());
            String line = jvm.nextLineStartingWith("SPARE ", 180);
            assertThat(line).as("stderr: %s", jvm.stderr()).isNotNull();
            long spare = Long.parseLong(line.substring("SPARE ".length()));
            long sleep = sleepOf(log, spare);
            assertThat(jvm.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            // The exit's hook killed the spare alone (SIGKILL), and the sleep its rehearsal started ran on
            Awaitility.await().atMost(Delays.seconds(30)).alias("the spare, and the sleep it started, end")
                    .until(() -> ProcessHandle.of(spare).isEmpty() && ProcessHandle.of(sleep).isEmpty());
        } finally {
            if (log != null && Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    ProcessHandle.of(Long.parseLong(line.split(" ")[1])).ifPresent(ProcessHandle::destroyForcibly);
                }
                Files.delete(log);
            }
        }
    }

    /** The pid of the sleep that child {@code pid} started, as {@link SleepStartingTask} logged it. */
    private static long sleepOf(Path log, long pid) throws IOException {
        for (String line : Files.readAllLines(log)) {
            String[] pids = line.split(" ");
            if (Long.parseLong(pids[0]) == pid) {
                return Long.parseLong(pids[1]);
            }
        }
        throw new AssertionError("child " + pid + " started no sleep: " + Files.readAllLines(log));
    }

    @Test
    void aConnectTimeoutTooLongToCountInNanoseconds_waitsWithoutEnd() throws Exception {
        // -Dmp4j.connectTimeoutSeconds=99999999999, say, to wait as long as it takes: every start threw an
        // ArithmeticException (long overflow) from Duration.toNanos()
        SpareJvms spares = new SpareJvms(ChildLauncher.get());
        LaunchSpec spec = new LaunchSpec(List.of("-Dmp4j.test.longTimeout=" + System.nanoTime()), new LinkedHashMap<>(),
                Map.of());
        byte[] task = Codec.standard().encode(nothing());
        Duration forever = Duration.ofSeconds(99_999_999_999L);
        try {
            ChildJvm child = spares.take(spec, forever, run(task), task);
            try {
                assertThat(child.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(child.process().exitValue()).isZero();
            } finally {
                child.discard();
            }
            Awaitility.await().atMost(Delays.seconds(60)).alias("the spare booted after it, connected")
                    .until(spares::sparePid, pid -> pid > 0);
        } finally {
            spares.closeSpare();
        }
    }

    /** A spec whose second JVM (the spare booted after the first take) never connects: see {@link StallingAgent}. */
    private LaunchSpec stallingSecondJvm() throws IOException {
        return stallingJvms(2, 2);
    }

    /** A spec whose JVMs from the {@code first}th to the {@code last}th never connect: see {@link StallingAgent}. */
    private LaunchSpec stallingJvms(int first, int last) throws IOException {
        Path jar = tmp.resolve("stalling-agent.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), StallingAgent.class.getName());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // the class itself is on the children's class path
        }
        Path folder = Files.createDirectory(tmp.resolve("jvms"));
        return new LaunchSpec(List.of("-javaagent:" + jar + "=" + folder + "," + first + "," + last),
                new LinkedHashMap<>(), Map.of());
    }

    /** Kills what a stalled JVM left, should the test have failed before it ended. */
    private void endStalled() throws IOException {
        stalledPids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    /** The pids of the stalled spare (the second JVM) and of the sleep it started, once both run. */
    private long[] awaitStalled() {
        return awaitStalled(2);
    }

    /** The pids of the stalled {@code n}th JVM and of the sleep it started, once both run. */
    private long[] awaitStalled(int n) {
        Path stalled = tmp.resolve("jvms").resolve("stalled-" + n);
        Awaitility.await().atMost(Delays.seconds(60)).alias("the spare booted after the first take stalls")
                .until(() -> Files.exists(stalled));
        try {
            return Arrays.stream(Files.readString(stalled).split(" ")).mapToLong(Long::parseLong).toArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] run(byte[] task) {
        return new OneShotProtocol.Run("spare-test", task).encode();
    }

    private static SerializableRunnable nothing() {
        return () -> { };
    }
}

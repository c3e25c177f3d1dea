package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.launch.fixtures.AotFixtureMain;
import io.github.multiprocessing4j.internal.launch.fixtures.AotHangingFixtureMain;
import io.github.multiprocessing4j.internal.launch.fixtures.AotLingeringFixtureMain;
import io.github.multiprocessing4j.internal.launch.fixtures.AotTrainingTasks;
import io.github.multiprocessing4j.internal.launch.fixtures.HoldsFileLock;
import io.github.multiprocessing4j.process.JvmProcess;
import io.github.multiprocessing4j.testing.ChildProcesses;
import io.github.multiprocessing4j.testing.BusyCarriers;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.TestJars;
import io.github.multiprocessing4j.testing.TestJvm;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AOT cache, end to end: a program whose class path is all jars trains a cache on its first run
 * (its exit waits for the training) and boots its children from it on the next, with nothing on stdout
 * but what the program and its child print.
 */
class AotCacheTest {

    @TempDir
    Path tmp;

    /** The fixture's jars and the cache trained for them once: see {@link #copyOfTrainedCache}. */
    @TempDir
    static Path shared;
    private static Trained sharedTraining;

    /** The fixture's class path, and a cache trained for it. */
    private record Trained(String classPath, Path cache) {
    }

    @Test
    void aJarOnlyClassPath_trainsACacheOnce_andLaterChildrenBootFromIt() throws Exception {
        String classPath = fixtureClassPath();
        Path cacheDir = tmp.resolve("aot");
        List<String> options = List.of("-Dmp4j.aot.dir=" + cacheDir);

        List<String> first = runToEnd(classPath, options);
        assertThat(first).hasSize(2);
        assertThat(first.get(0)).startsWith("ARGS ").doesNotContain("-XX:AOTCache=");
        assertThat(first.get(1)).isEqualTo("EXIT 0");
        try (Stream<Path> files = Files.list(cacheDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(name -> name.endsWith(".aot"));
        }

        List<String> second = runToEnd(classPath, options);
        assertThat(second).hasSize(2);
        assertThat(second.get(0)).startsWith("ARGS ").contains("-XX:AOTCache=" + cacheDir);
        assertThat(second.get(1)).isEqualTo("EXIT 0");
    }

    @Test
    void theTrainingRehearsesTheTaskOfTheStartThatCalledForIt_soTheCacheHoldsTheTasksClass() throws Exception {
        Trained trained = copyOfTrainedCache(tmp.resolve("aot"));
        String classPath = trained.classPath();
        Path cache = trained.cache();

        // A JVM booted from that cache (with the collector it was made with) finds there the class that wrote the
        // fixture's task, which only decoding that task loads: the training child never runs the fixture
        Path log = tmp.resolve("class-load.log");
        try (TestJvm jvm = TestJvm.start(classPath, AotFixtureMain.class.getName(), List.of("-XX:AOTCache=" + cache,
                "-XX:+UseSerialGC", "-Xlog:class+load=info:file=" + log, "-Dmp4j.aot=false"))) {
            assertThat(jvm.process().waitFor(120, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Files.readAllLines(log)).anyMatch(line -> line.contains(" " + AotFixtureMain.class.getName()
                + " source: shared objects file"));
    }

    @Test
    void aTrainingThatRehearsesATaskWhoseClassStartsAThreadThatIsNoDaemon_stillExitsAndWritesItsCache() throws Exception {
        Path coreJar = TestJars.jar(tmp.resolve("core.jar"), TestJars.classesOf(JvmProcess.class), p -> true);
        Path fixtureJar = TestJars.jar(tmp.resolve("fixture.jar"), TestJars.classesOf(AotLingeringFixtureMain.class),
                p -> p.toString().contains("fixtures/AotLingeringFixtureMain"));
        Path cacheDir = tmp.resolve("aot");
        try (TestJvm jvm = TestJvm.start(coreJar + File.pathSeparator + fixtureJar,
                AotLingeringFixtureMain.class.getName(), List.of("-Dmp4j.aot.dir=" + cacheDir))) {
            assertThat(jvm.process().waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(jvm.process().exitValue()).as("stderr: %s", jvm.stderr()).isZero();
        }
        // The training child decoded the task, whose class started the thread there, and never ran it: once done, it
        // exits all the same (the parent waits 20 s for it at exit), and writes its cache as it does
        try (Stream<Path> files = Files.list(cacheDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(name -> name.endsWith(".aot"));
        }
    }

    @Test
    void aTrainingWhoseRehearsalOfTheTaskHangs_stillEndsAndWritesItsCache() throws Exception {
        Path coreJar = TestJars.jar(tmp.resolve("core.jar"), TestJars.classesOf(JvmProcess.class), p -> true);
        Path fixtureJar = TestJars.jar(tmp.resolve("fixture.jar"), TestJars.classesOf(AotHangingFixtureMain.class),
                p -> p.toString().contains("fixtures/AotHangingFixtureMain"));
        Path cacheDir = tmp.resolve("aot");
        try (TestJvm jvm = TestJvm.start(coreJar + File.pathSeparator + fixtureJar,
                AotHangingFixtureMain.class.getName(), List.of("-Dmp4j.aot.dir=" + cacheDir))) {
            assertThat(jvm.process().waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(jvm.process().exitValue()).as("stderr: %s", jvm.stderr()).isZero();
        }
        // The training child's decode of the task waits in its class's static initializer: the training gives up on
        // that rehearsal, not on itself, and is done within the 20 s its parent waits for it at exit
        try (Stream<Path> files = Files.list(cacheDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(name -> name.endsWith(".aot"));
        }
    }

    /** Queues the training of another launch spec behind the one under way; the count says whether it ran. */
    private static AtomicInteger queueAnotherTraining(AotCache aot) {
        AtomicInteger ran = new AtomicInteger();
        assertThat(aot.lookup(new LaunchSpec(List.of("-Xmx64m"), new LinkedHashMap<>(), Map.of()), output -> {
            ran.incrementAndGet();
            return 1;
        })).isNull();
        return ran;
    }

    @Test
    void aTrainingChildThatConnectsButNeverFinishesItsTask_isKilledAtItsTimeout_andTheTrainingsQueuedBehindItRun()
            throws Exception {
        // After its RUN frame, the parent read the training child's DONE with no timeout: a child stuck anywhere but
        // in its rehearsal (which has a cap of its own) held the one training thread for good, so that no other
        // class path or option set got its cache in this JVM, and its exit waited for the training until it gave up.
        JavaRuntime jars = trainingRuntime();
        ChildLauncher launcher = new ChildLauncher(jars);
        Path dir = tmp.resolve("aot");
        AotCache aot = new AotCache(jars, dir);
        assertThat(aot.lookup(LaunchSpec.DEFAULT, output -> launcher.train(LaunchSpec.DEFAULT, output,
                AotTrainingTasks.stuck(), Delays.seconds(15)))).isNull();
        AtomicInteger later = queueAnotherTraining(aot);

        assertThat(aot.awaitIdle(Delays.seconds(90))).as("the trainings ended").isTrue();
        assertThat(later).as("trainings of the training queued behind the stuck one").hasValue(1);
        long pid = trainedInPid(dir);
        Awaitility.await().atMost(Delays.seconds(30)).until(() -> !ChildProcesses.running(pid));
    }

    @Test
    void aTrainingChildWhoseConnectionEndsWithoutItsReport_endsItsTrainingWithItsExitValue_andLaterTrainingsRun()
            throws Exception {
        // A training child that ends before it reports (it dies, or what it rehearses ends its JVM): the parent reads
        // the end of its connection where DONE was due, and neither waits out its timeout nor throws
        JavaRuntime jars = trainingRuntime();
        ChildLauncher launcher = new ChildLauncher(jars);
        Path dir = tmp.resolve("aot");
        AotCache aot = new AotCache(jars, dir);
        AtomicInteger exit = new AtomicInteger(Integer.MIN_VALUE);
        assertThat(aot.lookup(LaunchSpec.DEFAULT, output -> {
            exit.set(launcher.train(LaunchSpec.DEFAULT, output, AotTrainingTasks.halts(7), Delays.seconds(60)));
            return exit.get();
        })).isNull();
        AtomicInteger later = queueAnotherTraining(aot);

        assertThat(aot.awaitIdle(Delays.seconds(90))).as("the trainings ended").isTrue();
        assertThat(exit).as("what the training returned").hasValue(7);
        assertThat(later).as("trainings of the training queued behind it").hasValue(1);
        long pid = trainedInPid(dir);
        Awaitility.await().atMost(Delays.seconds(30)).until(() -> !ChildProcesses.running(pid));
    }

    @Test
    void aTrainingChildsReport_isRead_evenWhileVirtualThreadsHoldEveryCarrier() throws Exception {
        // The report was read on a virtual thread, which waited for a carrier while CPU-bound virtual threads held
        // them all (the scheduler never preempts): the training timed out, was killed, and no cache was made
        JavaRuntime jars = trainingRuntime();
        ChildLauncher launcher = new ChildLauncher(jars);
        Path output = Files.createDirectories(tmp.resolve("train")).resolve("probe.aot.tmp");
        try (BusyCarriers busy = BusyCarriers.all(Delays.seconds(90))) {
            assertThat(launcher.train(LaunchSpec.DEFAULT, output, AotTrainingTasks.halts(7), Delays.seconds(30)))
                    .as("the training child's exit value").isEqualTo(7);
            assertThat(busy.heldAllAlong()).as("the spinners held the carriers all along").isTrue();
        }
    }

    @Test
    void aTraining_runsOnAtTheNormalPriority_thoughTheThreadThatQueuedItInterruptsEveryThreadOfItsGroup()
            throws Exception {
        // The training thread was made by the thread that first looked a cache up (the first to start a child, a
        // background request's, say), in its group and at its priority: a program's ThreadGroup.interrupt() of that
        // group (as some frameworks do when they stop) reached the training's waits (for the child's report, for its
        // exit), which killed the training, and no cache was made; a lowest priority slowed every later training
        AotCache aot = new AotCache(fakeJarRuntime(), tmp.resolve("aot"));
        CountDownLatch training = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> seen = new AtomicReference<>();
        AotCache.Trainer trainer = output -> {
            Thread t = Thread.currentThread();
            seen.set(t.getPriority() + " " + t.getThreadGroup().getName());
            training.countDown();
            try {
                release.await(); // as the real training waits for the child's report, then for its exit
            } catch (InterruptedException e) {
                seen.set("interrupted in " + t.getThreadGroup().getName());
                throw e;
            }
            Files.writeString(output, "a cache");
            return 0;
        };
        ThreadGroup requests = new ThreadGroup("requests");
        AtomicReference<Path> found = new AtomicReference<>(tmp);
        Thread.ofPlatform().group(requests).priority(Thread.MIN_PRIORITY)
                .start(() -> found.set(aot.lookup(LaunchSpec.DEFAULT, trainer))).join();
        assertThat(found).as("a cache before any training").hasNullValue();
        assertThat(training.await(30, TimeUnit.SECONDS)).as("the training started").isTrue();
        requests.interrupt(); // before the release: the training is waiting, or about to
        release.countDown();

        assertThat(aot.awaitIdle(Delays.seconds(30))).as("the training ended").isTrue();
        assertThat(seen).hasValue(Thread.NORM_PRIORITY + " mp4j");
        assertThat(aot.lookup(LaunchSpec.DEFAULT, trainer)).as("the cache it trained").isNotNull();
    }

    /** The runtime of a training child whose class path is the library and {@link AotTrainingTasks}, in jars. */
    private JavaRuntime trainingRuntime() throws Exception {
        Path coreJar = TestJars.jar(tmp.resolve("core.jar"), TestJars.classesOf(JvmProcess.class), p -> true);
        Path taskJar = TestJars.jar(tmp.resolve("task.jar"), TestJars.classesOf(AotTrainingTasks.class),
                p -> p.toString().contains("fixtures/AotTrainingTasks"));
        return new JavaRuntime(JavaRuntime.current().java(), coreJar + File.pathSeparator + taskJar, "", List.of(), 25);
    }

    /**
     * The pid of the training child that ran one of {@link AotTrainingTasks} with {@code dir} as its cache folder, as
     * its kept log says; checks that the folder holds nothing else of it, no cache (half made or not) nor its
     * training folder, and nothing of the training that failed after it but its lock.
     */
    private static long trainedInPid(Path dir) throws IOException {
        Path log;
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> left = files.toList();
            assertThat(left).map(p -> p.getFileName().toString().replaceFirst("^[0-9a-f]+", "KEY"))
                    .containsExactlyInAnyOrder("KEY.lock", "KEY.lock", "KEY.log");
            log = left.stream().filter(p -> p.getFileName().toString().endsWith(".log")).findFirst().orElseThrow();
        }
        String output = Files.readString(log);
        assertThat(output).as("the training child's output").contains(AotTrainingTasks.STARTED);
        String after = output.substring(output.indexOf(AotTrainingTasks.STARTED) + AotTrainingTasks.STARTED.length());
        return Long.parseLong(after.lines().findFirst().orElseThrow().trim());
    }

    @Test
    void aDamagedCache_isRefusedByTheJdk_withoutALineOnTheChildsStderr() throws Exception {
        // The JDK checks a cache as it loads it and boots without one it refuses, but it printed four error
        // lines on every child's stderr; the cache is ours, not the user's, so its diagnostics stay quiet.
        Path cacheDir = tmp.resolve("aot");
        Trained trained = copyOfTrainedCache(cacheDir);
        String classPath = trained.classPath();
        List<String> options = List.of("-Dmp4j.aot.dir=" + cacheDir);
        Path cache = trained.cache();
        try (FileChannel file = FileChannel.open(cache, StandardOpenOption.WRITE)) {
            file.truncate(file.size() / 2);
        }

        try (TestJvm jvm = TestJvm.start(classPath, AotFixtureMain.class.getName(), options)) {
            assertThat(jvm.process().waitFor(120, TimeUnit.SECONDS)).isTrue();
            jvm.awaitOutputEnd(Duration.ofSeconds(30));
            assertThat(jvm.process().exitValue()).as("stderr: %s", jvm.stderr()).isZero();
            List<String> lines = jvm.drainLines();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).as("the child was given the cache").contains("-XX:AOTCache=" + cacheDir);
            assertThat(lines.get(1)).isEqualTo("EXIT 0");
            assertThat(jvm.stderr()).doesNotContain("aot]");
        }
    }

    @Test
    void aCacheDamagedInside_isDeletedOnceAChildDiesOfIt_andTheStartSucceedsWithoutIt() throws Exception {
        // The JDK checks a cache's header as it loads it, not its contents (no checksum unless
        // -XX:+VerifySharedSpaces, which costs every child tens of ms): a few bad bytes inside made every child
        // given the cache crash at boot (SIGSEGV), so that no child would start until the file was deleted by hand.
        Path cacheDir = tmp.resolve("aot");
        Path workDir = Files.createDirectory(tmp.resolve("work")); // where the crashing child leaves its hs_err file
        Trained trained = copyOfTrainedCache(cacheDir);
        String classPath = trained.classPath();
        List<String> options = List.of("-Dmp4j.aot.dir=" + cacheDir);
        Path cache = trained.cache();
        try (FileChannel file = FileChannel.open(cache, StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap("XXXXXXXXXXXXXXXX".getBytes(StandardCharsets.US_ASCII)), 4096);
        }

        try (TestJvm jvm = TestJvm.start(workDir, classPath, AotFixtureMain.class.getName(), options)) {
            assertThat(jvm.process().waitFor(120, TimeUnit.SECONDS)).isTrue();
            jvm.awaitOutputEnd(Duration.ofSeconds(30));
            List<String> lines = jvm.drainLines();
            assertThat(jvm.process().exitValue()).as("stdout: %s, stderr: %s", lines, jvm.stderr()).isZero();
            // the child that crashed printed its crash report on stdout before the one without the cache ran
            assertThat(lines.getLast()).isEqualTo("EXIT 0");
            assertThat(lines.get(lines.size() - 2)).startsWith("ARGS ").doesNotContain("-XX:AOTCache=");
        }
        // deleted, and (the spare's launch found no cache) trained again before that run exited
        if (Files.exists(cache)) {
            try (FileChannel file = FileChannel.open(cache, StandardOpenOption.READ)) {
                ByteBuffer at4096 = ByteBuffer.allocate(16);
                file.read(at4096, 4096);
                assertThat(new String(at4096.array(), StandardCharsets.US_ASCII)).isNotEqualTo("XXXXXXXXXXXXXXXX");
            }
        }

        // later runs start their child quietly, from a new cache once one is made
        for (int run = 0; run < 2; run++) {
            List<String> lines = runToEnd(classPath, options);
            assertThat(lines).hasSize(2);
            assertThat(lines.get(1)).isEqualTo("EXIT 0");
        }
        assertThat(runToEnd(classPath, options).getFirst()).contains("-XX:AOTCache=" + cacheDir);
    }

    @Test
    void aClassPathWithDirectories_usesNoCache() {
        JavaRuntime runtime = new JavaRuntime(Path.of("java"), System.getProperty("java.class.path"), "", List.of(), 25);
        assertThat(runtime.classPathIsJarsOnly()).as("the test class path has target/classes").isFalse();
        assertThat(new AotCache(runtime).lookup(LaunchSpec.DEFAULT, output -> {
            throw new AssertionError("must not train");
        })).isNull();
    }

    @Test
    void oldCaches_arePruned_keepingTheNewestEight() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("caches"));
        for (int i = 0; i < 11; i++) {
            Path cache = Files.writeString(dir.resolve("key" + i + ".aot"), "cache " + i);
            Files.writeString(dir.resolve("key" + i + ".log"), "log");
            Files.setLastModifiedTime(cache, FileTime.fromMillis(1_000_000L * (i + 1)));
        }
        AotCache.prune(dir);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".aot")))
                    .containsExactlyInAnyOrder("key3.aot", "key4.aot", "key5.aot", "key6.aot", "key7.aot", "key8.aot",
                            "key9.aot", "key10.aot");
        }
        assertThat(dir.resolve("key0.log")).doesNotExist();
        assertThat(dir.resolve("key10.log")).exists();
    }

    @Test
    void launchesThatDifferOnlyInSystemProperties_shareOneCache_andTrainingsRunOneAtATime() throws Exception {
        Path jar = Files.writeString(tmp.resolve("app.jar"), "not really a jar; the class path is only inspected");
        JavaRuntime runtime = new JavaRuntime(Path.of("java"), jar.toString(), "", List.of(), 25);
        AotCache aot = new AotCache(runtime, tmp.resolve("aot"));
        AtomicInteger trainings = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        AotCache.Trainer trainer = output -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            Thread.sleep(100);
            running.decrementAndGet();
            trainings.incrementAndGet();
            return 1; // made nothing
        };
        for (String mode : List.of("a", "b", "c")) {
            LinkedHashMap<String, String> properties = new LinkedHashMap<>();
            properties.put("app.mode", mode);
            assertThat(aot.lookup(new LaunchSpec(List.of(), properties, Map.of()), trainer)).isNull();
        }
        assertThat(aot.lookup(new LaunchSpec(List.of("-Xmx64m"), new LinkedHashMap<>(), Map.of()), trainer)).isNull();
        assertThat(aot.lookup(new LaunchSpec(List.of("-Xmx96m"), new LinkedHashMap<>(), Map.of()), trainer)).isNull();

        Awaitility.await().atMost(Delays.seconds(10)).until(() -> trainings.get() >= 3);
        Thread.sleep(300); // a training for another property value would have come by now
        assertThat(trainings).as("one per distinct option set, not per property value").hasValue(3);
        assertThat(mostAtOnce).as("trainings at once").hasValue(1);
    }

    @Test
    void pruning_deletesTheFilesOfTrainingsThatNobodyRuns_andNotOfOneUnderWay() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("caches"));
        Path orphan = Files.writeString(dir.resolve("abc123.aot.4242.tmp"), "half a cache");
        Path orphanConfig = Files.writeString(dir.resolve("abc123.aot.4242.tmp.config"), "config");
        Path orphanUnlocked = Files.writeString(dir.resolve("def456.aot.77.tmp"), "half a cache");
        Files.writeString(dir.resolve("def456.lock"), "");
        Path underWay = Files.writeString(dir.resolve("bee789.aot.99.tmp"), "training");
        // A training in another JVM holds its key's lock; the pid in the name means nothing here.
        try (TestJvm trainer = TestJvm.start(HoldsFileLock.class, List.of(), dir.resolve("bee789.lock").toString())) {
            assertThat(trainer.nextLine(30)).isEqualTo("locked");
            AotCache.prune(dir);
        }
        assertThat(orphan).doesNotExist();
        assertThat(orphanConfig).doesNotExist();
        assertThat(orphanUnlocked).doesNotExist();
        assertThat(underWay).exists();
    }

    @Test
    void jvmOptionsGivenInTheEnvironment_getACacheOfTheirOwn() throws Exception {
        // The java launcher reads these variables: -XX:-UseCompressedOops or --add-modules there make the JDK
        // refuse a cache trained without them, with error lines on every child's stderr.
        AotCache aot = new AotCache(fakeJarRuntime(), tmp.resolve("aot"));
        AtomicInteger trainings = new AtomicInteger();
        AotCache.Trainer trainer = output -> {
            trainings.incrementAndGet();
            Files.writeString(output, "a cache");
            return 0;
        };
        assertThat(aot.lookup(LaunchSpec.DEFAULT, trainer)).isNull();
        assertThat(aot.awaitIdle(Delays.seconds(10))).isTrue();
        Path plain = aot.lookup(LaunchSpec.DEFAULT, trainer);
        assertThat(plain).isNotNull();
        for (String variable : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")) {
            LaunchSpec spec = new LaunchSpec(List.of(), new LinkedHashMap<>(), Map.of(variable, "-XX:-UseCompressedOops"));
            assertThat(aot.lookup(spec, trainer)).as(variable).isNull();
            assertThat(aot.awaitIdle(Delays.seconds(10))).isTrue();
            Path own = aot.lookup(spec, trainer);
            assertThat(own).as(variable).isNotNull().isNotEqualTo(plain);
        }
        assertThat(trainings).hasValue(4);
    }

    @Test
    void anArchiveOptionGivenInTheEnvironment_isLeftToTheUser_noCacheIsTrained() throws Exception {
        // -Xshare (any value), -XX:SharedArchiveFile or an -XX:AOT option there cannot go with a training's
        // -XX:AOTCacheOutput ("Option AOTCacheOutput cannot be used at the same time with -Xshare:on, -Xshare:auto,
        // -Xshare:off..."): every run of the program started a training JVM that failed at boot, as the same option
        // in jvmOptions does not.
        AotCache aot = new AotCache(fakeJarRuntime(), tmp.resolve("aot"));
        AtomicInteger trainings = new AtomicInteger();
        AotCache.Trainer trainer = output -> {
            trainings.incrementAndGet();
            return 1;
        };
        for (String variable : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")) {
            for (String option : List.of("-Xshare:off", "-XX:SharedArchiveFile=/tmp/app.jsa", "-XX:AOTMode=off")) {
                LaunchSpec spec = new LaunchSpec(List.of(), new LinkedHashMap<>(), Map.of(variable, "-Xmx64m  " + option));
                assertThat(aot.lookup(spec, trainer)).as("%s=%s", variable, option).isNull();
            }
        }
        assertThat(aot.awaitIdle(Delays.seconds(10))).isTrue();
        assertThat(trainings).hasValue(0);
    }

    @Test
    void aJarReachedThroughAManifestClassPath_thatIsRebuilt_getsANewCache_notTheStaleOne() throws Exception {
        // `java -jar app.jar` (or -cp app.jar) with "Class-Path: lib/dep.jar" in app.jar's manifest: the JDK 25
        // does not check such a jar against the cache, and a child booted from a cache trained before dep.jar
        // was rebuilt (same name, say a SNAPSHOT of this library) ran the classes of the old dep.jar.
        Path lib = Files.createDirectory(tmp.resolve("lib"));
        Path dep = jarWith(lib.resolve("dep.jar"), null, "old");
        Path app = jarWith(tmp.resolve("app.jar"), "lib/dep.jar", "app");
        AotCache aot = new AotCache(new JavaRuntime(Path.of("java"), app.toString(), "", List.of(), 25), tmp.resolve("aot"));
        AotCache.Trainer trainer = output -> {
            Files.writeString(output, "a cache");
            return 0;
        };
        assertThat(aot.lookup(LaunchSpec.DEFAULT, trainer)).isNull();
        assertThat(aot.awaitIdle(Delays.seconds(10))).isTrue();
        Path trained = aot.lookup(LaunchSpec.DEFAULT, trainer);
        assertThat(trained).isNotNull();

        jarWith(dep, null, "new, and longer than the old");
        Files.setLastModifiedTime(dep, FileTime.fromMillis(Files.getLastModifiedTime(dep).toMillis() + 10_000));
        assertThat(aot.lookup(LaunchSpec.DEFAULT, trainer)).as("the cache trained with the old dep.jar").isNull();
        assertThat(aot.awaitIdle(Delays.seconds(10))).isTrue();
        assertThat(aot.lookup(LaunchSpec.DEFAULT, trainer)).isNotNull().isNotEqualTo(trained);
    }

    /** A jar holding one text entry, with {@code classPath} as its manifest's Class-Path unless null. */
    private static Path jarWith(Path jar, String classPath, String text) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (classPath != null) {
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new JarEntry("content.txt"));
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    @Test
    void aCache_isMadePrivate_andNotLoadedOnceOthersMayHaveWrittenIt() throws Exception {
        JavaRuntime runtime = fakeJarRuntime();
        Path dir = tmp.resolve("aot");
        AtomicInteger trainings = new AtomicInteger();
        AotCache.Trainer trainer = output -> {
            trainings.incrementAndGet();
            Files.writeString(output, "a cache");
            return 0;
        };
        AotCache aot = new AotCache(runtime, dir);
        assertThat(aot.lookup(LaunchSpec.DEFAULT, trainer)).isNull();
        assertThat(aot.awaitIdle(Delays.seconds(10))).isTrue();
        Path cache = aot.lookup(LaunchSpec.DEFAULT, trainer);
        assertThat(cache).as("trained in a folder of our own, then loaded from it").isNotNull();
        assertThat(trainings).hasValue(1);
        assertThat(Files.getPosixFilePermissions(cache)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        // Others may write to the folder: anyone could have planted or swapped the cache.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(aot.lookup(LaunchSpec.DEFAULT, trainer)).isNull();
        // Or to the file itself, as an older version left it under umask 002: not loaded, but made again.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThat(aot.lookup(LaunchSpec.DEFAULT, trainer)).isNull();
        assertThat(aot.awaitIdle(Delays.seconds(10))).isTrue();
        assertThat(aot.lookup(LaunchSpec.DEFAULT, trainer)).isEqualTo(cache);
        assertThat(trainings).hasValue(2);
        assertThat(Files.getPosixFilePermissions(cache)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        // Or a parent that is not sticky, where the folder can be renamed away and replaced.
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path moved = Files.move(dir, open.resolve("aot"));
        assertThat(new AotCache(runtime, moved).lookup(LaunchSpec.DEFAULT, trainer)).isNull();
        assertThat(trainings).as("no training either").hasValue(2);
    }

    @Test
    void aCacheOfAnotherUser_isNotLoaded() throws Exception {
        UserPrincipal nobody;
        try {
            nobody = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Path probe = Files.createFile(tmp.resolve("probe"));
            Files.setOwner(probe, nobody);
        } catch (IOException e) {
            Assumptions.abort("only root can give a file away: " + e);
            return;
        }
        JavaRuntime runtime = fakeJarRuntime();
        Path dir = tmp.resolve("aot");
        AotCache aot = new AotCache(runtime, dir);
        assertThat(aot.lookup(LaunchSpec.DEFAULT, output -> {
            Files.writeString(output, "a cache");
            return 0;
        })).isNull();
        assertThat(aot.awaitIdle(Delays.seconds(10))).isTrue();
        Path cache = aot.lookup(LaunchSpec.DEFAULT, output -> 1);
        assertThat(cache).isNotNull();
        Files.setOwner(cache, nobody);
        assertThat(aot.lookup(LaunchSpec.DEFAULT, output -> 1)).isNull();
        Files.setOwner(cache, Files.getOwner(dir));
        Files.setOwner(dir, nobody);
        assertThat(aot.lookup(LaunchSpec.DEFAULT, output -> 1)).isNull();
    }

    @Test
    void noTrainingRun_writesIntoAFolderThatOthersMayWriteTo() throws Exception {
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        AotCache aot = new AotCache(fakeJarRuntime(), shared);
        AtomicInteger trainings = new AtomicInteger();
        assertThat(aot.lookup(LaunchSpec.DEFAULT, output -> {
            trainings.incrementAndGet();
            return 1;
        })).isNull();
        assertThat(aot.awaitIdle(Delays.seconds(10))).isTrue();
        assertThat(trainings).hasValue(0);
        try (Stream<Path> files = Files.list(shared)) {
            assertThat(files).as("no lock, log or cache file in it").isEmpty();
        }
    }

    @Test
    void aTraining_writesInAFolderThatOnlyThisUserCanEnter_andLeavesOnlyPrivateFiles() throws Exception {
        // A cache folder of the user's own that others may enter but not write (0755, one they made and named in
        // mp4j.aot.dir): the JDK makes the cache as the umask allows, so what it writes must not be in that folder.
        Path dir = Files.createDirectory(tmp.resolve("aot"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        AtomicReference<String> trainedIn = new AtomicReference<>();
        AotCache aot = new AotCache(fakeJarRuntime(), dir);
        assertThat(aot.lookup(LaunchSpec.DEFAULT, output -> {
            trainedIn.set(PosixFilePermissions.toString(Files.getPosixFilePermissions(output.getParent())));
            Files.writeString(output, "a cache");
            Files.writeString(output.resolveSibling(output.getFileName() + ".log"), "the training child's output");
            return 0;
        })).isNull();
        assertThat(aot.awaitIdle(Delays.seconds(10))).isTrue();

        assertThat(trainedIn.get()).as("the mode of the folder the training writes in").isEqualTo("rwx------");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString().replaceFirst("^[0-9a-f]+", "KEY")))
                    .as("no training folder left behind").containsExactlyInAnyOrder("KEY.aot", "KEY.lock", "KEY.log");
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as("%s", p).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void anotherUserWhoMayEnterTheCacheFolder_cannotWriteIntoTheCacheThroughAFileOpenedDuringTraining() throws Exception {
        // Under umask 000 the JDK makes the cache 0666. In a folder others may enter, another user opens it to write
        // while it is trained, keeps the descriptor, and writes after the cache was checked, made 0600 and renamed:
        // every later child would map what they wrote.
        Path setpriv = Stream.of("/usr/bin/setpriv", "/bin/setpriv").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        Assumptions.assumeTrue(setpriv != null, "needs setpriv to act as another user");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "only root can act as another user");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = Files.createDirectory(tmp.resolve("aot"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        AtomicReference<Process> attacker = new AtomicReference<>();
        AtomicReference<String> attackerSaid = new AtomicReference<>();
        AotCache aot = new AotCache(fakeJarRuntime(), dir);
        assertThat(aot.lookup(LaunchSpec.DEFAULT, output -> {
            Files.writeString(output, "a cache");
            Files.setPosixFilePermissions(output, PosixFilePermissions.fromString("rw-rw-rw-")); // as under umask 000
            Process p = new ProcessBuilder(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                    "sh", "-c", "exec 3<>\"$1\" || exit 1; echo opened; read line; printf evil >&3", "sh", output.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            attacker.set(p);
            attackerSaid.set(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine());
            return 0;
        })).isNull();
        assertThat(aot.awaitIdle(Delays.seconds(30))).isTrue();
        Path cache = aot.lookup(LaunchSpec.DEFAULT, output -> 1);
        assertThat(cache).isNotNull();
        Process p = attacker.get();
        try (var toAttacker = p.getOutputStream()) {
            toAttacker.write('\n');
        } catch (IOException gone) {
            // it could not open the file, and exited
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(Files.readString(cache)).as("the cache, after the other user (who said %s) wrote", attackerSaid.get())
                .isEqualTo("a cache");
    }

    @Test
    void aCacheFolderReachedThroughALinkThatOthersCanRepoint_handsOutTheCacheItChecked_notWhatTheLinkNamesNow()
            throws Exception {
        // The cache folder is named through a link that another user can point elsewhere (it lies in a folder that
        // others may write to, as a link planted under /tmp where XDG_CACHE_HOME or mp4j.aot.dir points). The
        // folder it names is ours and private, so the checks pass; if the link then names their folder, with a
        // cache of theirs under the same name, the path handed to the child must still be the one checked.
        Path ours = Files.createDirectory(tmp.resolve("ours"));
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path link = Files.createSymbolicLink(open.resolve("cache"), ours);
        AtomicInteger repoint = new AtomicInteger();
        AotCache aot = new AotCache(fakeJarRuntime(), link, () -> {
            if (repoint.get() > 0) {
                Files.delete(link);
                Files.createSymbolicLink(link, theirs);
            }
        });
        assertThat(aot.lookup(LaunchSpec.DEFAULT, output -> {
            Files.writeString(output, "our cache");
            return 0;
        })).isNull();
        assertThat(aot.awaitIdle(Delays.seconds(10))).isTrue();
        Path trained;
        try (Stream<Path> files = Files.list(ours)) {
            trained = files.filter(p -> p.getFileName().toString().endsWith(".aot")).findFirst().orElseThrow();
        }
        Files.writeString(theirs.resolve(trained.getFileName()), "their cache");

        repoint.set(1);
        Path cache = aot.lookup(LaunchSpec.DEFAULT, output -> 1);

        assertThat(cache).isNotNull();
        assertThat(Files.readString(cache)).as("what %s holds", cache).isEqualTo("our cache");
    }

    /** A runtime whose class path is one jar, so that the cache applies (the jar is only inspected). */
    private JavaRuntime fakeJarRuntime() throws IOException {
        Path jar = Files.writeString(tmp.resolve("app.jar"), "not really a jar; the class path is only inspected");
        return new JavaRuntime(Path.of("java"), jar.toString(), "", List.of(), 25);
    }

    /** The library and {@link AotFixtureMain}, each in a jar of its own: a class path the AOT cache serves. */
    private String fixtureClassPath() throws Exception {
        return fixtureClassPath(tmp);
    }

    /** The fixture's class path: jars made in {@code dir}. */
    private static String fixtureClassPath(Path dir) throws Exception {
        Path coreJar = TestJars.jar(dir.resolve("core.jar"), TestJars.classesOf(JvmProcess.class), p -> true);
        Path fixtureJar = TestJars.jar(dir.resolve("fixture.jar"), TestJars.classesOf(AotFixtureMain.class),
                p -> p.toString().contains("fixtures/AotFixtureMain"));
        return coreJar + File.pathSeparator + fixtureJar;
    }

    /**
     * The fixture's class path (jars in {@link #shared}) and a copy, in {@code cacheDir} (made here, mode 0700), of a
     * cache trained for it: for the tests that need a trained cache to load or damage, not the training itself. That
     * training runs once for them all (its run is some 2 s) and is left untouched; each test has its own copy. A
     * cache's key, and the JDK's check of it, depend on the class path and the JVM, not on the folder it is in.
     */
    private static synchronized Trained copyOfTrainedCache(Path cacheDir) throws Exception {
        if (sharedTraining == null) {
            String classPath = fixtureClassPath(Files.createDirectories(shared.resolve("jars")));
            Path dir = shared.resolve("aot");
            sharedTraining = new Trained(classPath, trainedCache(classPath, List.of("-Dmp4j.aot.dir=" + dir), dir));
        }
        Files.createDirectories(cacheDir,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path cache = sharedTraining.cache();
        // its attributes too: a cache that others may write (under umask 002, say) is not loaded
        return new Trained(sharedTraining.classPath(),
                Files.copy(cache, cacheDir.resolve(cache.getFileName()), StandardCopyOption.COPY_ATTRIBUTES));
    }

    /** Runs the fixture once, which trains the cache in {@code cacheDir}, and returns the cache file. */
    private static Path trainedCache(String classPath, List<String> options, Path cacheDir) throws Exception {
        runToEnd(classPath, options);
        try (Stream<Path> files = Files.list(cacheDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".aot")).findFirst().orElseThrow();
        }
    }

    /** Runs the fixture to its end and returns every line it printed on stdout. */
    private static List<String> runToEnd(String classPath, List<String> options) throws Exception {
        try (TestJvm jvm = TestJvm.start(classPath, AotFixtureMain.class.getName(), options)) {
            assertThat(jvm.process().waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(jvm.process().exitValue()).as("stderr: %s", jvm.stderr()).isZero();
            jvm.awaitOutputEnd(Duration.ofSeconds(30));
            return jvm.drainLines();
        }
    }
}

package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.internal.launch.fixtures.StallingAgent;
import io.github.multiprocessing4j.internal.worker.OneShotProtocol;
import io.github.multiprocessing4j.testing.Delays;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm spare's slot, with spares that never connect back ({@link StallingAgent}). */
class SpareJvmsTest {
    /** The connect timeout the takes give: the first child must start within it on a loaded machine. */
    private static final Duration CONNECT_TIMEOUT = Delays.seconds(15);

    @TempDir
    Path tmp;

    @Test
    void aSpareThatNeverConnects_isKilledWithWhatItStarted_andTheNextTakeBootsANewOne() throws Exception {
        SpareJvms spares = new SpareJvms(ChildLauncher.get());
        LaunchSpec spec = stallingSecondJvm();
        byte[] task = Codec.standard().encode(nothing());
        try {
            spares.take(spec, CONNECT_TIMEOUT, run(task), task).discard();
            long[] stalled = awaitStalled();
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
    void withDirectStartsOff_aTakeOfASpareThatNeverConnects_killsItWithWhatItStarted_andStartsAFreshChild()
            throws Exception {
        SpareJvms spares = new SpareJvms(ChildLauncher.get());
        LaunchSpec spec = stallingSecondJvm();
        byte[] task = Codec.standard().encode(nothing());
        System.setProperty("mp4j.directStart", "false");
        try {
            spares.take(spec, CONNECT_TIMEOUT, run(task), task).discard();
            long[] stalled = awaitStalled();
            // takes the booting spare, waits for it to connect for the timeout, and starts a fresh child
            ChildJvm child = spares.take(spec, CONNECT_TIMEOUT, run(task), task);
            child.discard();
            assertThat(child.pid()).isNotEqualTo(stalled[0]);
            assertThat(child.isConnected()).isTrue();
            // Its wait killed the spare, but not the sleep it had started, which ran on, re-parented to init
            Awaitility.await().atMost(Delays.seconds(30)).alias("the spare that missed its timeout, and its sleep, end")
                    .until(() -> ProcessHandle.of(stalled[0]).isEmpty() && ProcessHandle.of(stalled[1]).isEmpty());
        } finally {
            System.clearProperty("mp4j.directStart");
            spares.closeSpare();
        }
    }

    /** A spec whose second JVM (the spare booted after the first take) never connects: see {@link StallingAgent}. */
    private LaunchSpec stallingSecondJvm() throws IOException {
        Path jar = tmp.resolve("stalling-agent.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), StallingAgent.class.getName());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // the class itself is on the children's class path
        }
        Path folder = Files.createDirectory(tmp.resolve("jvms"));
        return new LaunchSpec(List.of("-javaagent:" + jar + "=" + folder), new LinkedHashMap<>(), Map.of());
    }

    /** The pids of the stalled spare and of the sleep it started, once both run. */
    private long[] awaitStalled() {
        Path stalled = tmp.resolve("jvms").resolve("stalled-2");
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

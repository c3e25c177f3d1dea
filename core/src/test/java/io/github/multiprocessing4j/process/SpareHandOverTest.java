package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.launch.SpareJvms;
import io.github.multiprocessing4j.testing.Delays;
import java.nio.file.Files;
import java.nio.file.Path;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm spare JVM takes over a start only if it was booted with the settings that start needs. */
class SpareHandOverTest {
    private static final String SETTING = "mp4j.spareHandOverTest.setting";

    @TempDir
    Path tmp;

    private static JvmProcess start(String name, String out) {
        return JvmProcess.builder().name(name)
                // a spec of its own, so that the spare booted after the first start is one for this spec
                .environment("MP4J_SPARE_HAND_OVER_TEST", "1")
                .task(() -> JvmProcessTest.write(out, String.valueOf(System.getProperty(SETTING))))
                .start();
    }

    @Test
    void anMp4jSettingChangedAfterTheSpareBooted_isTheSettingTheNextChildRunsWith() throws Exception {
        String first = tmp.resolve("first").toString();
        String second = tmp.resolve("second").toString();
        try {
            // twice: after starts of other specs (earlier tests), the first start of this one boots no spare
            for (int i = 0; i < 2; i++) {
                try (JvmProcess child = start("before-change", first)) {
                    child.join();
                }
            }
            assertThat(Files.readString(Path.of(first))).isEqualTo("null");
            // the spare for this spec has booted (with the settings of that moment)
            Awaitility.await().atMost(Delays.seconds(60)).until(() -> SpareJvms.get().sparePid() != -1);

            System.setProperty(SETTING, "changed"); // as -Dmp4j.serialFilter=... is, it is handed to children
            try (JvmProcess child = start("after-change", second)) {
                child.join();
                assertThat(child.exitCode()).hasValue(0);
            }
            assertThat(Files.readString(Path.of(second))).isEqualTo("changed");
        } finally {
            System.clearProperty(SETTING);
        }
    }
}

package io.github.multiprocessing4j.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.LogCapture;
import io.github.multiprocessing4j.testing.TestJvm;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The library's system properties: a value that is no value of its kind was replaced by the default without a word
 * ({@code Long.getLong}, a compare with "false"), so that a setting that looked set did nothing.
 */
class SettingsTest {
    /** Names no other test sets: each test's warnings are its own (they are said once per name and value). */
    private static final String NUMBER = "mp4j.test.settings.number";
    private static final String SWITCH = "mp4j.test.settings.switch";

    private LogCapture log;

    @BeforeEach
    void listen() {
        log = LogCapture.of(Settings.class);
    }

    @AfterEach
    void stopListening() {
        log.close();
        System.clearProperty(NUMBER);
        System.clearProperty(SWITCH);
    }

    @Test
    void aNumberThatIsNoNumber_isWarnedOfOnce_andTheDefaultUsed() {
        assertThat(Settings.number(NUMBER, 50, 0)).as("unset").isEqualTo(50);
        System.setProperty(NUMBER, " 7 ");
        assertThat(Settings.number(NUMBER, 50, 0)).isEqualTo(7);
        assertThat(log.lines()).isEmpty();

        System.setProperty(NUMBER, "1m");
        assertThat(Settings.number(NUMBER, 50, 0)).isEqualTo(50);
        assertThat(Settings.number(NUMBER, 50, 0)).isEqualTo(50);
        assertThat(log.lines()).containsExactly("WARNING -D" + NUMBER + "=1m is no whole number: using 50"
                + " (see the README's Configuration)");
    }

    @Test
    void aNumberBelowItsLeast_isWarnedOf_andTheLeastUsed() {
        System.setProperty(NUMBER, "-3");
        assertThat(Settings.number(NUMBER, 60, 1)).isEqualTo(1);
        assertThat(log.lines()).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("-D" + NUMBER + "=-3 is below 1: using 1");
    }

    @Test
    void aSwitch_isOffOnlyForFalse_andAnythingElseButTrueIsWarnedOf() {
        assertThat(Settings.isOn(SWITCH)).as("unset").isTrue();
        System.setProperty(SWITCH, "FALSE");
        assertThat(Settings.isOn(SWITCH)).isFalse();
        System.setProperty(SWITCH, "True");
        assertThat(Settings.isOn(SWITCH)).isTrue();
        assertThat(log.lines()).isEmpty();

        System.setProperty(SWITCH, "no"); // it looked off, and stayed on without a word
        assertThat(Settings.isOn(SWITCH)).isTrue();
        assertThat(log.lines()).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("-D" + SWITCH + "=no is neither true nor false: it stays on (true)");
    }

    @Test
    void aPoolSpinOfMoreMicrosecondsThanNanosecondsCanCount_isForEver_notNegative() {
        // microseconds times 1000 overflowed to a negative spin, which turned polling off: the opposite of the setting
        String before = System.getProperty(Settings.POOL_SPIN_MICROS);
        try {
            System.setProperty(Settings.POOL_SPIN_MICROS, "9300000000000000");
            assertThat(Settings.poolSpinNanos()).isEqualTo(Long.MAX_VALUE);
            System.setProperty(Settings.POOL_SPIN_MICROS, "7");
            assertThat(Settings.poolSpinNanos()).isEqualTo(7_000);
            System.clearProperty(Settings.POOL_SPIN_MICROS);
            assertThat(Settings.poolSpinNanos()).as("unset").isEqualTo(50_000);
        } finally {
            if (before == null) {
                System.clearProperty(Settings.POOL_SPIN_MICROS);
            } else {
                System.setProperty(Settings.POOL_SPIN_MICROS, before);
            }
        }
    }

    @Test
    void aConnectTimeoutOfZero_isOneSecond() {
        String before = System.getProperty(Settings.CONNECT_TIMEOUT_SECONDS);
        try {
            System.setProperty(Settings.CONNECT_TIMEOUT_SECONDS, "0"); // every start failed "within 0 s"
            assertThat(Settings.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        } finally {
            if (before == null) {
                System.clearProperty(Settings.CONNECT_TIMEOUT_SECONDS);
            } else {
                System.setProperty(Settings.CONNECT_TIMEOUT_SECONDS, before);
            }
        }
    }

    @Test
    void aWrongSetting_isWarnedOfByTheParentOnce_notAgainByEachChild() throws Exception {
        try (TestJvm jvm = TestJvm.start(WrongSettingsMain.class,
                List.of("-Dmp4j.connectTimeoutSeconds=1m", "-Dmp4j.pool.spinMicros=fast"))) {
            assertThat(jvm.nextLine(120)).isEqualTo("DONE 2");
            assertThat(jvm.process().waitFor(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            String stderr = jvm.stderr();
            assertThat(stderr.split("-Dmp4j.connectTimeoutSeconds=1m is no whole number: using 60", -1))
                    .as("warnings of the timeout in:\n%s", stderr).hasSize(2);
            assertThat(stderr.split("-Dmp4j.pool.spinMicros=fast is no whole number: using 50", -1))
                    .as("warnings of the spin in:\n%s", stderr).hasSize(2);
        }
    }
}

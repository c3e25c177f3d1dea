package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a parent takes for a way to give a child a JVM-wide deserialization filter (see {@link JvmWideFilterSources}). */
class JvmWideFilterSourcesTest {

    private static LaunchSpec spec(List<String> options, Map<String, String> properties, Map<String, String> environment) {
        return new LaunchSpec(options, new LinkedHashMap<>(properties), environment);
    }

    @Test
    void aChildWithPlainOptions_canHaveNone_whenThisJvmHasNone() {
        assertThat(System.getProperty("java.security.properties")).as("this test JVM's set-up").isNull();
        assertThat(java.security.Security.getProperty("jdk.serialFilter")).as("this JDK's java.security").isNull();

        assertThat(JvmWideFilterSources.noneReach(LaunchSpec.DEFAULT)).isTrue();
        assertThat(JvmWideFilterSources.noneReach(spec(List.of("-Xmx64m", "-Dapp.mode=batch", "-Djava.security.egd=file:/dev/./urandom"), Map.of("user.timezone", "UTC"),
                Map.of("LANG", "C")))).isTrue();
        // JDK settings that name no class of the user's
        assertThat(JvmWideFilterSources.noneReach(spec(List.of("-Djava.util.concurrent.ForkJoinPool.common.parallelism=4",
                "-Djava.util.logging.SimpleFormatter.format=%5$s%n", "-Djava.locale.providers=CLDR"), Map.of(),
                Map.of()))).isTrue();
    }

    @Test
    void everyWayToGiveOneOrToRunCodeBeforeTheTask_countsAsOne() {
        List<LaunchSpec> ways = List.of(
                spec(List.of("-Djdk.serialFilter=!*"), Map.of(), Map.of()),
                spec(List.of(), Map.of("jdk.serialFilter", "!*"), Map.of()),
                spec(List.of(), Map.of("jdk.serialFilterFactory", "com.acme.Factory"), Map.of()),
                spec(List.of("-Djava.security.properties=/etc/extra.security"), Map.of(), Map.of()),
                spec(List.of("-javaagent:/opt/agent.jar"), Map.of(), Map.of()),
                spec(List.of("-agentpath:/opt/libagent.so"), Map.of(), Map.of()),
                spec(List.of("-Djava.system.class.loader=com.acme.Loader"), Map.of(), Map.of()),
                spec(List.of("@/opt/more-options"), Map.of(), Map.of()),
                spec(List.of("-XX:VMOptionsFile=/opt/vm.options"), Map.of(), Map.of()),
                spec(List.of("-Xrunjdwp:transport=dt_socket,server=y,suspend=n"), Map.of(), Map.of()),
                spec(List.of("--patch-module", "java.base=/opt/patched"), Map.of(), Map.of()),
                spec(List.of(), Map.of(), Map.of("JDK_JAVA_OPTIONS", "--patch-module=java.base=/opt/patched")),
                spec(List.of(), Map.of(), Map.of("JDK_JAVA_OPTIONS", "-Djdk.serialFilter=!*")),
                spec(List.of(), Map.of(), Map.of("JAVA_TOOL_OPTIONS", "-javaagent:/opt/agent.jar")),
                spec(List.of(), Map.of(), Map.of("_JAVA_OPTIONS", "@/opt/more-options")),
                spec(List.of(), Map.of("java.nio.file.spi.DefaultFileSystemProvider", "com.acme.Fs"), Map.of()),
                spec(List.of("-Djava.nio.channels.spi.SelectorProvider=com.acme.Selectors"), Map.of(), Map.of()),
                spec(List.of("-Djava.util.logging.config.class=com.acme.LogConfig"), Map.of(), Map.of()),
                spec(List.of("-Djava.util.concurrent.ForkJoinPool.common.threadFactory=com.acme.Threads"), Map.of(),
                        Map.of()),
                spec(List.of(), Map.of(), Map.of("JDK_JAVA_OPTIONS", "-Djava.time.zone.DefaultZoneRulesProvider=com.acme.Tz")));
        for (LaunchSpec way : ways) {
            assertThat(JvmWideFilterSources.noneReach(way)).as("%s", way).isFalse();
        }
    }
}

package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.process.fixtures.FilterSettingFileSystemProvider;
import io.github.multiprocessing4j.process.fixtures.RefusingTasksFilterFactory;
import io.github.multiprocessing4j.testing.Delays;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.example.Tasks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A value bound for a child is judged on the way out by the deserialization filter the child will run with:
 * this JVM's, unless the child is given a {@code mp4j.serialFilter} of its own, which then alone decides.
 */
class ChildSerialFilterTest {
    private static final String PROPERTY = "mp4j.serialFilter";

    @TempDir
    Path tmp;

    private static URL url() throws Exception {
        return URI.create("http://localhost/mp4j").toURL(); // refused by the default filter: a gadget host
    }

    /**
     * Every way a child can be given a JVM-wide filter: a child started with its task decodes it without asking the
     * JDK for one only when its parent found none of these (see JvmWideFilterSources), so each must still refuse.
     */
    static List<Arguments> jvmWideFilterSources() throws Exception {
        String refuseTasks = "!" + Tasks.class.getName();
        Path securityFile = Files.createTempFile("mp4j-security", ".properties");
        Files.writeString(securityFile, "jdk.serialFilter=" + refuseTasks + "\n");
        securityFile.toFile().deleteOnExit();
        return List.of(
                Arguments.of("an option", (UnaryOperator<JvmProcess.Builder>) b -> b.jvmOptions(List.of("-Djdk.serialFilter=" + refuseTasks))),
                Arguments.of("a system property", (UnaryOperator<JvmProcess.Builder>) b -> b.systemProperty("jdk.serialFilter", refuseTasks)),
                Arguments.of("JDK_JAVA_OPTIONS", (UnaryOperator<JvmProcess.Builder>) b -> b.environment("JDK_JAVA_OPTIONS", "-Djdk.serialFilter=" + refuseTasks)),
                Arguments.of("a security properties file", (UnaryOperator<JvmProcess.Builder>) b -> b.jvmOptions(List.of("-Djava.security.properties=" + securityFile))),
                // code of the user's that the JDK runs before the task: the default file system's provider, made at
                // the child's first use of a path, which sets the filter
                Arguments.of("a filter factory", (UnaryOperator<JvmProcess.Builder>) b -> b.systemProperty(
                        "jdk.serialFilterFactory", RefusingTasksFilterFactory.class.getName())),
                Arguments.of("a default file system provider", (UnaryOperator<JvmProcess.Builder>) b -> b.systemProperty(
                        "java.nio.file.spi.DefaultFileSystemProvider", FilterSettingFileSystemProvider.class.getName())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jvmWideFilterSources")
    void aJvmWideFilterGivenToAChild_refusesATaskWhoseClassItNames(String source, UnaryOperator<JvmProcess.Builder> given)
            throws Exception {
        try (JvmProcess child = given.apply(JvmProcess.builder().name("jvm-wide-filter").task(Tasks.nothing())).start()) {
            assertThat(child.join(Delays.seconds(60))).isTrue();
            assertThat(child.exitCode()).hasValue(1);
            assertThat(child.failure()).hasValueSatisfying(failure -> assertThat(failure).hasMessageContaining(
                    Tasks.class.getName() + " is refused by the JVM-wide deserialization filter"));
        }
    }

    @Test
    void aValueTheDefaultFilterRefuses_isRefusedAtTheStart_ofAChildWithThatFilter() throws Exception {
        URL url = url();
        assertThatThrownBy(() -> JvmProcess.start("default-filter", () -> JvmProcessTest.write("unused", url.toString())))
                .isInstanceOf(EncodingException.class).hasMessageContaining("java.net.URL");
    }

    @Test
    void aChildGivenAFilterOfItsOwn_thatAllowsTheValue_getsIt() throws Exception {
        URL url = url();
        String out = tmp.resolve("own-filter").toString();
        try (JvmProcess child = JvmProcess.builder().name("own-filter").systemProperty(PROPERTY, "java.net.URL")
                .task(() -> JvmProcessTest.write(out, url.toString())).start()) {
            assertThat(child.join(Delays.seconds(60))).isTrue();
            assertThat(child.failure()).isEmpty();
            assertThat(child.exitCode()).hasValue(0);
        }
        assertThat(Files.readString(Path.of(out))).isEqualTo("http://localhost/mp4j");
    }

    @Test
    void aFilterSetInThisJvmAfterItsCodecWasMade_isTheOneChildrenGet_andSoTheOneThatJudges() throws Exception {
        URL url = url();
        String out = tmp.resolve("changed-filter").toString();
        assertThat(System.getProperty(PROPERTY)).as("this test sets and clears the property").isNull();
        assertThat(Codec.standard().encode(url)).isNotEmpty(); // the codec, and its filter, are made before the change
        System.setProperty(PROPERTY, "java.net.URL"); // handed to children from now on, as every mp4j.* setting
        try (JvmProcess child = JvmProcess.start("changed-filter", () -> JvmProcessTest.write(out, url.toString()))) {
            assertThat(child.join(Delays.seconds(60))).isTrue();
            assertThat(child.failure()).isEmpty();
            assertThat(child.exitCode()).hasValue(0);
        } finally {
            System.clearProperty(PROPERTY);
        }
        assertThat(Files.readString(Path.of(out))).isEqualTo("http://localhost/mp4j");
    }

    @Test
    void aPoolWhoseWorkersAreGivenAFilterOfTheirOwn_thatAllowsTheValue_getsIt() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().processes(1).jvmOptions(List.of("-D" + PROPERTY + "=java.net.URL"))
                .build()) {
            assertThat(pool.<URL, String>apply(URL::toString, url())).isEqualTo("http://localhost/mp4j");
        }
    }
}

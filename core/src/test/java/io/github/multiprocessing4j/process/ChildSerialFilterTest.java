package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.testing.Delays;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

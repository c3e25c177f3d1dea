package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.process.RemoteTaskException;
import io.github.multiprocessing4j.testing.AssertingException;
import org.junit.jupiter.api.Test;

class ThrowableCodecTest {

    @Test
    void anExceptionWhosePrintingMethodsThrowErrors_isStillWritten_andComesBackAsItself() {
        // getMessage(), toString(), getStackTrace() and getCause() throw AssertionErrors: write, stackTraceOf and
        // describe let them escape (they caught only exceptions and StackOverflowError), which ended a pool worker
        AssertingException failure = new AssertingException();
        ByteSink sink = new ByteSink();
        ThrowableCodec.write(failure, sink);
        ByteSource source = new ByteSource(sink.toByteArray());

        assertThat(ThrowableCodec.read(source, "here")).isInstanceOf(AssertingException.class);
        assertThat(source.remaining()).isZero();
        assertThat(ThrowableCodec.stackTraceOf(failure)).startsWith(AssertingException.class.getName())
                .contains("getMessage() threw java.lang.AssertionError")
                .contains("getStackTrace() threw java.lang.AssertionError");
        assertThat(ThrowableCodec.describe(failure))
                .isEqualTo(AssertingException.class.getName() + " (its toString() threw java.lang.AssertionError)");
    }

    @Test
    void anExceptionThatAnInvalidFilterCannotReadBack_comesBackAsItsText_withTheFiltersErrorForCause() {
        // Only a DecodingException fell back to the text: the filter's IllegalArgumentException escaped, and the
        // failure was lost (a child JVM's report was taken for none, its failure() empty)
        ByteSink sink = new ByteSink();
        ThrowableCodec.write(new IllegalStateException("it failed there"), sink);
        StandardCodec invalid = new StandardCodec(SerialFilter.fromProperty("maxdepth=ten"));
        ByteSource source = new ByteSource(sink.toByteArray());

        assertThat(ThrowableCodec.read(source, "child JVM 1", invalid)).isInstanceOfSatisfying(RemoteTaskException.class,
                e -> {
                    assertThat(e.remoteClassName()).isEqualTo(IllegalStateException.class.getName());
                    assertThat(e.remoteMessage()).isEqualTo("it failed there");
                    assertThat(e.getCause()).isInstanceOf(IllegalArgumentException.class)
                            .hasMessageContaining("invalid -Dmp4j.serialFilter=maxdepth=ten");
                });
        assertThat(source.remaining()).isZero();
    }
}

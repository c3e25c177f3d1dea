package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
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
}

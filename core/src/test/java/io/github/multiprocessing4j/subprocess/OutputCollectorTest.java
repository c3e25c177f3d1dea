package io.github.multiprocessing4j.subprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What becomes of a pipe that ends, and of one whose read fails half-way. */
class OutputCollectorTest {

    @Test
    void aStreamReadToItsEnd_isCompleteWithEveryByte() throws Exception {
        byte[] data = new byte[300_000]; // several chunks
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        OutputCollector collector = OutputCollector.start(new ByteArrayInputStream(data), "stdout of test");
        assertThat(collector.await(Deadline.after(Duration.ofSeconds(10)))).isTrue();
        assertThat(collector.complete().toArray()).isEqualTo(data);
    }

    @Test
    void aReadThatFailsHalfWay_isNotPassedOffAsTheWholeOutput() throws Exception {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("Input/output error");
            }
        };
        InputStream source = new SequenceInputStream(new ByteArrayInputStream(new byte[1234]), failing);
        OutputCollector collector = OutputCollector.start(source, "stdout of test");

        assertThat(collector.await(Deadline.after(Duration.ofSeconds(10)))).isTrue();
        assertThat(collector.snapshot().size()).as("what was read is kept for reports").isEqualTo(1234);
        assertThatThrownBy(collector::complete)
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage("reading stdout of test failed after 1234 bytes, so its output is incomplete: Input/output error")
                .hasCauseInstanceOf(IOException.class);
    }
}

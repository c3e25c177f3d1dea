package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The start signal of a direct child is cut out of its stdout, wherever it comes and however the reads split it. */
class StartSignalTest {
    private static final byte[] SIGNAL = "ABAC".getBytes(StandardCharsets.US_ASCII);

    /** Feeds {@code stream} in reads of {@code chunk} bytes; returns what passes, then what is kept at the end. */
    private static String pass(StartSignal signal, String stream, int chunk) {
        byte[] bytes = stream.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < bytes.length; i += chunk) {
            byte[] read = java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + chunk));
            if (signal.isSeen()) {
                out.writeBytes(read);
            } else {
                out.writeBytes(signal.filter(read, read.length));
            }
        }
        if (!signal.isSeen()) {
            out.writeBytes(signal.rest());
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void theSignalFirst_isCutOut_andWhatFollowsPasses_whateverTheReads() {
        for (int chunk = 1; chunk <= 12; chunk++) {
            StartSignal signal = new StartSignal(SIGNAL);
            assertThat(pass(signal, "ABAChello\n", chunk)).as("reads of %d", chunk).isEqualTo("hello\n");
            assertThat(signal.seen()).isCompleted();
        }
    }

    @Test
    void bytesBeforeTheSignal_thatBeginItOrOverlapIt_passUnchanged() {
        // "ABAB" then "ABAC": after "ABA", a 'B' breaks the match, but "AB" may still begin the signal; the "ABAC" after
        // the signal is the program's own
        for (int chunk = 1; chunk <= 12; chunk++) {
            StartSignal signal = new StartSignal(SIGNAL);
            assertThat(pass(signal, "xABABACyABAC", chunk)).as("reads of %d", chunk).isEqualTo("xAByABAC");
            assertThat(signal.seen()).isCompleted();
        }
    }

    @Test
    void aStreamThatEndsWithoutTheSignal_passesWhole_evenItsPartialMatch() {
        for (int chunk = 1; chunk <= 12; chunk++) {
            StartSignal signal = new StartSignal(SIGNAL);
            assertThat(pass(signal, "Error: bad option\nABA", chunk)).as("reads of %d", chunk)
                    .isEqualTo("Error: bad option\nABA");
            assertThat(signal.seen()).isNotDone();
        }
    }

    @Test
    void onlyTheFirstSignalIsCut_aSecondOneIsTheProgramsOutput() {
        StartSignal signal = new StartSignal(SIGNAL);
        assertThat(pass(signal, "ABACABAC", 8)).isEqualTo("ABAC");
    }
}

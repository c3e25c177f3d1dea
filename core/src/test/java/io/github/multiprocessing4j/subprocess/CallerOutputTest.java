package io.github.multiprocessing4j.subprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Gen;
import io.github.multiprocessing4j.testing.Tries;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lines of a pipe, read so that what follows the lines taken is still there for the next read. */
class CallerOutputTest {

    /** Output made of line ends (\n, \r, \r\n), text, multi-byte and invalid UTF-8, as a pipe delivers it. */
    record Output(byte[] bytes, int maxRead, int linesTaken) {
    }

    private static Output output(Gen gen) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pieces = gen.size(0, 60);
        for (int i = 0; i < pieces; i++) {
            out.writeBytes(gen.pick("\n", "\r", "\r\n", "a", "line", "é", "€", "\uD83D\uDE00", "\u00ff")
                    .getBytes(StandardCharsets.UTF_8));
            if (gen.oneIn(10)) {
                out.write(0xff); // never valid in UTF-8
            }
        }
        return new Output(out.toByteArray(), gen.intBetween(1, 9), gen.intBetween(0, 12));
    }

    @Test
    void readLine_splitsAsBufferedReader_andLeavesTheRestForTheNextRead() {
        Tries.forAll(500, CallerOutputTest::output, o -> {
            List<String> expected = lines(new ByteArrayInputStream(o.bytes()), StandardCharsets.UTF_8);
            CallerOutput in = new CallerOutput(new Trickle(o.bytes(), o.maxRead()));

            List<String> taken = new ArrayList<>();
            String line;
            while (taken.size() < o.linesTaken() && (line = in.readLine(StandardCharsets.UTF_8)) != null) {
                taken.add(line);
            }
            byte[] rest = in.readAllBytes();

            List<String> all = new ArrayList<>(taken);
            all.addAll(lines(new ByteArrayInputStream(rest), StandardCharsets.UTF_8));
            assertThat(all).isEqualTo(expected);
            if (taken.size() < o.linesTaken()) {
                assertThat(rest).isEmpty();
            }
        });
    }

    @Test
    void splitsLinesIn_theCharsetsWhereLineEndsAreTheirAsciiBytes() {
        assertThat(CallerOutput.splitsLinesIn(StandardCharsets.UTF_8)).isTrue();
        assertThat(CallerOutput.splitsLinesIn(StandardCharsets.ISO_8859_1)).isTrue();
        assertThat(CallerOutput.splitsLinesIn(Charset.forName("Shift_JIS"))).isTrue();
        assertThat(CallerOutput.splitsLinesIn(StandardCharsets.UTF_16)).isFalse();
        assertThat(CallerOutput.splitsLinesIn(StandardCharsets.UTF_16LE)).isFalse();
        assertThat(CallerOutput.splitsLinesIn(Charset.forName("IBM037"))).isFalse(); // EBCDIC
    }

    private static List<String> lines(InputStream in, Charset charset) throws IOException {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, charset))) {
            return reader.lines().toList();
        }
    }

    /** A pipe that hands out at most {@code maxRead} bytes per read, as a writer's small writes arrive. */
    private static final class Trickle extends InputStream {
        private final byte[] data;
        private final int maxRead;
        private int at;

        Trickle(byte[] data, int maxRead) {
            this.data = data;
            this.maxRead = maxRead;
        }

        @Override
        public int read() {
            return at < data.length ? data[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at == data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, maxRead), data.length - at);
            System.arraycopy(data, at, b, off, n);
            at += n;
            return n;
        }
    }
}

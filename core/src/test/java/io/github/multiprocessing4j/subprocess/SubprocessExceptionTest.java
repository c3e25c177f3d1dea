package io.github.multiprocessing4j.subprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.multiprocessing4j.testing.Delays;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The messages of the exceptions, made from the tail of what may be a very large captured stderr. */
class SubprocessExceptionTest {

    @Test
    void exceptions_forMoreStderrThanAnArrayHolds_quoteItsLastLines() {
        // The tail was cut from a copy of all of stderr, which no array can hold past 2 GiB: making the exception
        // threw OutOfMemoryError instead. Here 2 GiB of stderr is one 1 MiB chunk over and over, in 1 MiB of memory.
        byte[] mib = new byte[1 << 20];
        Arrays.fill(mib, (byte) 'x');
        mib[mib.length - 1] = '\n';
        byte[] last = "second to last\nlast\n".getBytes(StandardCharsets.UTF_8);
        List<byte[]> chunks = new ArrayList<>(Collections.nCopies(2048, mib));
        chunks.add(last);
        CapturedBytes stderr = new CapturedBytes(chunks, last.length, 2048L * mib.length + last.length);

        CalledProcessException failed = new CalledProcessException("command [make]", List.of("make"), 2, null, stderr,
                false, StandardCharsets.UTF_8);
        TimeoutExpiredException timedOut = new TimeoutExpiredException("command [make]", List.of("make"),
                Duration.ofSeconds(1), List.of(), true, null, stderr, false, StandardCharsets.UTF_8);

        assertThat(failed.stderrTail()).isEqualTo("second to last\nlast"); // not the line the 4 KiB limit cut
        assertThat(failed.getMessage()).endsWith("last lines of stderr:\nsecond to last\nlast");
        assertThat(timedOut.getMessage()).endsWith("last lines of stderr:\nsecond to last\nlast");
    }

    @Test
    void aPipelinesTimeout_withMoreStderrFromItsStagesThanAnArrayHolds_quotesTheirLastLines() {
        // The stages' stderr was joined into one array for the exception: past 2 GiB in all, making it threw
        // OutOfMemoryError instead of the TimeoutExpiredException (and any stderr was copied whole). Here the
        // first stage's 2 GiB is one 1 MiB chunk over and over, in 1 MiB of memory.
        byte[] mib = new byte[1 << 20];
        Arrays.fill(mib, (byte) 'x');
        mib[mib.length - 1] = '\n';
        byte[] firstEnd = "first stage's last\n".getBytes(StandardCharsets.UTF_8);
        List<byte[]> chunks = new ArrayList<>(Collections.nCopies(2048, mib));
        chunks.add(Arrays.copyOf(firstEnd, 64)); // a chunk the collector had not filled
        CapturedBytes first = new CapturedBytes(chunks, firstEnd.length, 2048L * mib.length + firstEnd.length);
        byte[] secondEnd = "second stage\n".getBytes(StandardCharsets.UTF_8);
        CapturedBytes second = new CapturedBytes(List.of(Arrays.copyOf(secondEnd, 8192)), secondEnd.length,
                secondEnd.length);

        CapturedBytes joined = CapturedBytes.concatLines(Arrays.asList(first, null, second), // as PipelineImpl joins them
                StandardCharsets.UTF_8);
        TimeoutExpiredException timedOut = new TimeoutExpiredException("pipeline [a] | [b] | [c]",
                List.of("a", "|", "b", "|", "c"), Duration.ofSeconds(1), List.of(), false, null, joined, false,
                StandardCharsets.UTF_8);

        assertThat(joined.size()).isEqualTo(first.size() + second.size());
        assertThat(timedOut.getMessage()).endsWith("last lines of stderr:\nfirst stage's last\nsecond stage");
        byte[] small = CapturedBytes.concat(Arrays.asList(second, CapturedBytes.EMPTY, second)).toArray();
        assertThat(new String(small, StandardCharsets.UTF_8)).isEqualTo("second stage\nsecond stage\n");
        assertThat(CapturedBytes.concat(Arrays.asList(null, null))).isNull();
    }

    @Test
    void theTail_isTheLastTenLines_ofTheLast4KiB() {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 30; i++) {
            text.append("line ").append(i).append('\n');
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        byte[] big = ("é".repeat(3000) + "\nend\n").getBytes(StandardCharsets.UTF_8); // 6 KiB: cut in a character

        assertThat(SubprocessException.tail(new CapturedBytes(List.of(bytes), bytes.length, bytes.length),
                StandardCharsets.UTF_8)).isEqualTo(String.join("\n", text.toString().lines().skip(20).toList()));
        assertThat(SubprocessException.tail(new CapturedBytes(List.of(big), big.length, big.length),
                StandardCharsets.UTF_8)).isEqualTo("end");
        assertThat(SubprocessException.tail(CapturedBytes.EMPTY, StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void theTail_ofOneLineLongerThan4KiB_doesNotStartWithWhatIsLeftOfACharacterTheLimitCut() throws Exception {
        // The 4 KiB limit cut the two bytes of an é: the line quoted began with U+FFFD, which the command never wrote.
        CalledProcessException e = catchThrowableOfType(CalledProcessException.class, () -> Subprocess.command("sh", "-c",
                        "i=0; while [ $i -lt 3000 ]; do printf '\\303\\251'; i=$((i+1)); done >&2; printf x >&2; exit 1")
                .captureOutput().check().timeout(Delays.seconds(60)).run());

        assertThat(e.stderrBytes()).hasSize(6001); // the last 4096 bytes start in the second byte of an é
        assertThat(e.stderrTail().substring(0, 3)).isEqualTo("ééé"); // before: "\uFFFDéé"
        assertThat(e.stderrTail().equals("é".repeat(2047) + "x")).as("the tail is the last 2047 é and the x").isTrue();
        assertThat(e.getMessage().endsWith("last lines of stderr:\n" + "é".repeat(2047) + "x")).as("message's end").isTrue();
    }

    @Test
    void theTail_ofStderrWithWindowsLineEnds_hasNoCarriageReturns() throws Exception {
        // The lines were split at \n only, so each kept its \r: stderrTail() read "e1\r\ne2".
        CalledProcessException e = catchThrowableOfType(CalledProcessException.class,
                () -> Subprocess.command("sh", "-c", "printf 'e1\\r\\ne2\\r\\n' >&2; exit 1").captureOutput().check().run());

        assertThat(e.stderrTail()).isEqualTo("e1\ne2");
        assertThat(e.getMessage()).endsWith("last lines of stderr:\ne1\ne2");
        assertThat(e.stderr()).isEqualTo("e1\r\ne2\r\n"); // the output itself as written
    }

    @Test
    void theOutputInTheExceptions_decodesWithTheCharsetGiven_evenOneThatIsNotRegisteredByName() throws Exception {
        // The exceptions kept the charset's name and looked it up again for stdout() and stderr(): a charset
        // made by the application (not installed through a CharsetProvider) threw UnsupportedCharsetException,
        // where CompletedProcess.stdout() of the same command decodes.
        Charset own = new Latin1Alias();
        String[] cmd = {"sh", "-c", "printf 'caf\\351\\n'; printf 'd\\351j\\340\\n' >&2; exit 3"};
        assertThat(Subprocess.command(cmd).captureOutput().charset(own).run().stdout()).isEqualTo("café\n");

        CalledProcessException failed = catchThrowableOfType(CalledProcessException.class,
                () -> Subprocess.command(cmd).captureOutput().charset(own).check().run());
        assertThat(failed.stdout()).isEqualTo("café\n");
        assertThat(failed.stderr()).isEqualTo("déjà\n");
        TimeoutExpiredException timedOut = catchThrowableOfType(TimeoutExpiredException.class,
                () -> Subprocess.command("sh", "-c", "printf 'caf\\351\\n'; exec sleep 60").captureOutput().charset(own)
                        .timeout(Delays.seconds(1)).run());
        assertThat(timedOut.stdout()).isEqualTo("café\n");
    }

    /** ISO-8859-1 under a name no provider knows, as an application may make its own charset. */
    private static final class Latin1Alias extends Charset {
        Latin1Alias() {
            super("x-mp4j-test-latin1", null);
        }

        @Override
        public boolean contains(Charset cs) {
            return StandardCharsets.ISO_8859_1.contains(cs);
        }

        @Override
        public CharsetDecoder newDecoder() {
            return StandardCharsets.ISO_8859_1.newDecoder();
        }

        @Override
        public CharsetEncoder newEncoder() {
            return StandardCharsets.ISO_8859_1.newEncoder();
        }
    }
}

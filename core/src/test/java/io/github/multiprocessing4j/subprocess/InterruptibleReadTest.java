package io.github.multiprocessing4j.subprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Delays;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A virtual thread interrupted in a read of a command's stdout gives the read up at once (a cancelled coroutine
 * ends), and what the command writes afterwards is not lost: the next read gets it.
 */
class InterruptibleReadTest {

    @Test
    void aReadGivenUpByAnInterruptedVirtualThread_losesNoByte_theNextReadGetsThem() throws Exception {
        try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE).start()) {
            InputStream out = cat.stdout();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> interruptKept = new AtomicReference<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    out.read();
                } catch (Throwable t) {
                    thrown.set(t);
                    interruptKept.set(Thread.currentThread().isInterrupted());
                }
            });
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> reader.getState() == Thread.State.WAITING);
            reader.interrupt();
            assertThat(reader.join(Delays.seconds(30))).as("the read was given up").isTrue();
            assertThat(thrown.get()).isInstanceOf(InterruptedIOException.class)
                    .hasMessageContaining("interrupted while reading stdout of command [cat]");
            assertThat(interruptKept.get()).as("the interrupt status stays set").isTrue();

            OutputStream in = cat.stdin();
            in.write("late\nmore".getBytes(StandardCharsets.US_ASCII));
            in.close();
            assertThat(new String(out.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("late\nmore");
        }
    }

    @Test
    void linesReadOnAVirtualThread_arriveWhole_andInOrder() throws Exception {
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            script.append("line ").append(i).append('\n');
        }
        try (Subprocess cat = Subprocess.command("cat").input(script.toString()).stdout(Redirect.PIPE).start()) {
            AtomicReference<java.util.List<String>> lines = new AtomicReference<>();
            Thread.ofVirtual().start(() -> lines.set(cat.stdoutLines().toList())).join();
            assertThat(lines.get()).hasSize(20_000).startsWith("line 0").endsWith("line 19999");
            assertThat(String.join("\n", lines.get()) + "\n").isEqualTo(script.toString());
        }
    }
}

package io.github.multiprocessing4j.subprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.Delays;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A virtual thread interrupted in a write to a command's stdin that does not read (its pipe is full) gives the
 * write up at once (a cancelled coroutine ends), and the bytes it had handed over still reach the command, before
 * what is written later.
 */
class InterruptibleWriteTest {
    /** Reads nothing until the file {@code gate} exists, then copies stdin to stdout. */
    private static final String READ_AFTER_GATE = "while [ ! -e gate ]; do sleep 0.05; done; exec cat";

    @TempDir
    Path tmp;

    @Test
    void aWriteGivenUpByAnInterruptedVirtualThread_endsAtOnce_andWhatItHandedOverArrivesBeforeLaterWrites()
            throws Exception {
        byte[] big = new byte[1 << 20];
        new Random(3).nextBytes(big);
        Path out = tmp.resolve("out");
        try (Subprocess cat = Subprocess.command("sh", "-c", READ_AFTER_GATE).cwd(tmp).stdin(Redirect.PIPE)
                .stdout(Redirect.to(out.toFile())).start()) {
            OutputStream stdin = cat.stdin();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean interruptKept = new AtomicBoolean();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    stdin.write(big);
                } catch (Throwable t) {
                    thrown.set(t);
                    interruptKept.set(Thread.currentThread().isInterrupted());
                }
            });
            Awaitility.await("the writer to block where an interrupt reaches it (a native write shows RUNNABLE)")
                    .atMost(Delays.seconds(30)).until(() -> writer.getState() == Thread.State.WAITING);
            writer.interrupt();
            assertThat(writer.join(Delays.seconds(10))).as("the write was given up").isTrue();
            assertThat(thrown.get()).isInstanceOf(InterruptedIOException.class)
                    .hasMessageContaining("interrupted while writing to stdin of command [sh, -c, ")
                    .hasMessageContaining("the rest were not sent");
            assertThat(interruptKept).as("the interrupt status stays set").isTrue();
            int handedOver = ((InterruptedIOException) thrown.get()).bytesTransferred;
            assertThat(handedOver).isPositive().isLessThan(big.length).isEqualTo(handedOver / (64 * 1024) * (64 * 1024));

            Files.createFile(tmp.resolve("gate"));
            stdin.write("tail".getBytes(StandardCharsets.US_ASCII)); // after the bytes handed over before
            stdin.close();
            assertThat(cat.waitFor(Delays.seconds(30))).hasValue(0);

            byte[] expected = Arrays.copyOf(big, handedOver + 4);
            System.arraycopy("tail".getBytes(StandardCharsets.US_ASCII), 0, expected, handedOver, 4);
            assertThat(Files.readAllBytes(out)).as("the bytes handed over, then the later write").isEqualTo(expected);
        }
    }

    @Test
    void aVirtualThreadInterruptedBeforeItWrites_sendsNothing_andKeepsItsInterruptStatus() throws Exception {
        Path out = tmp.resolve("out");
        try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).stdout(Redirect.to(out.toFile())).start()) {
            OutputStream stdin = cat.stdin();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean interruptKept = new AtomicBoolean();
            Thread.ofVirtual().start(() -> {
                Thread.currentThread().interrupt();
                try {
                    stdin.write("dropped".getBytes(StandardCharsets.US_ASCII));
                } catch (Throwable t) {
                    thrown.set(t);
                    interruptKept.set(Thread.currentThread().isInterrupted());
                }
            }).join();
            assertThat(thrown.get()).isInstanceOf(InterruptedIOException.class)
                    .hasMessageContaining("nothing of this write was sent");
            assertThat(((InterruptedIOException) thrown.get()).bytesTransferred).isZero();
            assertThat(interruptKept).isTrue();

            AtomicReference<Throwable> later = new AtomicReference<>();
            Thread.ofVirtual().start(() -> {
                try (stdin) {
                    stdin.write("kept".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    later.set(e);
                }
            }).join();
            assertThat(later.get()).isNull();
            assertThat(cat.waitFor(Delays.seconds(30))).hasValue(0);
        }
        assertThat(Files.readString(out)).isEqualTo("kept");
    }

    @Test
    void aFlushInterruptedBeforeItStarts_saysThatWhatIsBufferedGoesWithTheNextFlushOrClose() throws Exception {
        Path out = tmp.resolve("out");
        try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).stdout(Redirect.to(out.toFile())).start()) {
            OutputStream stdin = cat.stdin();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread.ofVirtual().start(() -> {
                try {
                    stdin.write("kept".getBytes(StandardCharsets.US_ASCII));
                    Thread.currentThread().interrupt();
                    try {
                        stdin.flush();
                    } catch (InterruptedIOException e) {
                        thrown.set(e);
                    }
                    Thread.interrupted();
                    stdin.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).join();
            assertThat(thrown.get()).as("not sent in the background: nothing was started")
                    .hasMessageContaining("the 4 bytes buffered were not sent; they go with the next flush or close");
            assertThat(cat.waitFor(Delays.seconds(30))).hasValue(0);
        }
        assertThat(Files.readString(out)).as("sent by the close").isEqualTo("kept");
    }

    @Test
    void anErrorInThePipeThread_isReportedAsAnIOException_andTheStreamGoesOn() throws Exception {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        AtomicBoolean failedOnce = new AtomicBoolean();
        OutputStream pipe = new OutputStream() { // a pipe whose first write throws an Error: no real pipe does on cue
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                if (failedOnce.compareAndSet(false, true)) {
                    throw new AssertionError("an Error in a pipe thread");
                }
                received.write(b, off, len);
            }
        };
        InterruptibleStdin stdin = new InterruptibleStdin(pipe, "stdin of a test");
        AtomicReference<Throwable> first = new AtomicReference<>();
        AtomicReference<Throwable> second = new AtomicReference<>();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                stdin.write("lost".getBytes(StandardCharsets.US_ASCII));
                stdin.flush();
            } catch (Throwable t) {
                first.set(t);
            }
            try {
                stdin.write("kept".getBytes(StandardCharsets.US_ASCII));
                stdin.close();
            } catch (Throwable t) {
                second.set(t);
            }
        });
        assertThat(writer.join(Delays.seconds(10))).as("the stream was not left busy by the Error").isTrue();
        assertThat(first.get()).isInstanceOf(IOException.class).hasRootCauseInstanceOf(AssertionError.class);
        assertThat(second.get()).isNull();
        synchronized (pipe) {
            assertThat(received.toString(StandardCharsets.US_ASCII)).isEqualTo("kept");
        }
    }

    @Test
    void anInterruptedClose_stillClosesStdin_whenTheCommandHasReadWhatWasWritten() throws Exception {
        byte[] big = new byte[100 * 1024]; // more than the pipe holds: the write or the close waits for the reader
        new Random(5).nextBytes(big);
        Path out = tmp.resolve("out");
        try (Subprocess cat = Subprocess.command("sh", "-c", READ_AFTER_GATE).cwd(tmp).stdin(Redirect.PIPE)
                .stdout(Redirect.to(out.toFile())).start()) {
            OutputStream stdin = cat.stdin();
            AtomicInteger accepted = new AtomicInteger(-1);
            AtomicReference<Throwable> fromClose = new AtomicReference<>();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    stdin.write(big);
                    accepted.set(big.length);
                } catch (InterruptedIOException e) {
                    accepted.set(e.bytesTransferred);
                } catch (Throwable t) {
                    accepted.set(-2);
                }
                try {
                    stdin.close(); // interrupted in it, or before it: the close goes on without this thread
                } catch (Throwable t) {
                    fromClose.set(t);
                }
            });
            Awaitility.await("the writer to block where an interrupt reaches it")
                    .atMost(Delays.seconds(30)).until(() -> writer.getState() == Thread.State.WAITING);
            writer.interrupt();
            assertThat(writer.join(Delays.seconds(10))).as("the writer gave up").isTrue();
            assertThat(fromClose.get()).isInstanceOf(InterruptedIOException.class);
            assertThat(accepted.get()).isPositive();
            assertThatThrownBy(() -> stdin.write('x')).isInstanceOf(IOException.class).hasMessageContaining("closed");

            Files.createFile(tmp.resolve("gate"));
            assertThat(cat.waitFor(Delays.seconds(30))).as("cat saw the end of its input and exited").hasValue(0);
            assertThat(Files.readAllBytes(out)).isEqualTo(Arrays.copyOf(big, accepted.get()));
        }
    }

    @Test
    void aMebibyteInOneByteWritesFromAVirtualThread_comesBackIntactAndInOrder() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        Path out = tmp.resolve("out");
        try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).stdout(Redirect.to(out.toFile())).start()) {
            OutputStream stdin = cat.stdin();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread writer = Thread.ofVirtual().start(() -> {
                try (stdin) {
                    for (byte b : data) {
                        stdin.write(b);
                    }
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            assertThat(writer.join(Delays.seconds(120))).isTrue();
            assertThat(thrown.get()).isNull();
            assertThat(cat.waitFor(Delays.seconds(30))).hasValue(0);
        }
        byte[] got = Files.readAllBytes(out);
        assertThat(got.length).isEqualTo(data.length);
        assertThat(Arrays.mismatch(got, data)).as("the first byte that differs").isEqualTo(-1);
    }

    @Test
    void whatStdinBuffered_reachesTheCommandBeforeCommunicateInput() throws Exception {
        for (Thread.Builder writerThread : new Thread.Builder[] {Thread.ofVirtual(), Thread.ofPlatform()}) {
            try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).captureOutput().start()) {
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                writerThread.start(() -> {
                    try {
                        OutputStream stdin = cat.stdin();
                        stdin.write("first ".getBytes(StandardCharsets.US_ASCII));
                        for (char c : "second ".toCharArray()) {
                            stdin.write(c);
                        }
                    } catch (Throwable t) {
                        thrown.set(t);
                    }
                }).join();
                assertThat(thrown.get()).isNull();
                assertThat(cat.communicate("third", Delays.seconds(30)).stdout()).isEqualTo("first second third");
            }
            try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).captureOutput().start()) {
                writerThread.start(() -> {
                    try {
                        cat.stdin().write("only".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).join();
                assertThat(cat.communicate(Delays.seconds(30)).stdout()).as("communicate() without input")
                        .isEqualTo("only");
            }
        }
    }

    @Test
    void theBytesOfAWriteGivenUp_reachTheCommandBeforeCommunicateInput() throws Exception {
        byte[] big = new byte[1 << 20];
        new Random(11).nextBytes(big);
        byte[] tail = "tail".getBytes(StandardCharsets.US_ASCII);
        try (Subprocess cat = Subprocess.command("sh", "-c", READ_AFTER_GATE).cwd(tmp).stdin(Redirect.PIPE)
                .captureOutput().start()) {
            OutputStream stdin = cat.stdin();
            AtomicInteger handedOver = new AtomicInteger(-1);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    stdin.write(big);
                } catch (InterruptedIOException e) {
                    handedOver.set(e.bytesTransferred);
                } catch (Throwable t) {
                    handedOver.set(-2);
                }
            });
            long deadline = System.nanoTime() + Delays.seconds(30).toNanos();
            while (writer.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // interrupt it as soon as it waits: its hand-off may not have begun yet
            }
            writer.interrupt();
            assertThat(writer.join(Delays.seconds(10))).isTrue();
            assertThat(handedOver.get()).isPositive();

            Files.createFile(tmp.resolve("gate"));
            byte[] expected = Arrays.copyOf(big, handedOver.get() + tail.length);
            System.arraycopy(tail, 0, expected, handedOver.get(), tail.length);
            byte[] got = cat.communicate(tail, Delays.seconds(30)).stdoutBytes();
            assertThat(got.length).isEqualTo(expected.length);
            assertThat(Arrays.mismatch(got, expected)).as("the first byte out of order").isEqualTo(-1);
        }
    }

    @Test
    void aWriteGivenUp_endsWhenTheCommandIsKilled_andTheNextCallSaysItFailed() throws Exception {
        try (Subprocess sleeper = Subprocess.command("sleep", "60").stdin(Redirect.PIPE).start()) {
            OutputStream stdin = sleeper.stdin();
            giveUpABlockedWrite(stdin);
            sleeper.kill(); // the pipe thread's write then fails with a broken pipe
            // waits for the write given up, as a platform thread's call does
            Call flusher = Call.onPlatformThread(() -> stdin.flush());
            assertThat(flusher.join(Delays.seconds(30))).as("the write given up ended").isTrue();
            assertThat(flusher.thrown()).isInstanceOf(IOException.class)
                    .hasMessageContaining("writing to stdin of command [sleep, 60] failed");
        }
    }

    @Test
    void aWriteGivenUp_endsWhenTheSubprocessIsClosed() throws Exception {
        try (Subprocess sleeper = Subprocess.command("sleep", "60").stdin(Redirect.PIPE).start()) {
            OutputStream stdin = sleeper.stdin();
            giveUpABlockedWrite(stdin);
            Thread closer = Thread.ofPlatform().start(sleeper::close); // kills, then closes stdin after that write
            assertThat(closer.join(Delays.seconds(30))).as("close() returned").isTrue();
            assertThatThrownBy(() -> stdin.write('x')).isInstanceOf(IOException.class).hasMessageContaining("close()");
            stdin.close(); // the broken pipe of the write given up is not reported: close() released the command
        }
    }

    @Test
    void close_returnsAtOnce_whenAProcessThatEscapedTheKillHoldsStdinOpenBehindAWriteGivenUp() throws Exception {
        for (boolean cancelledCoroutine : new boolean[] {false, true}) {
            Path dir = Files.createDirectories(tmp.resolve("run-" + cancelledCoroutine));
            Subprocess sleeper = startWithAnEscapedReader(dir);
            try {
                OutputStream stdin = sleeper.stdin();
                giveUpABlockedWrite(stdin);
                AtomicBoolean interruptKept = new AtomicBoolean();
                Thread closer = (cancelledCoroutine ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> {
                    if (cancelledCoroutine) {
                        Thread.currentThread().interrupt();
                    }
                    sleeper.close();
                    interruptKept.set(Thread.currentThread().isInterrupted());
                    try {
                        stdin.close(); // the caller's own close, after: it does not wait for the pipe either
                    } catch (IOException e) {
                        // a close after close() may say what the write given up failed with
                    }
                });
                assertThat(closer.join(Delays.seconds(30)))
                        .as("close() returned (a %s thread)", cancelledCoroutine ? "cancelled virtual" : "platform")
                        .isTrue();
                assertThat(interruptKept.get()).as("the interrupt status").isEqualTo(cancelledCoroutine);
                assertThatThrownBy(() -> stdin.write('x')).isInstanceOf(IOException.class)
                        .hasMessageContaining("close()");
            } finally {
                killTheEscapedReader(dir, sleeper);
            }
        }
    }

    @Test
    void aCloseOfStdinWaitingBehindAWriteGivenUp_returnsWhenTheSubprocessIsClosed_evenIfAnEscapedProcessHoldsThePipe()
            throws Exception {
        Subprocess sleeper = startWithAnEscapedReader(tmp);
        try {
            OutputStream stdin = sleeper.stdin();
            giveUpABlockedWrite(stdin);
            // waits for the write given up, as a platform thread's call does
            Call closer = Call.onPlatformThread(() -> stdin.close());
            Awaitility.await("the close to wait").atMost(Delays.seconds(30))
                    .until(() -> closer.getState() == Thread.State.WAITING);
            sleeper.close();
            assertThat(closer.join(Delays.seconds(30))).as("the close of stdin returned").isTrue();
            assertThat(closer.thrown()).isNull();
        } finally {
            killTheEscapedReader(tmp, sleeper);
        }
    }

    @Test
    void aWriteAndAFlushWaitingBehindAWriteGivenUp_endWhenTheSubprocessIsClosed_evenIfAnEscapedProcessHoldsThePipe()
            throws Exception {
        Subprocess sleeper = startWithAnEscapedReader(tmp);
        try {
            OutputStream stdin = sleeper.stdin();
            giveUpABlockedWrite(stdin);
            // both wait for the write given up, as a platform thread's calls do
            Call writer = Call.onPlatformThread(() -> stdin.write('x'));
            Call flusher = Call.onPlatformThread(() -> stdin.flush());
            Awaitility.await("the write and the flush to wait").atMost(Delays.seconds(30))
                    .until(() -> writer.getState() == Thread.State.WAITING
                            && flusher.getState() == Thread.State.WAITING);
            sleeper.close();
            assertThat(writer.join(Delays.seconds(30))).as("the write returned").isTrue();
            assertThat(flusher.join(Delays.seconds(30))).as("the flush returned").isTrue();
            assertThat(writer.thrown()).isInstanceOf(IOException.class).hasMessageContaining("closed");
            assertThat(flusher.thrown()).as("a flush after close does nothing").isNull();
        } finally {
            killTheEscapedReader(tmp, sleeper);
        }
    }

    @Test
    void aVirtualThreadsWriteHeldUpInThePipe_throwsWhenTheSubprocessIsClosed_insteadOfReturningAsIfItWereSent()
            throws Exception {
        Subprocess sleeper = startWithAnEscapedReader(tmp);
        try {
            OutputStream stdin = sleeper.stdin();
            AtomicBoolean fillerSent = new AtomicBoolean();
            AtomicBoolean returned = new AtomicBoolean();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    stdin.write(new byte[64 * 1024]); // fills the pipe (Linux: 64 KiB), which nobody reads
                    fillerSent.set(true);
                    stdin.write(new byte[64 * 1024]); // one operation on the pipe, held up for good
                    returned.set(true);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            Awaitility.await("the writer to wait for its second write").atMost(Delays.seconds(30))
                    .until(() -> fillerSent.get() && writer.getState() == Thread.State.WAITING);
            sleeper.close(); // releases the stream: the writer waits no more, though its write never ends
            assertThat(writer.join(Delays.seconds(30))).as("the write ended").isTrue();
            assertThat(returned).as("the write returned as if its bytes had been sent").isFalse();
            assertThat(thrown.get()).isInstanceOf(IOException.class).isNotInstanceOf(InterruptedIOException.class)
                    .hasMessageContaining("close()");
        } finally {
            killTheEscapedReader(tmp, sleeper);
        }
    }

    @Test
    void theCloseOfStdin_afterACommunicateThatTimedOutBehindAWriteGivenUp_returnsOnceTheSubprocessIsClosed()
            throws Exception {
        Subprocess sleeper = startWithAnEscapedReader(tmp);
        try {
            OutputStream stdin = sleeper.stdin();
            giveUpABlockedWrite(stdin);
            // its feeder waits behind the write given up, which the escaped process holds up for good
            assertThatThrownBy(() -> sleeper.communicate("tail", Duration.ofMillis(100)))
                    .isInstanceOf(TimeoutExpiredException.class);
            sleeper.close();
            // as after any close(): at once
            Call closer = Call.onPlatformThread(() -> stdin.close());
            assertThat(closer.join(Delays.seconds(30))).as("the close of stdin returned").isTrue();
            assertThat(closer.thrown()).isNull();
        } finally {
            killTheEscapedReader(tmp, sleeper);
        }
    }

    @Test
    void aWriteWhoseOperationFailed_isToldOfIt_evenIfTheSubprocessIsClosedBeforeTheWriterWakes() throws Exception {
        // Subprocess.close() releases the stream once the command is killed, which breaks the pipe: the release may
        // come between the end of the writer's failed operation and the writer's waking. Here the order is forced:
        // the close that the operation's end starts (another thread asked for it) finds no pipe thread and closes
        // the pipe itself, and that close holds the stream's lock until the release queues for it.
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch closing = new CountDownLatch(1);
        CountDownLatch releaseQueued = new CountDownLatch(1);
        OutputStream pipe = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    throw new InterruptedIOException();
                }
                throw new IOException("Broken pipe (a test's)");
            }

            @Override
            public void close() throws IOException {
                closing.countDown();
                try {
                    releaseQueued.await();
                } catch (InterruptedException e) {
                    throw new InterruptedIOException();
                }
            }
        };
        InterruptibleStdin stdin = new InterruptibleStdin(pipe, "stdin of a test");
        AtomicBoolean returned = new AtomicBoolean();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                stdin.write(new byte[InterruptibleStdin.SEND_AT]); // its operation fails once the gate opens
                returned.set(true);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        Awaitility.await("the writer to wait for its operation").atMost(Delays.seconds(30))
                .until(() -> writer.getState() == Thread.State.WAITING);
        Thread closer = Thread.ofPlatform().start(() -> {
            try {
                stdin.close();
            } catch (IOException e) {
                // not what this test looks at
            }
        });
        Awaitility.await("the close to wait").atMost(Delays.seconds(30))
                .until(() -> closer.getState() == Thread.State.WAITING);
        PipeThreads.failNextStart(new IllegalStateException("no pipe thread (a test's)"));
        try {
            gate.countDown();
            assertThat(closing.await(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            Thread releaser = Thread.ofPlatform().start(stdin::release);
            Awaitility.await("the release to queue for the lock").atMost(Delays.seconds(30))
                    .until(() -> releaser.getState() == Thread.State.WAITING);
            releaseQueued.countDown();
            assertThat(releaser.join(Delays.seconds(30)) && writer.join(Delays.seconds(30))
                    && closer.join(Delays.seconds(30))).isTrue();
        } finally {
            PipeThreads.failNextStart(null);
        }
        assertThat(returned).as("the write returned as if its bytes had been sent").isFalse();
        assertThat(thrown.get()).isInstanceOf(IOException.class).hasMessageContaining("Broken pipe (a test's)");
    }

    @Test
    void theFailureOfACloseThatAWritesEndStarted_goesToTheCloser_notToTheWriterWhoseBytesWereSent() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger received = new AtomicInteger();
        OutputStream pipe = new OutputStream() { // holds up the first write until the gate opens
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    throw new InterruptedIOException();
                }
                received.addAndGet(len);
            }
        };
        InterruptibleStdin stdin = new InterruptibleStdin(pipe, "stdin of a test");
        AtomicReference<Throwable> fromWrite = new AtomicReference<>();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                stdin.write(new byte[InterruptibleStdin.SEND_AT]); // sent once the gate opens
            } catch (Throwable t) {
                fromWrite.set(t);
            }
        });
        Awaitility.await("the writer to wait for its operation").atMost(Delays.seconds(30))
                .until(() -> writer.getState() == Thread.State.WAITING);
        // started by the end of the write's operation, which finds no pipe thread for it
        Call closer = Call.onPlatformThread(() -> stdin.close());
        Awaitility.await("the close to wait").atMost(Delays.seconds(30))
                .until(() -> closer.getState() == Thread.State.WAITING);
        PipeThreads.failNextStart(new IllegalStateException("no pipe thread (a test's)"));
        try {
            gate.countDown();
            assertThat(writer.join(Delays.seconds(30)) && closer.join(Delays.seconds(30))).isTrue();
        } finally {
            PipeThreads.failNextStart(null);
        }
        assertThat(received.get()).isEqualTo(InterruptibleStdin.SEND_AT);
        assertThat(fromWrite.get()).as("the write, whose bytes were sent").isNull();
        assertThat(closer.thrown()).as("the close, which could not run").isInstanceOf(IOException.class)
                .hasMessageContaining("no pipe thread (a test's)");
    }

    @Test
    void aWriteOfEightKibibytesOrMore_reachesTheCommandWithoutAFlush_asThroughTheJdksStream() throws Exception {
        // The JDK's stream buffers 8 KiB: a write of 8 KiB or more goes to the pipe at once, after what the smaller
        // writes before it left buffered. A caller that writes a request and waits for the answer without a flush
        // relies on it.
        byte[] request = new byte[10 * 1024];
        new Random(13).nextBytes(request);
        for (Thread.Builder writerThread : new Thread.Builder[] {Thread.ofPlatform(), Thread.ofVirtual()}) {
            for (boolean inSmallWrites : new boolean[] {false, true}) {
                try (Subprocess head = Subprocess.command("head", "-c", String.valueOf(request.length))
                        .stdin(Redirect.PIPE).stdout(Redirect.DISCARD).start()) {
                    OutputStream stdin = head.stdin();
                    AtomicReference<Throwable> thrown = new AtomicReference<>();
                    writerThread.start(() -> {
                        try {
                            if (inSmallWrites) {
                                for (int at = 0; at < 1024; at++) {
                                    stdin.write(request[at]);
                                }
                                stdin.write(request, 1024, request.length - 1024);
                            } else {
                                stdin.write(request);
                            }
                        } catch (Throwable t) {
                            thrown.set(t);
                        }
                    }).join();
                    assertThat(thrown.get()).isNull();
                    assertThat(head.waitFor(Delays.seconds(30)))
                            .as("head read its %d bytes (%s, %s)", request.length,
                                    writerThread.getClass().getSimpleName(),
                                    inSmallWrites ? "1 KiB in bytes, then 9 KiB" : "one write")
                            .hasValue(0);
                }
            }
        }
    }

    @Test
    void aWriteWaitingForAnOperationUnderWay_whileAnotherThreadClosesTheStream_throwsInsteadOfLosingItsBytes()
            throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        OutputStream pipe = new OutputStream() { // a pipe that holds up the first write until the gate opens
            private boolean first = true;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (first) {
                    first = false;
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        throw new InterruptedIOException();
                    }
                }
                synchronized (received) {
                    received.write(b, off, len);
                }
            }
        };
        InterruptibleStdin stdin = new InterruptibleStdin(pipe, "stdin of a test");
        Thread first = Thread.ofPlatform().start(() -> {
            try {
                stdin.write(new byte[InterruptibleStdin.SEND_AT]); // held up in the pipe
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Awaitility.await("the first write to be held up").atMost(Delays.seconds(30))
                .until(() -> first.getState() == Thread.State.WAITING);
        // waits for the first write, then finds the stream closed
        Call second = Call.onPlatformThread(() -> stdin.write('x'));
        Awaitility.await("the second write to wait").atMost(Delays.seconds(30))
                .until(() -> second.getState() == Thread.State.WAITING);
        Thread closer = Thread.ofPlatform().start(() -> {
            try {
                stdin.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Awaitility.await("the close to wait").atMost(Delays.seconds(30))
                .until(() -> closer.getState() == Thread.State.WAITING);
        gate.countDown();
        assertThat(first.join(Delays.seconds(30)) && second.join(Delays.seconds(30)) && closer.join(Delays.seconds(30)))
                .isTrue();
        assertThat(second.thrown()).as("the second write, which the stream closed before it took its byte")
                .isInstanceOf(IOException.class).hasMessageContaining("closed");
        synchronized (received) {
            assertThat(received.size()).isEqualTo(InterruptibleStdin.SEND_AT);
        }
    }

    /**
     * Starts {@code sleep 600} with stdin a pipe whose read end a background {@code sleep} holds too (fd 3, a copy
     * of it), without reading. That one is orphaned at once (its subshell exits), so the kill of the command's tree
     * does not find it: the pipe never breaks. Its pid is in the file {@code orphan} of {@code dir}.
     */
    private static Subprocess startWithAnEscapedReader(Path dir) throws IOException {
        Subprocess sleeper = Subprocess.command("sh", "-c", "exec 3<&0; (sleep 600 & echo $! > orphan); exec sleep 600")
                .cwd(dir).stdin(Redirect.PIPE).start();
        Path orphan = dir.resolve("orphan");
        Awaitility.await("the orphan's pid").atMost(Delays.seconds(30))
                .until(() -> Files.exists(orphan) && Files.readString(orphan).endsWith("\n"));
        return sleeper;
    }

    /** Kills the orphan of {@link #startWithAnEscapedReader}: the pipe breaks, and the pipe thread ends. */
    private static void killTheEscapedReader(Path dir, Subprocess sleeper) throws IOException {
        Path orphan = dir.resolve("orphan");
        if (Files.exists(orphan) && !Files.readString(orphan).isBlank()) {
            ProcessHandle.of(Long.parseLong(Files.readString(orphan).strip()))
                    .ifPresent(ProcessHandle::destroyForcibly);
        }
        sleeper.close();
    }

    /** Starts a virtual thread's write that the full pipe holds up, and interrupts it there. */
    private static void giveUpABlockedWrite(OutputStream stdin) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                stdin.write(new byte[1 << 20]);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        Awaitility.await("the writer to block where an interrupt reaches it")
                .atMost(Delays.seconds(30)).until(() -> writer.getState() == Thread.State.WAITING);
        writer.interrupt();
        assertThat(writer.join(Delays.seconds(10))).isTrue();
        assertThat(thrown.get()).isInstanceOf(InterruptedIOException.class);
    }

    @Test
    void anErrorInAPlatformThreadsOwnWrite_reachesItAsIs() throws Exception {
        OutputStream pipe = new OutputStream() { // a pipe that throws an Error: no real pipe does on cue
            @Override
            public void write(int b) {
                throw new AssertionError("an Error in the writer's own write");
            }
        };
        InterruptibleStdin stdin = new InterruptibleStdin(pipe, "stdin of a test");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread.ofPlatform().start(() -> {
            try {
                stdin.write('x');
                stdin.flush();
            } catch (Throwable t) {
                thrown.set(t);
            }
        }).join();
        assertThat(thrown.get()).as("as the JDK's stream would throw it").isInstanceOf(AssertionError.class);
    }

    /** A call run on a platform thread of its own, and what it threw. */
    private static final class Call {
        private final AtomicReference<Throwable> thrown = new AtomicReference<>();
        private final Thread thread;

        private Call(Body body) {
            thread = Thread.ofPlatform().start(() -> {
                try {
                    body.run();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
        }

        interface Body {
            void run() throws Exception;
        }

        static Call onPlatformThread(Body body) {
            return new Call(body);
        }

        Throwable thrown() {
            return thrown.get();
        }

        boolean join(Duration timeout) throws InterruptedException {
            return thread.join(timeout);
        }

        Thread.State getState() {
            return thread.getState();
        }
    }
}

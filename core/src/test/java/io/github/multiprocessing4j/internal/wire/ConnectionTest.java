package io.github.multiprocessing4j.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.testing.Delays;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every test runs on a plain blocking connection and on one that spins before it blocks. */
class ConnectionTest {

    enum Mode {
        BLOCKING(0), SPINNING(50_000);

        final long spinNanos;

        Mode(long spinNanos) {
            this.spinNanos = spinNanos;
        }

        Connection wrap(SocketChannel channel) throws IOException {
            Connection c = new Connection(channel);
            c.spinBeforeBlocking(spinNanos);
            return c;
        }
    }

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Mode.class)
    void framesOfEverySize_arriveWhole_andInOrder(Mode mode) throws Exception {
        // the last one is past the eagerly allocated 16 MiB: its buffer grows as the bytes come
        int[] sizes = {0, 1, 13, 64 * 1024 - 13, 64 * 1024, 64 * 1024 + 13, 3 * 1024 * 1024 + 7, 40 * 1024 * 1024 + 3};
        try (Ends ends = open(mode)) {
            Connection a = ends.a();
            Connection b = ends.b();
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < sizes.length; i++) {
                        a.send(FrameType.RESULT, i, pattern(sizes[i], i));
                    }
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            for (int i = 0; i < sizes.length; i++) {
                Frame f = b.receive();
                assertThat(f.id()).isEqualTo(i);
                assertThat(f.payload()).isEqualTo(pattern(sizes[i], i));
            }
            sending.get(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void concurrentSenders_neverInterleaveTheirFrames(Mode mode) throws Exception {
        try (Ends ends = open(mode)) {
            Connection a = ends.a();
            Connection b = ends.b();
            int senders = 4;
            int perSender = 300;
            // Senders and the receiver all run as tasks whose results are taken in the order they end: the
            // first to fail fails the test at once (a sender that failed would leave the receiver waiting).
            ExecutorService pool = Executors.newFixedThreadPool(senders + 1); // platform threads
            try {
                CompletionService<int[]> tasks = new ExecutorCompletionService<>(pool);
                for (int s = 0; s < senders; s++) {
                    int sender = s;
                    tasks.submit(() -> {
                        for (int i = 0; i < perSender; i++) {
                            a.send(FrameType.RESULT, sender, pattern(1000 + 17 * i, sender));
                        }
                        return null;
                    });
                }
                tasks.submit(() -> {
                    int[] counts = new int[senders];
                    for (int i = 0; i < senders * perSender; i++) {
                        Frame f = b.receive();
                        assertThat(f).as("frame %d", i).isNotNull();
                        int sender = (int) f.id();
                        assertThat(f.payload()).isEqualTo(pattern(1000 + 17 * counts[sender], sender));
                        counts[sender]++;
                    }
                    return counts;
                });
                long deadline = System.nanoTime() + Delays.seconds(30).toNanos();
                int[] counts = null;
                for (int t = 0; t < senders + 1; t++) {
                    Future<int[]> ended = tasks.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    assertThat(ended).as("%d of %d senders and receiver still running", senders + 1 - t, senders + 1)
                            .isNotNull();
                    int[] result = ended.get(); // rethrows a sender's or the receiver's failure
                    if (result != null) {
                        counts = result;
                    }
                }
                assertThat(counts).containsOnly(perSender);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void peerCloses_betweenFrames_receiveReturnsTheRestThenNull(Mode mode) throws Exception {
        try (Ends ends = open(mode)) {
            Connection a = ends.a();
            Connection b = ends.b();
            a.send(FrameType.RESULT, 1, new byte[] {9});
            a.close();
            assertThat(b.receive().payload()).containsExactly(9);
            assertThat(b.receive()).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void peerCloses_insideAFrame_isAnEofError(Mode mode) throws Exception {
        try (SocketPair pair = SocketPair.open(dir)) {
            Connection b = mode.wrap(pair.server());
            pair.client().write(ByteBuffer.allocate(13 + 5).putInt(100).put(FrameType.RESULT).putLong(1).flip());
            pair.client().close();
            assertThatThrownBy(b::receive).isInstanceOf(EOFException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aLengthOutOfRange_isAProtocolError(Mode mode) throws Exception {
        try (SocketPair pair = SocketPair.open(dir)) {
            Connection b = mode.wrap(pair.server());
            pair.client().write(ByteBuffer.allocate(13).putInt(-5).put(FrameType.RESULT).putLong(1).flip());
            assertThatThrownBy(b::receive).isInstanceOf(ProtocolException.class).hasMessageContaining("-5");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void closeFromAnotherThread_wakesABlockedReceiver_andThePeerSeesTheEnd(Mode mode) throws Exception {
        try (Ends ends = open(mode)) {
            Connection a = ends.a();
            Connection b = ends.b();
            Started<Frame> receiving = startOnNewThread(b::receive);
            awaitBlockedIn("receive", receiving.thread(), mode); // past any spin: it sleeps in the kernel
            b.close();
            assertThatThrownBy(() -> receiving.result().get(Delays.seconds(5).toMillis(), TimeUnit.MILLISECONDS))
                    .hasCauseInstanceOf(AsynchronousCloseException.class);
            assertThat(receiveWithin5s(a)).isNull(); // the socket is really closed, not kept by a selector
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void interruptingABlockedReceiver_closesTheConnection_andKeepsTheInterrupt(Mode mode) throws Exception {
        try (Ends ends = open(mode)) {
            Connection a = ends.a();
            Connection b = ends.b();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
            Thread receiver = Thread.ofPlatform().start(() -> {
                try {
                    b.receive();
                } catch (Exception e) {
                    thrown.set(e);
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                }
            });
            awaitBlockedIn("receive", receiver, mode);
            receiver.interrupt();
            receiver.join(Delays.seconds(5).toMillis());
            assertThat(receiver.isAlive()).isFalse();
            assertThat(thrown.get()).isInstanceOf(ClosedByInterruptException.class);
            assertThat(stillInterrupted.get()).isTrue();
            assertThat(receiveWithin5s(a)).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void interruptingABlockedSender_wakesTheReaderOfTheSameConnection(Mode mode) throws Exception {
        try (Ends ends = open(mode)) {
            Connection a = ends.a();
            Started<Frame> reading = startOnNewThread(a::receive); // nothing will come: it parks
            awaitBlockedIn("receive", reading.thread(), mode);
            AtomicReference<Throwable> sendFailure = new AtomicReference<>();
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    a.send(FrameType.RESULT, 1, new byte[16 * 1024 * 1024]); // b never reads: the send blocks
                } catch (Exception e) {
                    sendFailure.set(e);
                }
            });
            awaitBlockedIn("send", sender, mode);
            sender.interrupt();
            sender.join(Delays.seconds(5).toMillis());
            assertThat(sendFailure.get()).isInstanceOf(ClosedByInterruptException.class);
            assertThatThrownBy(() -> reading.result().get(Delays.seconds(5).toMillis(), TimeUnit.MILLISECONDS))
                    .hasCauseInstanceOf(AsynchronousCloseException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void sendBatchUninterruptibly_anInterruptPendingBeforeTheCall_neitherStopsItNorIsLost(Mode mode) throws Exception {
        try (Ends ends = open(mode)) {
            ByteSink batch = new ByteSink(64);
            Connection.appendFrame(batch, FrameType.RESULT, 1, new byte[] {7});
            Started<Boolean> sending = startOnNewThread(() -> {
                Thread.currentThread().interrupt();
                ends.a().sendBatchUninterruptibly(batch);
                return Thread.currentThread().isInterrupted();
            });
            assertThat(sending.result().get(Delays.seconds(5).toMillis(), TimeUnit.MILLISECONDS))
                    .as("the interrupt status after the send").isTrue();
            assertThat(receiveWithin5s(ends.b()).payload()).containsExactly(7);
        }
    }

    @Test
    void sendBatchUninterruptibly_onASpinningConnection_waitsThroughAnInterrupt_andKeepsIt() throws Exception {
        try (Ends ends = open(Mode.SPINNING)) {
            ByteSink batch = new ByteSink(64);
            Connection.appendFrame(batch, FrameType.RESULT, 1, pattern(16 * 1024 * 1024, 3)); // b is not reading yet
            Connection.appendFrame(batch, FrameType.RESULT, 2, new byte[] {7});
            Started<Boolean> sending = startOnNewThread(() -> {
                ends.a().sendBatchUninterruptibly(batch);
                return Thread.currentThread().isInterrupted();
            });
            awaitBlockedIn("sendBatchUninterruptibly", sending.thread(), Mode.SPINNING);
            sending.thread().interrupt();
            Thread.sleep(Delays.millis(100)); // time for an interrupt to close the connection, if it still did
            assertThat(sending.result()).isNotDone();
            Frame first = receiveWithin5s(ends.b());
            Frame second = receiveWithin5s(ends.b());
            assertThat(sending.result().get(Delays.seconds(5).toMillis(), TimeUnit.MILLISECONDS))
                    .as("the interrupt status after the send").isTrue();
            assertThat(first.payload()).isEqualTo(pattern(16 * 1024 * 1024, 3));
            assertThat(second.payload()).containsExactly(7);
        }
    }

    /** Two connected ends, a on the client side and b on the server side, in the given mode. */
    private record Ends(SocketPair pair, Connection a, Connection b) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            a.close(); // also the selectors of a spinning connection, which hold on to the socket
            b.close();
            pair.close();
        }
    }

    private Ends open(Mode mode) throws IOException {
        SocketPair pair = SocketPair.open(dir);
        return new Ends(pair, mode.wrap(pair.client()), mode.wrap(pair.server()));
    }

    private static CompletableFuture<Frame> receiveAsync(Connection c) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return c.receive();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
    }

    private static Frame receiveWithin5s(Connection c) throws Exception {
        return receiveAsync(c).get(Delays.seconds(5).toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A call running on a platform thread of its own, so that the test can look at where it blocks. */
    private record Started<T>(Thread thread, CompletableFuture<T> result) {
    }

    private static <T> Started<T> startOnNewThread(Callable<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().daemon().start(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return new Started<>(thread, result);
    }

    /**
     * Waits until {@code thread} sleeps in the kernel inside {@code Connection.<method>}: in a blocking
     * connection, in a native method of the channel; in a spinning one, past its spin, parked in its selector.
     * A fixed pause cannot tell a receiver that is blocked from one that has not yet started to read (a close
     * that comes first makes the read fail with a plain ClosedChannelException, and wakes nobody).
     */
    private static void awaitBlockedIn(String method, Thread thread, Mode mode) throws InterruptedException {
        long deadline = System.nanoTime() + Delays.seconds(10).toNanos();
        StackTraceElement[] stack;
        do {
            stack = thread.getStackTrace();
            if (isBlockedIn(method, stack, mode)) {
                return;
            }
            Thread.sleep(1);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the thread did not block in Connection." + method + "; it is at:\n  "
                + Arrays.stream(stack).map(String::valueOf).collect(Collectors.joining("\n  ")));
    }

    private static boolean isBlockedIn(String method, StackTraceElement[] stack, Mode mode) {
        if (stack.length == 0 || !stack[0].isNativeMethod() || !stack[0].getClassName().startsWith("sun.nio.ch.")
                || stack[0].getClassName().contains("NativeThread")) {
            return false;
        }
        boolean inMethod = false;
        boolean parked = false;
        for (StackTraceElement frame : stack) {
            inMethod |= frame.getClassName().equals(Connection.class.getName()) && frame.getMethodName().equals(method);
            parked |= frame.getClassName().equals(SpinningReadiness.class.getName()) && frame.getMethodName().startsWith("park");
        }
        return inMethod && (mode == Mode.BLOCKING || parked);
    }

    private static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}

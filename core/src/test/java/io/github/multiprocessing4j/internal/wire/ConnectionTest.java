package io.github.multiprocessing4j.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionTest {

    @TempDir
    Path dir;

    @Test
    void framesOfEverySize_arriveWhole_andInOrder() throws Exception {
        int[] sizes = {0, 1, 13, 64 * 1024 - 13, 64 * 1024, 64 * 1024 + 13, 3 * 1024 * 1024 + 7};
        try (SocketPair pair = SocketPair.open(dir)) {
            Connection a = new Connection(pair.client());
            Connection b = new Connection(pair.server());
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < sizes.length; i++) {
                        a.send(FrameType.RESULT, i, pattern(sizes[i], i));
                    }
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
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

    @Test
    void concurrentSenders_neverInterleaveTheirFrames() throws Exception {
        try (SocketPair pair = SocketPair.open(dir)) {
            Connection a = new Connection(pair.client());
            Connection b = new Connection(pair.server());
            int senders = 4;
            int perSender = 300;
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                int sender = s;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < perSender; i++) {
                            a.send(FrameType.RESULT, sender, pattern(1000 + 17 * i, sender));
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            int[] counts = new int[senders];
            for (int i = 0; i < senders * perSender; i++) {
                Frame f = b.receive();
                int sender = (int) f.id();
                assertThat(f.payload()).isEqualTo(pattern(1000 + 17 * counts[sender], sender));
                counts[sender]++;
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(counts).containsOnly(perSender);
        }
    }

    @Test
    void peerCloses_betweenFrames_receiveReturnsTheRestThenNull() throws Exception {
        try (SocketPair pair = SocketPair.open(dir)) {
            Connection a = new Connection(pair.client());
            Connection b = new Connection(pair.server());
            a.send(FrameType.RESULT, 1, new byte[] {9});
            a.close();
            assertThat(b.receive().payload()).containsExactly(9);
            assertThat(b.receive()).isNull();
        }
    }

    @Test
    void peerCloses_insideAFrame_isAnEofError() throws Exception {
        try (SocketPair pair = SocketPair.open(dir)) {
            Connection b = new Connection(pair.server());
            pair.client().write(ByteBuffer.allocate(13 + 5).putInt(100).put(FrameType.RESULT).putLong(1).flip());
            pair.client().close();
            assertThatThrownBy(b::receive).isInstanceOf(EOFException.class);
        }
    }

    @Test
    void aLengthOutOfRange_isAProtocolError() throws Exception {
        try (SocketPair pair = SocketPair.open(dir)) {
            Connection b = new Connection(pair.server());
            pair.client().write(ByteBuffer.allocate(13).putInt(-5).put(FrameType.RESULT).putLong(1).flip());
            assertThatThrownBy(b::receive).isInstanceOf(ProtocolException.class).hasMessageContaining("-5");
        }
    }

    private static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}

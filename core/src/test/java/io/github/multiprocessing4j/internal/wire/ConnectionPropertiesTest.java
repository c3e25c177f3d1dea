package io.github.multiprocessing4j.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.testing.Gen;
import io.github.multiprocessing4j.testing.Guarded;
import io.github.multiprocessing4j.testing.Tries;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Property tests of the frame reader, on real Unix-domain socket pairs: whatever bytes a peer writes, and
 * however the socket splits them, {@link Connection#receive} yields exactly the frames in them, then
 * {@code null} at a clean end, {@link EOFException} inside a frame or {@link ProtocolException} at a length
 * out of range; nothing else, and never an allocation sized by a length the bytes do not back.
 */
class ConnectionPropertiesTest {
    private static final int DEFAULT_MAX = Integer.MAX_VALUE - Frame.HEADER_LENGTH;
    private static Path dir;

    @BeforeAll
    static void createDirectory() throws IOException {
        dir = Files.createTempDirectory("mp4j-wire-props");
    }

    @AfterAll
    static void deleteDirectory() throws IOException {
        Files.deleteIfExists(dir);
    }

    record Sent(byte type, long id, byte[] payload) {
    }

    /** What the reader must end with after the frames. */
    enum End {
        CLEAN, EOF, PROTOCOL
    }

    /** The frames a stream holds, parsed the simple way: the model {@link Connection#receive} must match. */
    record Parsed(List<Sent> frames, End end) {
        static Parsed of(byte[] stream, int maxFrameLength) {
            ByteBuffer in = ByteBuffer.wrap(stream);
            List<Sent> frames = new ArrayList<>();
            while (true) {
                if (!in.hasRemaining()) {
                    return new Parsed(frames, End.CLEAN);
                }
                if (in.remaining() < Frame.HEADER_LENGTH) {
                    return new Parsed(frames, End.EOF);
                }
                int length = in.getInt();
                byte type = in.get();
                long id = in.getLong();
                if (length < 0 || length > maxFrameLength) {
                    return new Parsed(frames, End.PROTOCOL);
                }
                if (in.remaining() < length) {
                    return new Parsed(frames, End.EOF);
                }
                byte[] payload = new byte[length];
                in.get(payload);
                frames.add(new Sent(type, id, payload));
            }
        }
    }

    /** A frame: any type and id, a payload mostly small, sometimes of kilobytes, now and then around 64 KiB. */
    static Sent frame(Gen g) {
        int kind = g.choose(11);
        byte[] payload = kind < 8 ? g.bytes(0, 64)
                : kind < 10 ? g.bytes(1000, 9000)
                : new byte[g.intBetween(64 * 1024 - 40, 64 * 1024 + 40)];
        return new Sent(g.byteValue(), g.longValue(), payload);
    }

    /** Ints for a header's length field: negative, huge, just past what follows. */
    static int length(Gen g) {
        return g.bool()
                ? g.pickInt(Integer.MIN_VALUE, -1, 0, 1, 12, 13, 255, 256, 257, 64 * 1024, Integer.MAX_VALUE,
                        DEFAULT_MAX, DEFAULT_MAX + 1, 16 * 1024 * 1024, 16 * 1024 * 1024 + 1, 2_000_000_000)
                : g.intValue();
    }

    /** Garbling of a stream of frames: change, drop or insert bytes, set a header's length, cut it short. */
    record Change(int kind, int at, int value) {
        byte[] apply(byte[] s) {
            int n = s.length;
            int i = n == 0 ? 0 : Math.floorMod(at, n);
            byte[] b = s.clone();
            switch (kind) {
                case 0 -> {
                    if (n > 0) {
                        b[i] = (byte) value;
                    }
                }
                case 1 -> b = Arrays.copyOf(s, i);
                case 2 -> {
                    for (int k = 0; k < 4 && i + k < n; k++) {
                        b[i + k] = (byte) (value >>> (24 - 8 * k));
                    }
                }
                case 3 -> {
                    for (int k = 0; k < 4 && k < n; k++) { // the first header's length
                        b[k] = (byte) (value >>> (24 - 8 * k));
                    }
                }
                default -> {
                    b = new byte[n + 1];
                    System.arraycopy(s, 0, b, 0, i);
                    b[i] = (byte) value;
                    System.arraycopy(s, i, b, i + 1, n - i);
                }
            }
            return b;
        }
    }

    static List<Change> changes(Gen g) {
        return g.list(0, 3, () -> new Change(g.choose(5), g.intValue(), length(g)));
    }

    /** Random bytes one time in five, valid frames otherwise. */
    static byte[] stream(Gen g) {
        if (g.oneIn(5)) {
            return g.bytes(0, 100);
        }
        ByteSink sink = new ByteSink();
        for (Sent f : g.list(0, 12, () -> frame(g))) {
            Connection.appendFrame(sink, f.type(), f.id(), f.payload());
        }
        return sink.toByteArray();
    }

    record Garbled(byte[] valid, List<Change> changes, int maxFrameLength, boolean spinning) {
    }

    static Garbled garbled(Gen g) {
        return new Garbled(stream(g), changes(g),
                g.pickInt(DEFAULT_MAX, Handshake.MAX_HANDSHAKE_FRAME, 0, 70_000), g.bool());
    }

    /**
     * Any stream, valid frames garbled or not, yields exactly the frames the model finds in it and ends as the
     * model says, allocating at most the eager 16 MiB beyond the bytes that actually came.
     */
    @Test
    void anyStream_yieldsItsFrames_thenEndsAsDocumented() {
        Tries.forAll(300, ConnectionPropertiesTest::garbled, ConnectionPropertiesTest::yieldsItsFrames);
    }

    private static void yieldsItsFrames(Garbled in) throws Exception {
        int maxFrameLength = in.maxFrameLength();
        boolean spinning = in.spinning();
        byte[] stream = in.valid();
        for (Change c : in.changes()) {
            stream = c.apply(stream);
        }
        Parsed expected = Parsed.of(stream, maxFrameLength);
        byte[] bytes = stream;
        try (SocketPair pair = SocketPair.open(dir); Connection reader = new Connection(pair.server())) {
            reader.spinBeforeBlocking(spinning ? 50_000 : 0);
            reader.maxFrameLength(maxFrameLength);
            // a small send buffer, as some machines have: what the reader leaves unread must not block the writer
            pair.client().setOption(java.net.StandardSocketOptions.SO_SNDBUF, 65536);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    ByteBuffer out = ByteBuffer.wrap(bytes);
                    while (out.hasRemaining()) {
                        pair.client().write(out);
                    }
                    pair.client().shutdownOutput();
                } catch (IOException e) {
                    // the reader stopped at a bad header and closed its end: the rest cannot be written
                }
            });
            List<Sent> got = new ArrayList<>();
            Guarded.Outcome<End> outcome = Guarded.call(() -> {
                try {
                    for (Frame f; (f = reader.receive()) != null; ) {
                        got.add(new Sent(f.type(), f.id(), f.payload()));
                    }
                    return End.CLEAN;
                } catch (ProtocolException e) {
                    return End.PROTOCOL;
                } catch (EOFException e) {
                    return End.EOF;
                }
            });
            // after a ProtocolException the reader leaves the rest unread: a writer blocked on a full socket
            // would wait forever
            reader.close();
            writer.join();
            if (outcome.thrown() != null) {
                throw new AssertionError("receive threw " + outcome.thrown(), outcome.thrown());
            }
            assertThat(outcome.value()).isEqualTo(expected.end());
            assertThat(got).hasSameSizeAs(expected.frames());
            for (int i = 0; i < got.size(); i++) {
                Sent a = got.get(i);
                Sent b = expected.frames().get(i);
                assertThat(a.type()).isEqualTo(b.type());
                assertThat(a.id()).isEqualTo(b.id());
                assertThat(a.payload()).isEqualTo(b.payload());
            }
            assertThat(outcome.allocatedBytes()).isLessThan(17L * 1024 * 1024 + 4L * bytes.length);
        }
    }

    record Batches(List<List<Sent>> batches, boolean spinning) {
    }

    /**
     * Frames sent with {@code send}, or laid out with {@code appendFrame}/{@code beginFrame} and sent in a
     * batch, arrive whole and in order, then {@code null} once the sender closes.
     */
    @Test
    void sentFrames_arriveWholeAndInOrder() {
        Tries.forAll(100, g -> new Batches(g.list(0, 8, () -> g.list(1, 6, () -> frame(g))), g.bool()),
                in -> arriveWholeAndInOrder(in.batches(), in.spinning()));
    }

    private static void arriveWholeAndInOrder(List<List<Sent>> batches, boolean spinning) throws Exception {
        try (SocketPair pair = SocketPair.open(dir);
             Connection reader = new Connection(pair.server());
             Connection sender = new Connection(pair.client())) {
            reader.spinBeforeBlocking(spinning ? 50_000 : 0);
            sender.spinBeforeBlocking(spinning ? 50_000 : 0);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (List<Sent> batch : batches) {
                        if (batch.size() == 1) {
                            Sent f = batch.getFirst();
                            sender.send(f.type(), f.id(), f.payload());
                        } else {
                            ByteSink sink = new ByteSink();
                            for (Sent f : batch) {
                                if (f.payload().length % 2 == 0) {
                                    Connection.appendFrame(sink, f.type(), f.id(), f.payload());
                                } else {
                                    int at = Connection.beginFrame(sink, f.type(), f.id());
                                    sink.putBytes(f.payload());
                                    Connection.endFrame(sink, at);
                                }
                            }
                            sender.sendBatch(sink);
                        }
                    }
                    pair.client().shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            List<Sent> expected = batches.stream().flatMap(List::stream).toList();
            Guarded.Outcome<List<Frame>> outcome = Guarded.call(() -> {
                List<Frame> got = new ArrayList<>();
                for (Frame f; (f = reader.receive()) != null; ) {
                    got.add(f);
                }
                return got;
            });
            writer.join();
            if (outcome.thrown() != null) {
                throw new AssertionError("receive threw " + outcome.thrown(), outcome.thrown());
            }
            List<Frame> got = outcome.value();
            assertThat(got).hasSameSizeAs(expected);
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i).type()).isEqualTo(expected.get(i).type());
                assertThat(got.get(i).id()).isEqualTo(expected.get(i).id());
                assertThat(got.get(i).payload()).isEqualTo(expected.get(i).payload());
            }
        }
    }
}

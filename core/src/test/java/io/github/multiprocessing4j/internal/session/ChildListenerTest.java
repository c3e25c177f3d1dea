package io.github.multiprocessing4j.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.tracker.StaleSessionSweeper;
import io.github.multiprocessing4j.internal.wire.AuthenticationException;
import io.github.multiprocessing4j.internal.wire.Connection;
import io.github.multiprocessing4j.internal.wire.Frame;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.internal.wire.Handshake;
import io.github.multiprocessing4j.internal.wire.HmacSha256;
import io.github.multiprocessing4j.process.JvmProcess;
import io.github.multiprocessing4j.testing.BusyCommonPool;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.LogCapture;
import java.lang.ref.WeakReference;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The listener children call back on, attacked the ways the issue lists; it must go on serving. */
class ChildListenerTest {

    @Test
    void theSessionDirectory_isPrivateToThisUser() throws Exception {
        Session session = Session.get();
        session.listener();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(session.directory()))).isEqualTo("rwx------");
        try (var entries = Files.list(session.directory())) {
            List<Path> files = entries.filter(f -> !Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)).toList();
            assertThat(files).as("the socket and the liveness file at least")
                    .anyMatch(f -> f.equals(session.listener().socket()))
                    .anyMatch(f -> f.getFileName().toString().equals(StaleSessionSweeper.ALIVE));
            for (Path file : files) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)))
                        .as("the mode of %s", file).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void garbageOnTheSocket_closesThatConnection_andTheListenerGoesOnServing() throws Exception {
        ChildListener listener = Session.get().listener();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(listener.socket()));
            channel.write(ByteBuffer.wrap(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
            ByteBuffer in = ByteBuffer.allocate(4096);
            int n;
            do {
                n = channel.read(in.clear());
            } while (n > 0);
            assertThat(n).as("the listener closed the connection").isEqualTo(-1);
        }
        assertThatAChildCanStillStart();
    }

    @Test
    void aPeerWithTheWrongKey_isRefusedBeforeItCanSendAnything() throws Exception {
        ChildListener listener = Session.get().listener();
        try (Connection connection = Connection.connect(listener.socket())) {
            assertThatThrownBy(() -> Handshake.answer(connection, Handshake.newKey()))
                    .isInstanceOf(AuthenticationException.class);
        }
        assertThatAChildCanStillStart();
    }

    @Test
    void aResponseReplayedFromAnEarlierHandshake_isRefused() throws Exception {
        // What a peer saw pass on one connection (a child's answer to its challenge) is worth nothing on the next: the
        // listener's nonce is new each time, and in the digest.
        Session session = Session.get();
        byte[] response;
        try (Connection first = Connection.connect(session.listener().socket())) {
            byte[] nonceS = Arrays.copyOfRange(first.receive().payload(), 1, 33);
            byte[] nonceC = new byte[32];
            Arrays.fill(nonceC, (byte) 7);
            byte[] digest = HmacSha256.mac(session.key(), "mp4j-client".getBytes(StandardCharsets.US_ASCII), nonceS, nonceC);
            response = new ByteSink().putBytes(nonceC).putBytes(digest).toByteArray();
            first.send(FrameType.RESPONSE, 0, response);
            assertThat(first.receive().type()).as("the answer is right for its own challenge").isEqualTo(FrameType.WELCOME);
        }
        try (Connection replay = Connection.connect(session.listener().socket())) {
            assertThat(replay.receive().type()).isEqualTo(FrameType.CHALLENGE);
            replay.send(FrameType.RESPONSE, 0, response);
            Frame refusal = replay.receive();
            assertThat(refusal.type()).isEqualTo(FrameType.FAILURE);
            assertThat(refusal.payload()).as("no reason for a peer without the key").isEmpty();
            assertThat(replay.receive()).as("closed after the refusal").isNull();
        }
        assertThatAChildCanStillStart();
    }

    @Test
    void anAuthenticatedPeerWithAnUnknownLaunchToken_isTurnedAway() throws Exception {
        Session session = Session.get();
        try (Connection connection = Connection.connect(session.listener().socket())) {
            Handshake.answer(connection, session.key());
            connection.send(FrameType.HELLO, 0, new Hello(12345, 1, 0, 0, 0).encode());
            assertThat(connection.receive()).as("closed without a word").isNull();
        }
    }

    @Test
    void aHelloReplayedForAChildThatHasArrived_isTurnedAway_andTheChildsConnectionIsUntouched() throws Exception {
        Session session = Session.get();
        Path socket = session.directory().resolve("replay-test.sock");
        try (ChildListener listener = new ChildListener(socket, session.key(), Delays.seconds(60));
             Connection child = Connection.connect(listener.socket());
             Connection replay = Connection.connect(listener.socket())) {
            CompletableFuture<ChildListener.Arrival> arrival = listener.expect(42);
            Handshake.answer(child, session.key());
            child.send(FrameType.HELLO, 0, new Hello(42, 1, 0, 0, 0).encode());
            ChildListener.Arrival arrived = arrival.get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS);
            // The same hello again, on a connection of its own that knows the key: the token was used up
            Handshake.answer(replay, session.key());
            replay.send(FrameType.HELLO, 0, new Hello(42, 1, 0, 0, 0).encode());
            assertThat(replay.receive()).as("closed without a word").isNull();
            // ...and the child that arrived first still talks to its parent, both ways
            arrived.connection().send(FrameType.RUN, 7, new byte[] {1, 2});
            Frame run = child.receive();
            assertThat(run.type()).isEqualTo(FrameType.RUN);
            assertThat(run.id()).isEqualTo(7);
            child.send(FrameType.DONE, 7, new byte[] {3});
            assertThat(arrived.connection().receive().payload()).containsExactly(3);
        }
    }

    @Test
    void anAuthenticatedPeerAnnouncingAHugeHello_isTurnedAwayAtOnce_notHeldWithABufferForItUntilTheDeadline() throws Exception {
        // A HELLO is 40 bytes. A header that announces a GiB made the listener allocate 16 MiB for it at once and
        // wait, until the admission deadline, for the bytes: a hundred such peers, a gigabyte and a half of heap.
        Session session = Session.get();
        Path socket = session.directory().resolve("huge-hello-test.sock");
        try (ChildListener listener = new ChildListener(socket, session.key(), Delays.seconds(60));
             Connection connection = Connection.connect(listener.socket())) {
            Handshake.answer(connection, session.key());
            connection.sendBatch(new ByteSink().putInt(1 << 30).putByte(FrameType.HELLO).putLong(0));
            // ...and sends none of the bytes: refused for the header alone, as any protocol error (not the late
            // peer's FAILURE that the deadline would bring)
            assertThat(connection.receive()).as("closed without a word").isNull();
        }
    }

    @Test
    void aPeerWithoutTheKeyAnnouncingAHugeResponse_isTurnedAwayAtOnce_notGivenABufferForIt() throws Exception {
        // Before the handshake a frame may have 256 bytes: a header that announces a GiB is refused for itself, before
        // any buffer is made for it, not waited on (with 16 MiB allocated at once) until the admission deadline.
        Session session = Session.get();
        Path socket = session.directory().resolve("huge-response-test.sock");
        try (ChildListener listener = new ChildListener(socket, session.key(), Delays.seconds(60));
             Connection connection = Connection.connect(listener.socket())) {
            assertThat(connection.receive().type()).isEqualTo(FrameType.CHALLENGE);
            connection.sendBatch(new ByteSink().putInt(1 << 30).putByte(FrameType.RESPONSE).putLong(0));
            // ...and none of the bytes: closed without a word, not the late peer's FAILURE that the deadline brings
            assertThat(connection.receive()).as("closed without a word").isNull();
        }
    }

    @Test
    void aSocketFileWithTheSameInodeButAnotherOwner_isNotTakenForTheOneBound() throws Exception {
        // A file system reuses the inode of a deleted file at once (ext4 does): after a cleaner removed the session
        // directory, another user's directory and socket of the same names may get the very inodes ours had, and the
        // device and inode alone then said the socket was still ours. What they cannot make is a file of this user's.
        // Modelled with the socket bound here given to another user (only root can do that).
        assumeTrue(Files.readAllLines(Path.of("/proc/self/status")).stream()
                .anyMatch(l -> l.startsWith("Uid:") && l.substring(4).trim().split("\\s+")[1].equals("0")), "root");
        Session session = Session.get();
        Path socket = session.directory().resolve("inode-reuse-test.sock");
        try (ChildListener listener = new ChildListener(socket, session.key())) {
            assertThat(listener.isStillBound()).isTrue();
            Files.setAttribute(socket, "unix:uid", 65534, LinkOption.NOFOLLOW_LINKS);
            assertThat(listener.isStillBound()).as("another user's file, though the same inode").isFalse();
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    @Test
    void aPeerTooSlowToSayHello_isToldWhyBeforeTheConnectionCloses() throws Exception {
        Session session = Session.get();
        Path socket = session.directory().resolve("slow-peer-test.sock");
        // Long enough for the handshake itself on a loaded machine; the test then waits that long.
        Duration admission = Delays.millis(1500);
        try (ChildListener listener = new ChildListener(socket, session.key(), admission);
             Connection connection = Connection.connect(listener.socket())) {
            Handshake.answer(connection, session.key());
            // ...and then says nothing: past the deadline the listener explains, then closes.
            Frame refusal = connection.receive();
            assertThat(refusal).isNotNull();
            assertThat(refusal.type()).isEqualTo(FrameType.FAILURE);
            assertThat(Handshake.reason(refusal))
                    .contains("did not pass the handshake and say hello within " + admission.toMillis() + " ms");
            assertThat(connection.receive()).as("closed after the refusal").isNull();
        }
    }

    @Test
    void pastTheCap_theNextConnectionWaitsInTheBacklog_untilAConnectionBeingAdmittedIsDoneWith() throws Exception {
        // Each connection being admitted holds a thread, a descriptor and ~96 KiB of buffers until the admission
        // deadline: a local process that opened thousands and sent nothing pinned all of that, without limit.
        Session session = Session.get();
        Path socket = session.directory().resolve("cap-test.sock");
        int cap = 4;
        List<Connection> silent = new ArrayList<>();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try (ChildListener listener = new ChildListener(socket, session.key(), Delays.seconds(120), cap)) {
            for (int i = 0; i < cap; i++) {
                Connection connection = Connection.connect(listener.socket());
                silent.add(connection);
                assertThat(connection.receive().type()).as("accepted and challenged").isEqualTo(FrameType.CHALLENGE);
            }
            CompletableFuture<ChildListener.Arrival> arrival = listener.expect(77);
            try (Connection next = Connection.connect(listener.socket())) {
                Future<?> handshake = reader.submit(() -> {
                    Handshake.answer(next, session.key());
                    return null;
                });
                assertThatThrownBy(() -> handshake.get(Delays.seconds(2).toMillis(), TimeUnit.MILLISECONDS))
                        .as("not accepted (no challenge) while %d connections are being admitted", cap)
                        .isInstanceOf(TimeoutException.class);
                silent.removeFirst().close(); // one slot free: the next is accepted, and admitted
                handshake.get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS);
                next.send(FrameType.HELLO, 0, new Hello(77, 1, 0, 0, 0).encode());
                assertThat(arrival.get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS).hello().token())
                        .isEqualTo(77);
            }
        } finally {
            reader.shutdownNow();
            silent.forEach(Connection::close);
        }
    }

    @Test
    void manyChildrenConnectingAtOnce_pastTheCap_areAllAdmitted() throws Exception {
        // The cap holds the next ones in the kernel's backlog: never refused, as a big pool booting at once must not be
        Session session = Session.get();
        Path socket = session.directory().resolve("cap-burst-test.sock");
        int children = 100;
        ExecutorService connecting = Executors.newFixedThreadPool(children);
        try (ChildListener listener = new ChildListener(socket, session.key(), Delays.seconds(60), 8)) {
            List<CompletableFuture<ChildListener.Arrival>> arrivals = new ArrayList<>();
            List<Future<Connection>> connections = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int i = 0; i < children; i++) {
                long token = 1000 + i;
                arrivals.add(listener.expect(token));
                connections.add(connecting.submit(() -> {
                    go.await();
                    Connection connection = Connection.connect(listener.socket());
                    Handshake.answer(connection, session.key());
                    connection.send(FrameType.HELLO, 0, new Hello(token, 1, 0, 0, 0).encode());
                    return connection;
                }));
            }
            go.countDown();
            for (int i = 0; i < children; i++) {
                assertThat(arrivals.get(i).get(Delays.seconds(120).toMillis(), TimeUnit.MILLISECONDS).hello().token())
                        .isEqualTo(1000 + i);
            }
            for (Future<Connection> connection : connections) {
                connection.get().close();
            }
        } finally {
            connecting.shutdownNow();
        }
    }

    @Test
    void manyPeersThatConnectAndSayNothing_doNotStopTheStartOfAChild() throws Exception {
        // Each is admitted on its own thread, so none of them stands between the listener and a real child; past the
        // cap they delay it by at most an admission deadline, as they wait in the kernel's backlog before it.
        ChildListener listener = Session.get().listener();
        List<SocketChannel> silent = new ArrayList<>();
        try {
            for (int i = 0; i < ChildListener.ADMITTING_AT_ONCE + 36; i++) {
                SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                silent.add(channel);
                channel.connect(UnixDomainSocketAddress.of(listener.socket()));
            }
            assertThatAChildCanStillStart();
        } finally {
            for (SocketChannel channel : silent) {
                channel.close();
            }
        }
    }

    @Test
    void aSilentPeer_isCutOffAtTheDeadline_evenWhileTheCommonPoolIsBusy() throws Exception {
        // A peer that connects and sends nothing (a slow-loris) holds a thread and a descriptor until the
        // admission deadline; the application keeping the common pool busy (a parallel stream) must not defer it.
        Session session = Session.get();
        Path socket = session.directory().resolve("silent-peer-test.sock");
        AtomicBoolean release = new AtomicBoolean();
        try (BusyCommonPool busy = BusyCommonPool.allButOneThread();
             ChildListener listener = new ChildListener(socket, session.key(), Delays.millis(500))) {
            CountDownLatch lastThreadTaken = new CountDownLatch(1);
            CompletableFuture.runAsync(() -> {
                lastThreadTaken.countDown();
                while (!release.get()) {
                    LockSupport.parkNanos(10_000_000); // not a managed block: the pool adds no thread for it
                }
            });
            assertThat(lastThreadTaken.await(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.connect(UnixDomainSocketAddress.of(listener.socket()));
                assertThat(PeerEnd.readToTheEnd(channel)).as("the listener closed the silent connection").isEqualTo(-1);
            }
        } finally {
            release.set(true);
        }
    }

    @Test
    void anInterruptOfTheListenersThread_doesNotLeaveTheSessionDeafToChildren() throws Exception {
        // An interrupted accept closes the server socket (NIO's rule): the thread ended quietly, the socket's file
        // stayed, so the session kept the dead listener, and every child started from then on was refused its
        // connection until its start timed out. The library's group keeps a program's ThreadGroup.interrupt() away,
        // not code that interrupts every thread it finds.
        Session session = Session.get();
        ChildListener before = session.listener();
        Thread accepting = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("mp4j-listener-" + before.socket().getFileName()))
                .findFirst().orElseThrow();
        accepting.interrupt();
        accepting.join(Delays.seconds(30).toMillis());
        assertThat(accepting.isAlive()).as("the interrupted accept ended the thread").isFalse();

        ChildListener now = session.listener();
        CompletableFuture<ChildListener.Arrival> arrival = now.expect(4711);
        try (Connection child = Connection.connect(now.socket())) {
            Handshake.answer(child, session.key());
            child.send(FrameType.HELLO, 0, new Hello(4711, 1, 0, 0, 0).encode());
            assertThat(arrival.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS).hello().token())
                    .isEqualTo(4711);
        }
    }

    @Test
    void aPeerThatSendsOneByteAtATime_isCutOffAtTheDeadline_countedFromItsConnect() throws Exception {
        // A slow-loris that keeps the connection busy: each byte is progress for a read, none for the deadline
        Session session = Session.get();
        Path socket = session.directory().resolve("drip-test.sock");
        AtomicBoolean stop = new AtomicBoolean();
        try (ChildListener listener = new ChildListener(socket, session.key(), Delays.millis(1000));
             SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(listener.socket()));
            Thread dripper = Thread.ofPlatform().daemon().start(() -> {
                byte[] response = new ByteSink(64).putInt(64).putByte(FrameType.RESPONSE).putLong(0)
                        .putBytes(new byte[64]).toByteArray();
                try {
                    // 77 bytes, 15 s: the response is still incomplete long after the deadline
                    for (int i = 0; i < response.length && !stop.get(); i++) {
                        channel.write(ByteBuffer.wrap(response, i, 1));
                        Thread.sleep(200); // the peer's pace, not a synchronisation
                    }
                } catch (Exception e) {
                    // closed by the listener
                }
            });
            assertThat(PeerEnd.readToTheEnd(channel)).as("the listener closed the dripping connection").isEqualTo(-1);
            stop.set(true);
            dripper.join(Delays.seconds(30).toMillis());
        } finally {
            stop.set(true);
        }
    }

    private static void assertThatAChildCanStillStart() throws InterruptedException {
        try (JvmProcess child = JvmProcess.start("after-attack", () -> System.exit(5))) {
            child.join();
            assertThat(child.exitCode()).hasValue(5);
        }
    }

    @Test
    void anAdmittedChildsConnection_onceClosed_isNotHeldByItsAdmissionDeadline() throws Exception {
        Session session = Session.get();
        Path socket = session.directory().resolve("held-test.sock");
        // A deadline that does not pass during the test: what it holds, it holds for all of it
        try (ChildListener listener = new ChildListener(socket, session.key(), Duration.ofHours(1))) {
            List<WeakReference<Connection>> admitted = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                admitted.add(admitAndClose(listener, session.key(), 500 + i));
            }
            // Each holds two direct buffers (96 KiB): a JVM that starts many children (a pool recycling its
            // workers) held all those admitted within the deadline, and its direct memory could run out
            await().atMost(Delays.seconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                System.gc();
                assertThat(admitted).as("the connections of admitted children, closed").allMatch(r -> r.get() == null);
            });
        }
    }

    @Test
    void aPeerThatGoesAwayDuringTheHandshake_isLoggedAtDebug_butOneWithoutTheKeyIsAWarning() throws Exception {
        // A child killed as it connects (a spare thrown away as its pool or the JVM closes, with directStart=false)
        // is nothing wrong: the application must see no WARNING on stderr for it. A peer without the key still is.
        Session session = Session.get();
        Path socket = session.directory().resolve("gone-test.sock");
        LogCapture log = LogCapture.of(ChildListener.class, java.util.logging.Level.FINE, r ->
                r.getMessage() != null && r.getMessage().contains("gone-test.sock")
                        || r.getParameters() != null && Arrays.asList(r.getParameters()).contains(socket));
        List<LogRecord> records = log.records();
        try (ChildListener listener = new ChildListener(socket, session.key(), Duration.ofHours(1))) {
            // Closed with the challenge unread: the listener's read is reset (or its write of the challenge fails)
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.connect(UnixDomainSocketAddress.of(listener.socket()));
            }
            await().atMost(Delays.seconds(60)).alias("the reset connection logged").until(() -> records.size() >= 1);
            // Closed after reading the challenge: the listener reads the end of the stream where the response is due
            try (Connection peer = Connection.connect(listener.socket())) {
                assertThat(peer.receive().type()).isEqualTo(FrameType.CHALLENGE);
            }
            await().atMost(Delays.seconds(60)).alias("the closed connection logged").until(() -> records.size() >= 2);
            try (Connection peer = Connection.connect(listener.socket())) {
                assertThatThrownBy(() -> Handshake.answer(peer, Handshake.newKey()))
                        .isInstanceOf(AuthenticationException.class);
            }
            await().atMost(Delays.seconds(60)).alias("the refusal logged").until(() -> records.size() >= 3);
            assertThat(records.subList(0, 2)).as("peers that went away").allSatisfy(r -> assertThat(r.getLevel())
                    .as("%s", r.getMessage()).isEqualTo(java.util.logging.Level.FINE));
            assertThat(records.get(2).getLevel()).as("a peer without the key")
                    .isEqualTo(java.util.logging.Level.WARNING);
        } finally {
            log.close();
        }
    }

    /** A child that connects, says hello, is admitted, and whose connection is then closed at both ends. */
    private static WeakReference<Connection> admitAndClose(ChildListener listener, byte[] key, long token)
            throws Exception {
        CompletableFuture<ChildListener.Arrival> arrival = listener.expect(token);
        try (Connection child = Connection.connect(listener.socket())) {
            Handshake.answer(child, key);
            child.send(FrameType.HELLO, 0, new Hello(token, 1, 0, 0, 0).encode());
            Connection parentSide = arrival.get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS).connection();
            parentSide.close();
            return new WeakReference<>(parentSide);
        }
    }
}

package io.github.multiprocessing4j.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.wire.Connection;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.internal.wire.Handshake;
import io.github.multiprocessing4j.testing.BusyCarriers;
import io.github.multiprocessing4j.testing.Delays;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A child that connects back is admitted whatever this JVM's virtual threads do: CPU-bound ones, as many as the
 * carriers of the virtual-thread scheduler (which never preempts), hold every carrier for as long as they run.
 */
class ChildListenerStarvedCarriersTest {

    @Test
    void aChildThatSaysHello_isAdmitted_evenWhileVirtualThreadsHoldEveryCarrier() throws Exception {
        // The admission ran on a virtual thread, which waited for a free carrier: a start waited for a child that had
        // connected long ago, until its connect timeout failed it and killed the child (or, past the admission
        // deadline of 10 s, that deadline refused the child once it ran).
        Session session = Session.get();
        Path socket = session.directory().resolve("starved-carriers-test.sock");
        try (ChildListener listener = new ChildListener(socket, session.key(), Delays.seconds(60));
             Connection child = Connection.connect(listener.socket())) {
            CompletableFuture<ChildListener.Arrival> arrival = listener.expect(4242);
            try (BusyCarriers busy = BusyCarriers.all(Delays.seconds(60))) {
                FutureTask<Void> peer = new FutureTask<>(() -> {
                    Handshake.answer(child, session.key());
                    child.send(FrameType.HELLO, 0, new Hello(4242, 1, 0, 0, 0).encode());
                    return null;
                });
                Thread.ofPlatform().daemon().start(peer);
                ChildListener.Arrival arrived = arrival.get(30, TimeUnit.SECONDS);
                assertThat(arrived.hello().token()).isEqualTo(4242);
                assertThat(busy.heldAllAlong()).as("the spinners held the carriers all along").isTrue();
                peer.get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aSilentPeer_isCutOffAtTheDeadline_evenWhileVirtualThreadsHoldEveryCarrier() throws Exception {
        // The deadline's refusal ran on a virtual thread: while CPU-bound virtual threads held every carrier, a peer
        // that connected and sent nothing kept its connection, its admission thread and its slot (of the 64) past the
        // deadline, for as long as they ran; enough such peers, and no child could be admitted.
        Session session = Session.get();
        Path socket = session.directory().resolve("starved-deadline-test.sock");
        try (ChildListener listener = new ChildListener(socket, session.key(), Delays.millis(500));
             SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try (BusyCarriers busy = BusyCarriers.all(Delays.seconds(60))) {
                channel.connect(UnixDomainSocketAddress.of(listener.socket()));
                assertThat(PeerEnd.readToTheEnd(channel)).as("the listener closed the silent connection").isEqualTo(-1);
                assertThat(busy.heldAllAlong()).as("the spinners held the carriers all along").isTrue();
            }
        }
    }
}

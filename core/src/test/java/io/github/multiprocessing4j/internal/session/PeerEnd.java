package io.github.multiprocessing4j.internal.session;

import io.github.multiprocessing4j.testing.Delays;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/** A peer's view of the listener closing its connection: what it reads until the end, waited for on a thread. */
final class PeerEnd {
    private PeerEnd() {
    }

    /**
     * Reads {@code channel} to its end on a thread of its own (a read blocks) and returns the last read's count: -1
     * once the listener has closed the connection. Throws {@link java.util.concurrent.TimeoutException} after 30 s.
     */
    static int readToTheEnd(SocketChannel channel) throws Exception {
        FutureTask<Integer> end = new FutureTask<>(() -> {
            ByteBuffer in = ByteBuffer.allocate(4096);
            int n;
            do {
                n = channel.read(in.clear());
            } while (n >= 0);
            return n;
        });
        Thread.ofPlatform().daemon().start(end);
        return end.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS);
    }
}

package io.github.multiprocessing4j.internal.worker;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds a child's connect and handshake with its parent: a socket that accepts and never challenges (a parent
 * stalled for good, a listener that is not one of ours) would otherwise hold the child for ever, since its watch on
 * the parent starts only once it has work. At the deadline the channel is closed, which ends a blocked connect or
 * read; the child then fails, and says why. One small daemon thread, no pool: a child loads as little as it can.
 *
 * <pre>{@code
 * HandshakeDeadline deadline = HandshakeDeadline.start(channel, seconds, boot.parentSocket());
 * try {
 *     ...connect, Handshake.answer...
 *     deadline.met();
 * } catch (IOException e) {
 *     throw deadline.explain(e);
 * }
 * }</pre>
 */
final class HandshakeDeadline {
    private static final int PENDING = 0;
    private static final int MET = 1;
    private static final int PASSED = 2;
    /** PENDING, then set once, by whichever comes first: the handshake's end (MET), or the deadline (PASSED). */
    private final AtomicInteger state = new AtomicInteger(PENDING);
    private final long seconds;
    private final Object where;
    private Thread timer;

    private HandshakeDeadline(long seconds, Object where) {
        this.seconds = seconds;
        this.where = where;
    }

    /** Closes {@code channel} in {@code seconds} unless {@link #met()} is called first. */
    static HandshakeDeadline start(SocketChannel channel, long seconds, Object where) {
        HandshakeDeadline deadline = new HandshakeDeadline(seconds, where);
        deadline.timer = Thread.ofPlatform().daemon().name("mp4j-handshake-deadline").stackSize(64 * 1024)
                .inheritInheritableThreadLocals(false).start(() -> {
                    try {
                        TimeUnit.SECONDS.sleep(seconds);
                    } catch (InterruptedException e) {
                        return; // met
                    }
                    if (deadline.state.compareAndSet(PENDING, PASSED)) {
                        try {
                            channel.close();
                        } catch (IOException ignored) {
                            // closed either way
                        }
                    }
                });
        return deadline;
    }

    /** The handshake is over in time; throws if the deadline came first (and closed the channel). */
    void met() throws IOException {
        if (!state.compareAndSet(PENDING, MET)) {
            throw new ClosedChannelException(); // by the deadline: explain() says so
        }
        timer.interrupt();
    }

    /**
     * {@code e}, or, if the deadline closed the channel, an exception that says so (with {@code e} for cause). The
     * handshake failed either way: the deadline's thread is no longer needed.
     */
    IOException explain(IOException e) {
        return explain(e, "complete the handshake", "it is stalled, or the socket is not a multiprocessing4j parent's");
    }

    /**
     * As {@link #explain(IOException)}, for a deadline that was still running after the handshake: the parent did not
     * {@code what} within it, and {@code why} says what that may mean.
     */
    IOException explain(IOException e, String what, String why) {
        if (state.get() != PASSED) {
            timer.interrupt();
            return e;
        }
        return new IOException("the parent did not " + what + " on " + where + " within " + seconds
                + " s (mp4j.connectTimeoutSeconds): " + why, e);
    }
}

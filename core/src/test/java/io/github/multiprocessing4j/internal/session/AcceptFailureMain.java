package io.github.multiprocessing4j.internal.session;

import io.github.multiprocessing4j.internal.wire.Connection;
import io.github.multiprocessing4j.internal.wire.Handshake;
import io.github.multiprocessing4j.internal.wire.PeerClosedException;
import io.github.multiprocessing4j.internal.wire.ProtocolException;
import io.github.multiprocessing4j.testing.Delays;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * For {@link ChildListenerAcceptFailureTest}, in a JVM of its own: uses up this JVM's file descriptors while a peer
 * waits in the listener's backlog, so that every accept fails (EMFILE), counts how the failures are logged, then gives
 * the descriptors back. Prints {@code LIMIT <n>} (the soft limit on open files; it goes on only if that is known and at
 * most {@link #MAX_DESCRIPTORS}), {@code FAILURES logged=<n> warnings=<n>} once five failures were logged, then
 * {@code CHALLENGED} once the waiting peer was accepted after all.
 */
public final class AcceptFailureMain {
    private AcceptFailureMain() {
    }

    /** Descriptors this test uses up at most: past that many, it does not run (their objects would fill the heap). */
    static final long MAX_DESCRIPTORS = 65_536;

    public static void main(String[] args) throws Exception {
        long limit = openFilesLimit();
        System.out.println("LIMIT " + limit);
        if (limit < 0 || limit > MAX_DESCRIPTORS) {
            return;
        }
        Logger logger = Logger.getLogger(ChildListener.class.getName());
        logger.setLevel(Level.ALL);
        AtomicInteger warnings = new AtomicInteger();
        AtomicInteger all = new AtomicInteger();
        Handler counter = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getMessage() != null && record.getMessage().startsWith("accept on")) {
                    all.incrementAndGet();
                    if (record.getLevel() == Level.WARNING) {
                        warnings.incrementAndGet();
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(counter);
        Path dir = Files.createTempDirectory("mp4j-accept");
        long until = System.nanoTime() + Delays.seconds(60).toNanos();
        try (ChildListener listener = new ChildListener(dir.resolve("l.sock"), Handshake.newKey(), Duration.ofMinutes(5));
             SocketChannel peer = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            warmUp(listener);
            List<FileChannel> hog = new ArrayList<>();
            try {
                while (true) {
                    hog.add(FileChannel.open(Path.of("/dev/null")));
                }
            } catch (IOException e) {
                // no descriptor left (EMFILE): the listener's next accept fails
            }
            int failures;
            try {
                peer.connect(UnixDomainSocketAddress.of(listener.socket())); // takes no new descriptor
                while (all.get() < 5 && System.nanoTime() - until < 0) {
                    Thread.sleep(20); // polls a count, synchronises nothing
                }
                failures = warnings.get();
            } finally {
                for (FileChannel channel : hog) {
                    channel.close();
                }
            }
            System.out.println("FAILURES logged=" + all.get() + " warnings=" + failures);
            Connection connection = new Connection(peer);
            System.out.println(connection.receive() == null ? "CLOSED" : "CHALLENGED");
        } finally {
            Files.deleteIfExists(dir.resolve("l.sock"));
            Files.deleteIfExists(dir);
        }
    }

    /** The soft limit on open files ({@code /proc/self/limits}, Linux's), or -1 if unknown or unlimited. */
    private static long openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /**
     * Loads and initializes, while descriptors are left, what the listener and this JVM's logging use (an admission
     * from end to end, a warning with a stack trace): without descriptors a class that is not loaded yet cannot be,
     * nor can the time zone data of a log line's date be read, and what failed would be the test, not the listener.
     */
    private static void warmUp(ChildListener listener) throws Exception {
        try (Connection wrongKey = Connection.connect(listener.socket())) {
            try {
                Handshake.answer(wrongKey, Handshake.newKey());
            } catch (IOException expected) {
                // refused, and logged
            }
        }
        System.getLogger(ChildListener.class.getName()).log(System.Logger.Level.WARNING, "warming up the log",
                new IOException("not an error"));
        Class.forName(PeerClosedException.class.getName());
        Class.forName(ProtocolException.class.getName());
        Class.forName(java.nio.channels.ClosedChannelException.class.getName());
    }
}

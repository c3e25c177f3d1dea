package io.github.multiprocessing4j.cli.bench;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The floor under a pool's round trip: a bare Unix-socket ping-pong of a few bytes between this JVM and
 * another one ({@link #main} is the echoing side), with nothing else on either end. Two ways: both ends
 * block in their reads, or both poll a non-blocking socket, yielding between tries, as pool connections do
 * for their first 50 µs of waiting.
 */
final class SocketEcho {
    private SocketEcho() {
    }

    /** Echoes everything it reads on the socket at {@code args[0]} until the peer closes; {@code args[1]}: poll. */
    public static void main(String[] args) throws IOException {
        Path path = Path.of(args[0]);
        boolean poll = Boolean.parseBoolean(args[1]);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            System.out.println("ready");
            try (SocketChannel peer = server.accept()) {
                peer.configureBlocking(!poll);
                ByteBuffer buffer = ByteBuffer.allocateDirect(256);
                while (read(peer, buffer.clear()) > 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        peer.write(buffer);
                    }
                }
            }
        } finally {
            Files.deleteIfExists(path);
        }
    }

    /** A read that returns something: on a non-blocking channel it retries, yielding, until it does. */
    private static int read(SocketChannel channel, ByteBuffer buffer) throws IOException {
        int n;
        while ((n = channel.read(buffer)) == 0) {
            Thread.yield();
        }
        return n;
    }

    /** Round-trip times in microseconds of {@code n} 16-byte messages, after a warm-up. */
    static double[] roundTrips(int n, boolean poll) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("mp4j-echo");
        Path path = dir.resolve("echo.sock");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process echo = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                SocketEcho.class.getName(), path.toString(), Boolean.toString(poll))).redirectErrorStream(true).start();
        try {
            awaitReady(echo);
            try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                channel.configureBlocking(!poll);
                ByteBuffer buffer = ByteBuffer.allocateDirect(16);
                double[] micros = new double[n];
                for (int i = -2_000; i < n; i++) {
                    long start = System.nanoTime();
                    buffer.clear().putLong(i).putLong(i).flip();
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    buffer.clear();
                    while (buffer.hasRemaining()) {
                        if (read(channel, buffer) < 0) {
                            throw new EOFException("the echo JVM closed the socket mid-run (it exited or died)");
                        }
                    }
                    if (i >= 0) {
                        micros[i] = (System.nanoTime() - start) / 1e3;
                    }
                }
                return micros;
            }
        } finally {
            echo.destroy();
            echo.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Waits for the echo JVM's "ready" line; lines before it (a JVM warning on stderr, say) are skipped.
     *
     * @throws IOException if its output ends without one; the output is in the message
     */
    private static void awaitReady(Process echo) throws IOException {
        BufferedReader reader = echo.inputReader();
        StringBuilder output = new StringBuilder();
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.equals("ready")) {
                return;
            }
            output.append(line).append('\n');
        }
        throw new IOException("the echo JVM did not get ready; its output:\n" + output);
    }
}

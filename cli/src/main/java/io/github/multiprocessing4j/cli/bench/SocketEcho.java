package io.github.multiprocessing4j.cli.bench;

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
 * another one ({@link #main} is the echoing side), with nothing else on either end.
 */
final class SocketEcho {
    private SocketEcho() {
    }

    /** Echoes everything it reads on the socket at {@code args[0]} until the peer closes. */
    public static void main(String[] args) throws IOException {
        Path path = Path.of(args[0]);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            System.out.println("ready");
            try (SocketChannel peer = server.accept()) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(256);
                while (peer.read(buffer.clear()) > 0) {
                    peer.write(buffer.flip());
                }
            }
        } finally {
            Files.deleteIfExists(path);
        }
    }

    /** Round-trip times in microseconds of {@code n} 16-byte messages, after a warm-up. */
    static double[] roundTrips(int n) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("mp4j-echo");
        Path path = dir.resolve("echo.sock");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process echo = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                SocketEcho.class.getName(), path.toString())).redirectErrorStream(true).start();
        try {
            echo.inputReader().readLine(); // "ready"
            try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(16);
                double[] micros = new double[n];
                for (int i = -2_000; i < n; i++) {
                    long start = System.nanoTime();
                    channel.write(buffer.clear().putLong(i).putLong(i).flip());
                    buffer.clear();
                    while (buffer.hasRemaining()) {
                        channel.read(buffer);
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
}

package io.github.multiprocessing4j.internal.wire;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** Two ends of a real Unix-domain connection, for the wire tests. */
record SocketPair(SocketChannel server, SocketChannel client) implements AutoCloseable {

    static SocketPair open(Path dir) throws IOException {
        Path socket = dir.resolve("s" + System.nanoTime() + ".sock");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
            client.connect(UnixDomainSocketAddress.of(socket));
            SocketChannel server = listener.accept();
            Files.deleteIfExists(socket);
            return new SocketPair(server, client);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        client.close();
    }
}

package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.session.Session;
import io.github.multiprocessing4j.internal.wire.Connection;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.internal.wire.Handshake;
import io.github.multiprocessing4j.testing.Delays;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child whose parent's socket accepts it and then says nothing (no CHALLENGE): the child must not wait for good,
 * with its parent watch not started yet, but give up after the connect timeout it was given and say why.
 */
class SilentParentHandshakeTest {

    @TempDir
    Path tmp;

    @Test
    void aParentThatTakesTheHelloAndNeverSendsWork_endsAChildThatIsNoSpare_afterItsConnectTimeout_notASpare()
            throws Exception {
        // A child that is no spare is given its work as soon as it has said hello. A parent that gave it up without
        // ending it (a bug, a start that threw at the wrong moment) left it waiting for its first frame for as long as
        // the parent lived. A spare waits on: until a start takes it.
        Path socket = tmp.resolve("taker.sock");
        Session session = Session.get();
        long parent = ProcessHandle.current().pid();
        BootRecord fresh = new BootRecord(session.key(), session.directory(), socket, 44, parent);
        BootRecord spare = new BootRecord(session.key(), session.directory(), socket, 45, parent, false, true,
                new byte[0], new byte[0]);
        Map<String, String> properties = new TreeMap<>(JavaCommand.libraryProperties());
        properties.put("mp4j.connectTimeoutSeconds", "3");
        List<Process> children = new ArrayList<>();
        List<Connection> connections = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            List<String> argv = new JavaCommand(JavaRuntime.current()).build(LaunchSpec.DEFAULT, properties, null, null);
            for (BootRecord boot : List.of(fresh, spare)) {
                Process child = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(tmp.resolve("child-" + boot.token() + ".err").toFile()).start();
                children.add(child);
                try (OutputStream stdin = child.getOutputStream()) {
                    stdin.write(boot.encode());
                }
                // Accepted, authenticated, its hello read, and then nothing, on a connection held open
                Connection connection = new Connection(server.accept());
                connections.add(connection);
                Handshake.serve(connection, session.key());
                assertThat(connection.receive().type()).isEqualTo(FrameType.HELLO);
            }
            assertThat(children.get(0).waitFor(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS))
                    .as("the child that is no spare gave up on its silent parent").isTrue();
            assertThat(children.get(0).exitValue()).isNotZero();
            assertThat(Files.readString(tmp.resolve("child-44.err"), StandardCharsets.UTF_8))
                    .contains("did not give this child its work after its hello").contains("3 s");
            assertThat(children.get(1).waitFor(Delays.seconds(6).toMillis(), TimeUnit.MILLISECONDS))
                    .as("the spare waits on, twice its connect timeout after the other gave up").isFalse();
        } finally {
            connections.forEach(Connection::close);
            for (Process child : children) {
                child.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aSocketThatAcceptsAndNeverChallenges_endsTheChild_afterItsConnectTimeout_withTheReason() throws Exception {
        Path socket = tmp.resolve("silent.sock");
        Session session = Session.get();
        BootRecord boot = new BootRecord(session.key(), session.directory(), socket, 43, ProcessHandle.current().pid());
        Map<String, String> properties = new TreeMap<>(JavaCommand.libraryProperties());
        properties.put("mp4j.connectTimeoutSeconds", "3");
        Path err = tmp.resolve("child.err");
        Process child = null;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            List<String> argv = new JavaCommand(JavaRuntime.current()).build(LaunchSpec.DEFAULT, properties, null, null);
            child = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile()).start();
            try (OutputStream stdin = child.getOutputStream()) {
                stdin.write(boot.encode());
            }
            CompletableFuture<SocketChannel> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            // Accepted, and held open without a word: a parent that is alive (its socket open) but never answers
            try (SocketChannel silent = accepted.get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS)) {
                assertThat(child.waitFor(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS))
                        .as("the child gave up on the silent socket").isTrue();
            }
            assertThat(child.exitValue()).isNotZero();
            assertThat(Files.readString(err, StandardCharsets.UTF_8))
                    .contains("handshake").contains("3 s").contains(socket.toString());
        } finally {
            if (child != null) {
                child.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
            }
        }
    }
}

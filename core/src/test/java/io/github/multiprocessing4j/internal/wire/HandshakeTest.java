package io.github.multiprocessing4j.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandshakeTest {

    @TempDir
    Path dir;

    @Test
    void sameKey_bothSidesAreAuthenticated_andFramesFlowAfterwards() throws Exception {
        byte[] key = Handshake.newKey();
        try (SocketPair pair = SocketPair.open(dir)) {
            Connection server = new Connection(pair.server());
            Connection client = new Connection(pair.client());
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> serve(server, key));
            Handshake.answer(client, key);
            serving.get(10, TimeUnit.SECONDS);
            client.send(FrameType.HELLO, 7, new byte[] {1, 2, 3});
            Frame frame = server.receive();
            assertThat(frame.type()).isEqualTo(FrameType.HELLO);
            assertThat(frame.id()).isEqualTo(7);
            assertThat(frame.payload()).containsExactly(1, 2, 3);
        }
    }

    @Test
    void clientWithTheWrongKey_isRefusedByTheServer_andTold() throws Exception {
        try (SocketPair pair = SocketPair.open(dir)) {
            Connection server = new Connection(pair.server());
            Connection client = new Connection(pair.client());
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> serve(server, Handshake.newKey()));
            // The client learns no more than that (the server says nothing else to a peer without the key), but its
            // message says what was refused, and what that means: not "the server refused us" alone
            assertThatThrownBy(() -> Handshake.answer(client, Handshake.newKey()))
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("refused this process's proof of the session key")
                    .hasMessageContaining("another session's key");
            assertThatThrownBy(() -> serving.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("does not know the session key");
        }
    }

    @Test
    void serverWithTheWrongKey_isRejectedByTheClient() throws Exception {
        try (SocketPair pair = SocketPair.open(dir)) {
            Connection server = new Connection(pair.server());
            Connection client = new Connection(pair.client());
            byte[] clientKey = Handshake.newKey();
            // A server that cannot compute the proof: it answers with a digest under another key.
            CompletableFuture.runAsync(() -> serve(server, clientKey, Handshake.newKey()));
            assertThatThrownBy(() -> Handshake.answer(client, clientKey))
                    .isInstanceOf(AuthenticationException.class);
        }
    }

    @Test
    void theServersOwnProof_reflectedAsAResponse_isRefused() throws Exception {
        // Whatever a peer could learn of the server's proof (the WELCOME digest, for these very nonces) does not
        // answer its challenge: the two digests are made under different labels.
        byte[] key = Handshake.newKey();
        try (SocketPair pair = SocketPair.open(dir)) {
            Connection server = new Connection(pair.server());
            Connection client = new Connection(pair.client());
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> serve(server, key));
            byte[] nonceS = Arrays.copyOfRange(client.receive().payload(), 1, 1 + Handshake.NONCE_LENGTH);
            byte[] nonceC = nonceS.clone(); // the challenge echoed, too
            byte[] response = Arrays.copyOf(nonceC, Handshake.NONCE_LENGTH + 32);
            byte[] serverProof = HmacSha256.mac(key, "mp4j-server".getBytes(), nonceS, nonceC);
            System.arraycopy(serverProof, 0, response, Handshake.NONCE_LENGTH, 32);
            client.send(FrameType.RESPONSE, 0, response);
            assertThatThrownBy(() -> serving.get(10, TimeUnit.SECONDS))
                    .cause().isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("does not know the session key");
            assertThat(client.receive().type()).isEqualTo(FrameType.FAILURE);
        }
    }

    @Test
    void aChallengeOfAnotherProtocolVersion_isReportedAsAVersionMismatch_whateverItsLength() throws Exception {
        // The length was checked first: a parent of another version whose challenge is longer (a version that adds a
        // field) made its child fail with "malformed challenge (41 bytes)", which does not say what is wrong
        try (SocketPair pair = SocketPair.open(dir)) {
            Connection server = new Connection(pair.server());
            Connection client = new Connection(pair.client());
            byte[] challenge = new byte[1 + Handshake.NONCE_LENGTH + 8];
            challenge[0] = 2;
            server.send(FrameType.CHALLENGE, 0, challenge);
            assertThatThrownBy(() -> Handshake.answer(client, Handshake.newKey()))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("peer speaks protocol version 2")
                    .hasMessageContaining("different versions of multiprocessing4j");
        }
    }

    @Test
    void anEmptyKey_whichAnyoneCouldProve_isRefusedOnBothSides() throws Exception {
        // An HMAC under an empty (or short) key proves nothing: a session key is always KEY_LENGTH random bytes, and
        // a key of another length (a corrupted boot record) must not make a handshake that anyone can pass.
        try (SocketPair pair = SocketPair.open(dir)) {
            Connection server = new Connection(pair.server());
            Connection client = new Connection(pair.client());
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> serve(server, new byte[0]));
            assertThatThrownBy(() -> Handshake.answer(client, new byte[0]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 bytes");
            assertThatThrownBy(() -> serving.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 bytes");
        }
        try (SocketPair pair = SocketPair.open(dir)) {
            byte[] tooShort = Arrays.copyOf(Handshake.newKey(), Handshake.KEY_LENGTH - 1);
            assertThatThrownBy(() -> Handshake.serve(new Connection(pair.server()), tooShort))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("31 bytes");
        }
    }

    @Test
    void garbageInsteadOfAResponse_closesTheHandshakeWithAProtocolError() throws Exception {
        try (SocketPair pair = SocketPair.open(dir)) {
            Connection server = new Connection(pair.server());
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> serve(server, Handshake.newKey()));
            pair.client().write(ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes()));
            assertThatThrownBy(() -> serving.get(10, TimeUnit.SECONDS))
                    .cause().isInstanceOf(ProtocolException.class).hasMessageContaining("announces");
        }
    }

    @Test
    void aWrongFrameTypeDuringTheHandshake_isAProtocolError() throws Exception {
        try (SocketPair pair = SocketPair.open(dir)) {
            Connection server = new Connection(pair.server());
            Connection client = new Connection(pair.client());
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> serve(server, Handshake.newKey()));
            client.receive(); // the challenge
            client.send(FrameType.RUN, 0, new byte[10]);
            assertThatThrownBy(() -> serving.get(10, TimeUnit.SECONDS))
                    .cause().isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("expected RESPONSE during the handshake, got RUN");
        }
    }

    @Test
    void aRefusalReasonFromAnUnauthenticatedPeer_cannotBreakOrColourALogLine() throws Exception {
        try (SocketPair pair = SocketPair.open(dir)) {
            Connection server = new Connection(pair.server());
            Connection client = new Connection(pair.client());
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> serve(server, Handshake.newKey()));
            client.receive(); // the challenge
            Handshake.sendFailure(client, "no\nWARNING forged line \u001b[31mred\u0000");
            assertThatThrownBy(() -> serving.get(10, TimeUnit.SECONDS))
                    .cause().isInstanceOf(AuthenticationException.class)
                    .hasMessageEndingWith(": no?WARNING forged line ?[31mred?");
        }
    }

    @Test
    void printable_alsoHidesUnicodeLineBreaksAndBidiOverrides_andCutsLongReasons() {
        assertThat(Handshake.printable("a\u2028b\u2029c\u202Ed\u2066e")).isEqualTo("a?b?c?d?e");
        assertThat(Handshake.printable("x".repeat(500))).isEqualTo("x".repeat(200) + "…");
    }

    private static void serve(Connection server, byte[] key) {
        try {
            Handshake.serve(server, key);
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    /** A server that checks the client with {@code key} but proves itself with {@code proofKey}. */
    private static void serve(Connection server, byte[] key, byte[] proofKey) {
        try {
            byte[] nonceS = new byte[Handshake.NONCE_LENGTH];
            byte[] challenge = new byte[1 + nonceS.length];
            challenge[0] = 1;
            server.send(FrameType.CHALLENGE, 0, challenge);
            Frame response = server.receive();
            byte[] nonceC = Arrays.copyOfRange(response.payload(), 0, Handshake.NONCE_LENGTH);
            server.send(FrameType.WELCOME, 0, HmacSha256.mac(proofKey, "mp4j-server".getBytes(), nonceS, nonceC));
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }
}

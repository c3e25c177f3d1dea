package io.github.multiprocessing4j.internal.wire;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Mutual HMAC challenge-response on a fresh {@link Connection}, after CPython's
 * {@code multiprocessing.connection.deliver_challenge}/{@code answer_challenge}, folded into three
 * messages instead of six:
 *
 * <pre>
 *  server                                  client
 *  CHALLENGE  version, nonceS (32 B)  ---&gt;
 *                                     &lt;--- RESPONSE  nonceC (32 B), HMAC(key, "client" nonceS nonceC)
 *  (checks it; on mismatch sends FAILURE and closes)
 *  WELCOME    HMAC(key, "server" nonceS nonceC) ---&gt;
 *                                          (checks it; on mismatch closes)
 * </pre>
 *
 * Both nonces enter both digests and the two digests are domain-separated, so no answer can be replayed
 * or reflected. HMAC-SHA256 ({@link HmacSha256}); digests are compared in constant time. Until the handshake succeeds a
 * connection accepts frames of at most {@value #MAX_HANDSHAKE_FRAME} bytes and nothing from it is
 * deserialized.
 *
 * <p>A handshake has no timeout of its own: the caller closes the connection at its deadline.
 */
public final class Handshake {
    public static final int KEY_LENGTH = 32;
    static final int NONCE_LENGTH = 32;
    static final int MAX_HANDSHAKE_FRAME = 256;
    private static final byte VERSION = 1;
    private static final byte[] CLIENT = "mp4j-client".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER = "mp4j-server".getBytes(StandardCharsets.US_ASCII);
    private static final File URANDOM = new File("/dev/urandom");
    /** The longest refusal reason that {@link #reason} passes on, in characters. */
    private static final int MAX_REASON = 200;

    private Handshake() {
    }

    /** A new random session key. */
    public static byte[] newKey() {
        byte[] key = new byte[KEY_LENGTH];
        Holder.RANDOM.nextBytes(key);
        return key;
    }

    /** The accepting side: challenges the peer, then proves itself. */
    public static void serve(Connection connection, byte[] key) throws IOException {
        requireSessionKey(key);
        connection.maxFrameLength(MAX_HANDSHAKE_FRAME);
        byte[] nonceS = nonce();
        byte[] challenge = new byte[1 + NONCE_LENGTH];
        challenge[0] = VERSION;
        System.arraycopy(nonceS, 0, challenge, 1, NONCE_LENGTH);
        connection.send(FrameType.CHALLENGE, 0, challenge);

        Frame response = expect(connection, FrameType.RESPONSE);
        byte[] payload = response.payload();
        if (payload.length != NONCE_LENGTH + 32) {
            refuse(connection, "malformed response (" + payload.length + " bytes)");
        }
        byte[] nonceC = Arrays.copyOfRange(payload, 0, NONCE_LENGTH);
        byte[] digest = Arrays.copyOfRange(payload, NONCE_LENGTH, payload.length);
        if (!MessageDigest.isEqual(digest, hmac(key, CLIENT, nonceS, nonceC))) {
            refuse(connection, "the peer does not know the session key");
        }
        connection.send(FrameType.WELCOME, 0, hmac(key, SERVER, nonceS, nonceC));
        connection.maxFrameLength(Frame.MAX_PAYLOAD);
    }

    /** The connecting side: answers the challenge, then checks the server's proof. */
    public static void answer(Connection connection, byte[] key) throws IOException {
        requireSessionKey(key);
        connection.maxFrameLength(MAX_HANDSHAKE_FRAME);
        Frame challenge = expect(connection, FrameType.CHALLENGE);
        byte[] payload = challenge.payload();
        // The version first: another version's challenge may have another length, and "malformed" would not say why
        if (payload.length > 0 && payload[0] != VERSION) {
            throw new ProtocolException("peer speaks protocol version " + payload[0] + ", this JVM speaks " + VERSION
                    + ": parent and child run different versions of multiprocessing4j");
        }
        if (payload.length != 1 + NONCE_LENGTH) {
            throw new ProtocolException("malformed challenge (" + payload.length + " bytes)");
        }
        byte[] nonceS = Arrays.copyOfRange(payload, 1, payload.length);
        byte[] nonceC = nonce();
        byte[] response = new byte[NONCE_LENGTH + 32];
        System.arraycopy(nonceC, 0, response, 0, NONCE_LENGTH);
        System.arraycopy(hmac(key, CLIENT, nonceS, nonceC), 0, response, NONCE_LENGTH, 32);
        connection.send(FrameType.RESPONSE, 0, response);

        Frame welcome = connection.receive();
        if (welcome == null) {
            throw new PeerClosedException("the peer closed the connection during the handshake");
        }
        if (welcome.type() == FrameType.FAILURE) {
            // Without a reason it is a refused proof: a server tells a peer that has not proved the key nothing more
            throw new AuthenticationException(welcome.payload().length == 0
                    ? "the server refused this process's proof of the session key: this process was given another"
                            + " session's key than the JVM that listens there holds (it was not started by that JVM)"
                    : "the server refused this process" + reason(welcome));
        }
        if (welcome.type() != FrameType.WELCOME
                || !MessageDigest.isEqual(welcome.payload(), hmac(key, SERVER, nonceS, nonceC))) {
            throw new AuthenticationException("the server did not prove that it knows the session key");
        }
        connection.maxFrameLength(Frame.MAX_PAYLOAD);
    }

    /**
     * A key is {@value #KEY_LENGTH} random bytes ({@link #newKey}): an empty or short one (a corrupted boot record)
     * would make a handshake that proves little or nothing, so none is sent under it.
     */
    private static void requireSessionKey(byte[] key) {
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("a session key of " + key.length + " bytes; it must have " + KEY_LENGTH);
        }
    }

    private static Frame expect(Connection connection, byte type) throws IOException {
        Frame frame = connection.receive();
        if (frame == null) {
            throw new PeerClosedException("peer closed the connection during the handshake");
        }
        if (frame.type() == FrameType.FAILURE) {
            throw new AuthenticationException("the peer refused the handshake" + reason(frame));
        }
        if (frame.type() != type) {
            throw new ProtocolException("expected " + FrameType.name(type) + " during the handshake, got "
                    + FrameType.name(frame.type()));
        }
        return frame;
    }

    /**
     * The reason a {@link FrameType#FAILURE} frame gives, as {@code ": why"}, or "" if it gives none (a wrong
     * key is refused without one). Only printed, never interpreted.
     */
    public static String reason(Frame failure) {
        byte[] why = failure.payload();
        return why.length == 0 ? "" : ": " + printable(new String(why, StandardCharsets.UTF_8));
    }

    /**
     * {@code text}, at most {@value #MAX_REASON} characters of it, with control and format characters
     * (line breaks, terminal escapes, Unicode line separators, bidi overrides) replaced by {@code '?'}: the
     * reason comes from a peer that may not have proved the key, and ends up in a log line.
     */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_REASON + 1));
        text.codePoints().limit(MAX_REASON).forEach(c -> out.appendCodePoint(isPrintable(c) ? c : '?'));
        return text.codePointCount(0, text.length()) > MAX_REASON ? out.append('…').toString() : out.toString();
    }

    private static boolean isPrintable(int c) {
        int type = Character.getType(c);
        return !Character.isISOControl(c) && type != Character.FORMAT && type != Character.LINE_SEPARATOR
                && type != Character.PARAGRAPH_SEPARATOR;
    }

    private static void refuse(Connection connection, String why) throws AuthenticationException {
        sendFailure(connection, ""); // a peer without the key learns nothing
        throw new AuthenticationException(why);
    }

    /**
     * Sends a {@link FrameType#FAILURE} frame with a reason ("" for none), which the peer reads with
     * {@link #reason}; quietly, since a peer that is gone is refused either way.
     */
    public static void sendFailure(Connection connection, String why) {
        try {
            connection.send(FrameType.FAILURE, 0, why.getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the peer may be gone already
        }
    }

    /**
     * A random nonce, read straight from {@code /dev/urandom} where there is one: a child's first
     * {@code SecureRandom} would load the JCA provider framework, which costs tens of milliseconds.
     */
    private static byte[] nonce() {
        byte[] nonce = new byte[NONCE_LENGTH];
        if (URANDOM.canRead()) {
            try (FileInputStream in = new FileInputStream(URANDOM)) {
                if (in.readNBytes(nonce, 0, NONCE_LENGTH) == NONCE_LENGTH) {
                    return nonce;
                }
            } catch (IOException e) {
                // fall back to SecureRandom
            }
        }
        Holder.RANDOM.nextBytes(nonce);
        return nonce;
    }

    /** Initialized only where the platform has no /dev/urandom, or for a session key (in the root). */
    private static final class Holder {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    private static byte[] hmac(byte[] key, byte[] label, byte[] nonceS, byte[] nonceC) {
        return HmacSha256.mac(key, label, nonceS, nonceC);
    }
}

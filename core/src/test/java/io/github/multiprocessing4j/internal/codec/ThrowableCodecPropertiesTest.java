package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.internal.bytes.MalformedDataException;
import io.github.multiprocessing4j.process.RemoteTaskException;
import io.github.multiprocessing4j.testing.Gen;
import io.github.multiprocessing4j.testing.Guarded;
import io.github.multiprocessing4j.testing.Tries;
import java.io.IOException;
import java.io.Serial;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThrowableCodecPropertiesTest {

    static class Oops extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        Oops(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Cannot be serialized: it holds a plain Object. */
    static class Unsendable extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;
        @SuppressWarnings("unused")
        private final Object handle = new Object();

        Unsendable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    enum Kind {
        RUNTIME, ILLEGAL_STATE, IO, OOPS, UNSENDABLE;

        Throwable create(String message, Throwable cause) {
            return switch (this) {
                case RUNTIME -> new RuntimeException(message, cause);
                case ILLEGAL_STATE -> new IllegalStateException(message, cause);
                case IO -> new IOException(message, cause);
                case OOPS -> new Oops(message, cause);
                case UNSENDABLE -> new Unsendable(message, cause);
            };
        }
    }

    /** One exception of a tree: a kind and a message (null, any text, control characters). */
    record Node(Kind kind, String message) {
    }

    /** A failure with a cause chain ({@code chain[0]} is thrown) and suppressed exceptions on the first. */
    record Failure(List<Node> chain, List<Node> suppressed) {
        boolean sendable() {
            return chain.stream().noneMatch(n -> n.kind == Kind.UNSENDABLE)
                    && suppressed.stream().noneMatch(n -> n.kind == Kind.UNSENDABLE);
        }

        Throwable build() {
            Throwable t = null;
            for (Node n : chain.reversed()) {
                t = n.kind.create(n.message, t);
            }
            for (Node n : suppressed) {
                t.addSuppressed(n.kind.create(n.message, null));
            }
            return t;
        }
    }

    /** A message: null, any text, or control, format and separator characters. */
    private static String message(Gen g) {
        return switch (g.choose(5)) {
            case 0 -> null;
            case 1, 2, 3 -> Values.string(g);
            default -> g.string(0, 12, () -> g.oneIn(2) ? g.charBetween('\u0000', '\u001f')
                    : g.pick('\u007f', '\u0085', '\u2028', '\u202e', 'a'));
        };
    }

    /** An exception of a kind that can be serialized six times in seven, one that cannot otherwise. */
    private static Node node(Gen g) {
        Kind kind = g.oneIn(7) ? Kind.UNSENDABLE : g.pick(Kind.RUNTIME, Kind.ILLEGAL_STATE, Kind.IO, Kind.OOPS);
        return new Node(kind, message(g));
    }

    static Failure failure(Gen g) {
        return new Failure(g.list(1, 4, () -> node(g)), g.list(0, 2, () -> node(g)));
    }

    private static String utf8(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    /**
     * A failure whose every exception can be serialized comes back as itself: same classes, messages (exact,
     * lone surrogates too), cause chain, suppressed and stack traces. Any other comes back as a
     * RemoteTaskException with the class name, message and stack trace text, which travel as UTF-8 (a lone
     * surrogate becomes '?'). Either way the record takes exactly the bytes it was written in.
     */
    @Test
    void failures_travel() {
        Tries.forAll(300, ThrowableCodecPropertiesTest::failure, ThrowableCodecPropertiesTest::travels);
    }

    private static void travels(Failure failure) {
        Throwable thrown = failure.build();
        ByteSink sink = new ByteSink();
        ThrowableCodec.write(thrown, sink);
        sink.putInt(0x5ca1ab1e);
        ByteSource source = new ByteSource(sink.toByteArray());
        Throwable back = ThrowableCodec.read(source, "child JVM 1 \"test\"");
        assertThat(source.getInt()).isEqualTo(0x5ca1ab1e);
        source.expectEnd();
        if (failure.sendable()) {
            Throwable a = thrown;
            Throwable b = back;
            while (a != null) {
                assertThat(b).hasSameClassAs(a);
                assertThat(b.getMessage()).isEqualTo(a.getMessage());
                assertThat(b.getStackTrace()).isEqualTo(a.getStackTrace());
                a = a.getCause();
                b = b.getCause();
            }
            assertThat(b).isNull();
            assertThat(back.getSuppressed()).hasSameSizeAs(thrown.getSuppressed());
            for (int i = 0; i < thrown.getSuppressed().length; i++) {
                assertThat(back.getSuppressed()[i]).hasSameClassAs(thrown.getSuppressed()[i]);
                assertThat(back.getSuppressed()[i].getMessage()).isEqualTo(thrown.getSuppressed()[i].getMessage());
            }
        } else {
            assertThat(back).isInstanceOf(RemoteTaskException.class);
            RemoteTaskException remote = (RemoteTaskException) back;
            assertThat(remote.remoteClassName()).isEqualTo(thrown.getClass().getName());
            assertThat(remote.remoteMessage()).isEqualTo(thrown.getMessage() == null ? null : utf8(thrown.getMessage()));
            assertThat(remote.remoteStackTrace()).isEqualTo(utf8(ThrowableCodec.stackTraceOf(thrown)));
            assertThat(remote.getCause()).isNull();
            assertThat(remote.getMessage()).startsWith(thrown.getClass().getName()).contains("child JVM 1 \"test\"");
        }
    }

    record MutatedFailure(Failure failure, List<Mutation> mutations) {
    }

    private static MutatedFailure mutatedFailure(Gen g) {
        return new MutatedFailure(failure(g), Mutation.some(g));
    }

    /** A garbled failure reads as some Throwable, or fails with MalformedDataException or DecodingException. */
    @Test
    void mutatedFailures_readOrFailCleanly() {
        Tries.forAll(500, ThrowableCodecPropertiesTest::mutatedFailure,
                in -> readsOrFailsCleanly(in.failure(), in.mutations()));
    }

    private static void readsOrFailsCleanly(Failure failure, List<Mutation> mutations) {
        ByteSink sink = new ByteSink();
        ThrowableCodec.write(failure.build(), sink);
        byte[] bytes = Mutation.applyAll(sink.toByteArray(), mutations);
        Guarded.Outcome<Throwable> outcome = Guarded.call(() -> ThrowableCodec.read(new ByteSource(bytes), "there"));
        Throwable thrown = outcome.thrown();
        if (thrown != null && !(thrown instanceof MalformedDataException || thrown instanceof DecodingException)) {
            throw new AssertionError("reading " + bytes.length + " bytes threw " + thrown, thrown);
        }
        if (thrown == null) {
            assertThat(outcome.value()).isNotNull();
        }
        assertThat(outcome.allocatedBytes()).isLessThan(16L * 1024 * 1024 + 100L * bytes.length);
    }

    /**
     * With the text intact, a garbled value never fails the read: the parent gets a Throwable, and if it
     * is not one the bytes still decode to, a RemoteTaskException with the text that travelled.
     */
    @Test
    void aGarbledValue_fallsBackToTheText() {
        Tries.forAll(500, ThrowableCodecPropertiesTest::mutatedFailure,
                in -> fallsBackToTheText(in.failure(), in.mutations()));
    }

    private static void fallsBackToTheText(Failure failure, List<Mutation> mutations) {
        Throwable thrown = failure.build();
        ByteSink sink = new ByteSink();
        ThrowableCodec.write(thrown, sink);
        byte[] bytes = sink.toByteArray();
        ByteSource text = new ByteSource(bytes);
        String className = text.getUtf8();
        String message = text.getByte() != 0 ? text.getUtf8() : null;
        String stackTrace = text.getUtf8();
        int valueAt = text.position();
        byte[] value = Mutation.applyAll(Arrays.copyOfRange(bytes, valueAt, bytes.length), mutations);
        byte[] garbled = Arrays.copyOf(bytes, valueAt + value.length);
        System.arraycopy(value, 0, garbled, valueAt, value.length);

        Guarded.Outcome<Throwable> outcome = Guarded.call(() -> ThrowableCodec.read(new ByteSource(garbled), "there"));
        assertThat(outcome.thrown()).isNull();
        if (outcome.value() instanceof RemoteTaskException remote && !(thrown instanceof RemoteTaskException)) {
            assertThat(remote.remoteClassName()).isEqualTo(className);
            assertThat(remote.remoteMessage()).isEqualTo(message);
            assertThat(remote.remoteStackTrace()).isEqualTo(stackTrace);
        } else {
            assertThat(outcome.value()).isNotNull();
        }
    }
}

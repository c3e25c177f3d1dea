package io.github.multiprocessing4j.internal.launch;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * Finds the start signal of a child started directly with its task in the first bytes of its stdout, and
 * cuts it out, so that what the child's program writes reaches this JVM's stdout as it was written (see
 * {@link io.github.multiprocessing4j.internal.worker.DirectStart}). The signal normally opens the stream, but
 * the JVM or an agent may write before {@code main} (a {@code -Xlog} to stdout, say), so it is looked for
 * anywhere until it is seen; bytes that might begin it are kept back only until the next byte tells.
 *
 * <p>Used by one output pump thread; {@link #seen()} may be read by any thread.
 */
final class StartSignal {
    private final byte[] signal;
    /** How many bytes of the signal the stream has just shown (and which are kept back). */
    private int matched;
    private final CompletableFuture<Long> seen = new CompletableFuture<>();

    StartSignal(byte[] signal) {
        this.signal = signal.clone();
    }

    /** Completes, with {@link System#nanoTime()} then, once the signal has been read. */
    CompletableFuture<Long> seen() {
        return seen;
    }

    boolean isSeen() {
        return seen.isDone();
    }

    /** The bytes of {@code buffer[0, n)} to pass on, the signal cut out; call only while not {@link #isSeen()}. */
    byte[] filter(byte[] buffer, int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(n);
        for (int i = 0; i < n; i++) {
            byte b = buffer[i];
            if (signal[matched] == b) {
                if (++matched == signal.length) {
                    matched = 0;
                    seen.complete(System.nanoTime());
                    out.write(buffer, i + 1, n - i - 1);
                    break;
                }
                continue;
            }
            // The bytes kept back and b are no signal: pass on the fewest that leave a start of the signal.
            byte[] kept = new byte[matched + 1];
            System.arraycopy(signal, 0, kept, 0, matched);
            kept[matched] = b;
            int shift = 1;
            while (shift < kept.length && !startsTheSignal(kept, shift)) {
                shift++;
            }
            out.write(kept, 0, shift);
            matched = kept.length - shift;
        }
        return out.toByteArray();
    }

    /** What is kept back when the stream ends without the signal. */
    byte[] rest() {
        byte[] rest = new byte[matched];
        System.arraycopy(signal, 0, rest, 0, matched);
        matched = 0;
        return rest;
    }

    private boolean startsTheSignal(byte[] kept, int from) {
        for (int i = from; i < kept.length; i++) {
            if (kept[i] != signal[i - from]) {
                return false;
            }
        }
        return true;
    }
}

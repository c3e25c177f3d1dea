package io.github.multiprocessing4j.internal.launch;

import java.nio.charset.StandardCharsets;

/**
 * Keeps the last few KiB a child wrote to stderr, for crash reports.
 *
 * <p>Thread-safe: the pump appends while any thread may read the tail.
 */
public final class StderrTail {
    private final byte[] ring;
    private long written;

    public StderrTail(int capacity) {
        ring = new byte[capacity];
    }

    public synchronized void append(byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) {
            ring[(int) (written++ % ring.length)] = b[off + i];
        }
    }

    /**
     * The last {@code maxLines} complete or partial lines, without a leading partial line if the ring wrapped,
     * unless that line is the only one: then its end.
     */
    public synchronized String lastLines(int maxLines) {
        int n = (int) Math.min(written, ring.length);
        byte[] bytes = new byte[n];
        long start = written - n;
        for (int i = 0; i < n; i++) {
            bytes[i] = ring[(int) ((start + i) % ring.length)];
        }
        int skip = 0;
        if (written > ring.length) {
            // The ring may have cut a character in two: its first bytes are then UTF-8 continuation bytes
            // (10xxxxxx), which would decode to U+FFFD where no newline follows to drop them with the line.
            while (skip < Math.min(3, n) && (bytes[skip] & 0xC0) == 0x80) {
                skip++;
            }
        }
        String text = new String(bytes, skip, n - skip, StandardCharsets.UTF_8);
        if (written > ring.length) {
            // Drop the line the ring cut, unless nothing follows it: a last line longer than the ring is
            // shown cut rather than not at all.
            int nl = text.indexOf('\n');
            if (nl >= 0 && !text.substring(nl + 1).isBlank()) {
                text = text.substring(nl + 1);
            }
        }
        // Blank lines around the text go; the first line keeps its indentation ("\tat ..."), no line its CR.
        String[] lines = text.stripTrailing().split("\r?\n");
        int first = 0;
        while (first < lines.length - 1 && lines[first].isBlank()) {
            first++;
        }
        int from = Math.max(first, lines.length - maxLines);
        return String.join("\n", java.util.Arrays.asList(lines).subList(from, lines.length));
    }
}

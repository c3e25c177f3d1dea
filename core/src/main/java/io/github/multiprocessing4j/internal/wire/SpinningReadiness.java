package io.github.multiprocessing4j.internal.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * Waiting on a non-blocking socket the way low-latency IPC does (Aeron's back-off, Linux's busy polling):
 * a read that finds nothing retries, yielding the CPU between tries, for a short while, and only then
 * parks in a {@link Selector}.
 *
 * <p>Why: on a small or virtualised machine most of a socket round trip is waking the sleeping reader,
 * twice per round trip (measured here: a blocking ping-pong between two JVMs takes a median of ~28 µs,
 * the same ping-pong with both sides polling ~10 µs). A reply that comes within the spin is read without
 * ever sleeping. The cost is bounded: at most {@code spinNanos} of yielding per wait that finds nothing,
 * and {@link Thread#yield()} lets any other runnable thread have the core meanwhile.
 *
 * <p>Semantics kept from a blocking channel: an interrupt while parked closes the channel and throws
 * {@link ClosedByInterruptException} (the interrupt status stays set); {@link #close()} from another
 * thread makes a parked reader or writer throw {@link AsynchronousCloseException}.
 *
 * <p>Thread-safety: one reader and one writer at a time (the {@link Connection}'s own rules); close from
 * any thread.
 */
final class SpinningReadiness implements AutoCloseable {
    private final SocketChannel channel;
    private final long spinNanos;
    private final Selector readable;
    private final Selector writable;

    /** Switches {@code channel} to non-blocking mode; nobody may be reading or writing it yet. */
    SpinningReadiness(SocketChannel channel, long spinNanos) throws IOException {
        this.channel = channel;
        this.spinNanos = spinNanos;
        channel.configureBlocking(false);
        Selector r = Selector.open();
        Selector w = null;
        try {
            w = Selector.open();
            channel.register(r, SelectionKey.OP_READ);
            channel.register(w, SelectionKey.OP_WRITE);
        } catch (IOException | RuntimeException e) {
            r.close();
            if (w != null) {
                w.close();
            }
            try {
                channel.configureBlocking(true); // the keys went with the selectors: the channel blocks as before
            } catch (IOException again) {
                e.addSuppressed(again); // the channel is closed: nobody will read it in either mode
            }
            throw e;
        }
        this.readable = r;
        this.writable = w;
    }

    /** Reads at least one byte into {@code dst}, or returns -1 at the end of the stream. */
    int read(ByteBuffer dst) throws IOException {
        int n = channel.read(dst);
        if (n != 0) {
            return n;
        }
        long start = System.nanoTime();
        do {
            Thread.yield();
            n = channel.read(dst);
        } while (n == 0 && System.nanoTime() - start < spinNanos);
        while (n == 0) {
            park(readable);
            n = channel.read(dst);
        }
        return n;
    }

    /** Writes at least one byte of {@code src} (which has some left). */
    void write(ByteBuffer src) throws IOException {
        while (channel.write(src) == 0) {
            park(writable); // the peer's receive buffer is full: no point spinning
        }
    }

    /**
     * As {@link #write}, but an interrupt does not stop it: the thread waits on until the bytes are written
     * (or the channel is closed), and its interrupt status is set again on the way out.
     */
    void writeUninterruptibly(ByteBuffer src) throws IOException {
        boolean interrupted = false;
        try {
            while (channel.write(src) == 0) {
                interrupted |= Thread.interrupted(); // a pending interrupt would make every select() return at once
                parkUninterruptibly(writable);
            }
        } finally {
            if (interrupted || Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits for {@code selector}; an interrupt (which wakes it) is left for the caller to judge. */
    private void parkUninterruptibly(Selector selector) throws IOException {
        try {
            selector.select();
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            throw new AsynchronousCloseException();
        }
        if (!channel.isOpen()) {
            throw new AsynchronousCloseException();
        }
    }

    private void park(Selector selector) throws IOException {
        parkUninterruptibly(selector);
        if (Thread.currentThread().isInterrupted()) {
            channel.close();
            close(); // wakes the thread parked on the other selector, as closing a blocking channel would
            throw new ClosedByInterruptException();
        }
    }

    /**
     * Closes the selectors, which wakes a parked reader or writer and lets the channel's socket really
     * close (a channel registered with a selector keeps its file descriptor until it is deregistered).
     * Call after closing the channel.
     */
    @Override
    public void close() {
        closeQuietly(readable);
        closeQuietly(writable);
    }

    private static void closeQuietly(Selector selector) {
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing an epoll selector does not fail in practice; nothing to do if it did
        }
    }
}

package io.github.multiprocessing4j.internal.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Copies a child's stdout or stderr to this JVM's {@code System.out} or {@code System.err} (looked up at
 * every write, so {@link System#setOut} is honoured), keeping a {@link StderrTail} on the way if asked.
 * {@link #drained()} completes at end of stream.
 */
final class OutputPump implements Runnable {
    private final InputStream source;
    private final Supplier<PrintStream> target;
    private final StderrTail tail;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();

    OutputPump(InputStream source, Supplier<PrintStream> target, StderrTail tail) {
        this.source = source;
        this.target = target;
        this.tail = tail;
    }

    static OutputPump start(InputStream source, Supplier<PrintStream> target, StderrTail tail, String name) {
        OutputPump pump = new OutputPump(source, target, tail);
        Thread.ofPlatform().daemon().name(name).stackSize(256 * 1024).start(pump);
        return pump;
    }

    @Override
    public void run() {
        byte[] buffer = new byte[8192];
        try (source) {
            int n;
            while ((n = source.read(buffer)) > 0) {
                if (tail != null) {
                    tail.append(buffer, 0, n);
                }
                PrintStream out = target.get();
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the pipe was closed under us (the child was killed): nothing more to copy
        } finally {
            drained.complete(null);
        }
    }

    CompletableFuture<Void> drained() {
        return drained;
    }
}

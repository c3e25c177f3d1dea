package io.github.multiprocessing4j.subprocess;

import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that feed stdin and drain stdout and stderr: platform daemon threads, created on demand and
 * kept for a while once idle, as the JDK keeps its "process reaper" threads.
 *
 * <p>Why not virtual threads: a pipe read or write blocks in native code, which pins the virtual thread to
 * its carrier, and the scheduler then brings up a compensating carrier for each blocking call. Moving 100 MB
 * through {@code cat} that way was slower than with platform threads on our shared 2-core machine (medians
 * of 8 alternating runs: 235 against 328 MB/s; the spread under load is wide). Why a pool: starting a platform thread costs tens of microseconds, a visible part of
 * {@code run("true")} with captured output; a reused one costs nothing. Daemon threads: a blocked drain
 * (a pipe held open by a process that escaped a tree kill) must not keep the JVM alive.
 */
final class PipeThreads {
    private static final long KEEP_ALIVE_SECONDS = 30;
    private static final long STACK_SIZE = 256 * 1024;
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final ThreadFactory FACTORY = task -> Thread.ofPlatform().daemon()
            .name("mp4j-subprocess-pipe-" + COUNTER.incrementAndGet()).stackSize(STACK_SIZE).unstarted(task);
    private static final ExecutorService POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, KEEP_ALIVE_SECONDS,
            TimeUnit.SECONDS, new SynchronousQueue<>(), FACTORY);

    private PipeThreads() {
    }

    /** Runs {@code task} on a pipe thread at once. */
    static void start(Runnable task) {
        POOL.execute(task);
    }

    /**
     * Runs {@code drain} on a pipe thread that holds the monitor of {@code source}, one of the JDK's process
     * output streams, from before its first read to its end; returns once the thread holds it.
     *
     * <p>Why: when the command exits, the JDK's process reaper takes that monitor
     * ({@code ProcessPipeInputStream.processExited}) to read what is in the pipe and close it. A background
     * process of the command that still writes would then lose the rest of its output and die of SIGPIPE.
     * Held from before the command can have exited to the end of the stream, the monitor makes the reaper
     * wait for the real end, as Python reads. The JDK's own reads take it anyway while they block.
     *
     * <p>The price: while a background process holds the pipe open, the reaper thread waits, and until it
     * returns the JDK keeps the command's pid in its table of exit records, so a new process that the kernel
     * gives the same pid would read as exited at once. The JDK's blocked reads cause the same whenever such
     * a process stays silent; this extends it to one that writes. Short of creating the pipes ourselves
     * (native code), that is the trade: output is never cut short.
     */
    static void startHolding(InputStream source, Runnable drain) {
        CountDownLatch holding = new CountDownLatch(1);
        start(() -> {
            synchronized (source) {
                holding.countDown();
                drain.run();
            }
        });
        boolean interrupted = false;
        while (true) {
            try {
                holding.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // a thread start takes microseconds: finish it, keep the status
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

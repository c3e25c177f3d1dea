package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.internal.bytes.MalformedDataException;
import io.github.multiprocessing4j.internal.codec.ThrowableCodec;
import io.github.multiprocessing4j.internal.config.Settings;
import io.github.multiprocessing4j.internal.launch.ChildJvm;
import io.github.multiprocessing4j.internal.launch.ChildLauncher;
import io.github.multiprocessing4j.internal.launch.ExitStatus;
import io.github.multiprocessing4j.internal.seam.FailureSeam;
import io.github.multiprocessing4j.internal.session.LibraryThreads;
import io.github.multiprocessing4j.internal.wire.Frame;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.process.ProcessStartException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;

/**
 * Boots pool workers: a child JVM, then {@code SERVE} with the initializer, then the wait for
 * {@code READY}. A worker is handed to the engine only once its initializer has succeeded.
 */
final class WorkerBoot {
    private static final Duration CONNECT_TIMEOUT = Settings.connectTimeout();

    private final WorkerConfig config;
    /** Children launched by bootOne that are not ready yet. */
    private final java.util.Set<ChildJvm> booting = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The engine's lock: each worker gets a condition of it. */
    private final ReentrantLock engineLock;
    /** Numbers the workers of every pool with the default name, as CPython numbers all of a program's processes. */
    private static final AtomicInteger DEFAULT_NAMES = new AtomicInteger();

    /** Numbers this pool's workers: JVM-wide for the default name, so two pools' workers differ; else per pool. */
    private final AtomicInteger counter;
    /** The last ticket issued ({@link #ticket()}): one for each boot, in the order they were asked for. */
    private final AtomicLong tickets = new AtomicLong();
    /** Boots with a ticket up to this one are to be killed ({@link #killBooting()}). */
    private volatile long killedUpTo;
    /** For tests: where the start of a thread that boots a worker ({@link #startThread}) throws. */
    private static final FailureSeam THREAD_START = new FailureSeam();

    WorkerBoot(WorkerConfig config, ReentrantLock engineLock) {
        this.config = config;
        this.counter = config.name().equals(WorkerConfig.DEFAULT_NAME) ? DEFAULT_NAMES : new AtomicInteger();
        this.engineLock = engineLock;
    }

    /**
     * Boots {@code n} workers in parallel; as soon as one fails, or this thread is interrupted, kills the others,
     * those still booting too (an initializer that hangs in one must not keep the failure of another from being
     * reported, nor outlive the call), and throws.
     *
     * @throws IllegalStateException if an initializer failed (its exception is the cause)
     * @throws ProcessStartException if a JVM could not start
     * @throws Error as a boot, or the start of its thread, threw it (no thread could be made for a child's output, say)
     */
    List<Worker> bootAll(int n) throws InterruptedException {
        List<CompletableFuture<Worker>> starting = new ArrayList<>();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        CompletableFuture<Void> failed = new CompletableFuture<>();
        for (int i = 0; i < n; i++) {
            CompletableFuture<Worker> f = new CompletableFuture<>();
            long ticket = ticket();
            starting.add(f);
            try {
                startThread(() -> {
                    try {
                        f.complete(bootOne(ticket));
                    } catch (Throwable t) {
                        if (firstFailure.compareAndSet(null, t)) {
                            failed.complete(null);
                        }
                        f.completeExceptionally(t);
                    }
                });
            } catch (RuntimeException | Error e) {
                // No thread for this boot (out of memory, say): thrown from here, it would leave the boots already
                // started to run on, and their workers, ready, with no pool to serve, until this JVM exits
                if (firstFailure.compareAndSet(null, e)) {
                    failed.complete(null);
                }
                f.completeExceptionally(e);
                break;
            }
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new));
        try {
            CompletableFuture.anyOf(all, failed).get();
        } catch (InterruptedException e) {
            abandon(starting, all);
            throw e;
        } catch (ExecutionException e) {
            // a worker failed: firstFailure holds why
        }
        Throwable failure = firstFailure.get();
        if (failure == null) {
            return starting.stream().map(CompletableFuture::join).toList();
        }
        abandon(starting, all);
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error e) {
            throw e; // no thread for a child's output (OutOfMemoryError), say: no initializer's failure
        }
        throw new IllegalStateException(failure);
    }

    /**
     * Starts a thread that boots a worker: here, and for a replacement (WorkerTurnover). A platform thread, not a
     * virtual one ({@link LibraryThreads}): a virtual boot waited for a carrier held by CPU-bound virtual threads to
     * launch its worker, and again once the worker had connected back, so that build() and the replacement of a
     * crashed worker waited as long. One
     * per worker launched, a process that costs far more. In the library's group, as virtual threads are in none of
     * the program's: a program's ThreadGroup.interrupt() must not reach it (an interrupted wait would fail the boot),
     * nor the worker's threads it starts.
     */
    static void startThread(Runnable boot) {
        THREAD_START.check();
        LibraryThreads.daemon("mp4j-pool-boot").start(boot);
    }

    /**
     * For tests: makes the {@link #startThread}s after the next {@code succeeding} throw {@code failure}, {@code times}
     * of them, as when no thread can be made; null for none.
     */
    static void failThreads(Error failure, int succeeding, int times) {
        failThreads(failure, succeeding, times, null);
    }

    /**
     * For tests: as {@link #failThreads(Error, int, int)}, and the last of those that throw runs {@code meanwhile}
     * first (under the engine's lock, for a replacement).
     */
    static void failThreads(Error failure, int succeeding, int times, Runnable meanwhile) {
        THREAD_START.arm(failure, succeeding, times, meanwhile);
    }

    /**
     * Kills the workers of a failed {@link #bootAll}: those ready, and those still booting (until every boot has
     * ended, as a child launched just now joins {@link #booting} only after its launch).
     */
    private void abandon(List<CompletableFuture<Worker>> starting, CompletableFuture<Void> all) {
        starting.forEach(f -> f.thenAccept(w -> w.child.discard()));
        boolean interrupted = false;
        while (!all.isDone()) {
            killBooting();
            try {
                all.get(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | TimeoutException e) {
                // ended in failure (as killed), or not yet: look again
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A ticket for a boot about to be asked for: {@link #killBooting()} kills the boots whose ticket it has
     * issued, even one whose child is not launched yet. Take it when the boot is decided (under the engine's
     * lock, for a replacement), not when it starts.
     */
    long ticket() {
        return tickets.incrementAndGet();
    }

    /** Boots one worker and waits until it is ready; {@code ticket} comes from {@link #ticket()}. */
    Worker bootOne(long ticket) throws InterruptedException {
        String name = config.name() + "-" + counter.incrementAndGet();
        ChildJvm child = ChildLauncher.get().launch(config.spec());
        booting.add(child);
        if (ticket <= killedUpTo) {
            child.killTree(); // killBooting() ran before this child was in the set: it must not outlive that call
        }
        boolean ok = false;
        try {
            child.awaitConnected(CONNECT_TIMEOUT);
            Worker worker = new Worker(child, name, engineLock.newCondition());
            int flags = config.maxMemoryPerChild() > 0 ? PoolProtocol.REPORT_MEMORY : 0;
            worker.connection.send(FrameType.SERVE, 0, new PoolProtocol.Serve(name, flags, config.initializer()).encode());
            Frame ready = worker.receive();
            if (ready == null) {
                throw diedDuringStart(child, name);
            }
            if (ready.type() != FrameType.READY) {
                throw brokeProtocolDuringStart(child, name, "it sent " + ready + " instead of READY");
            }
            if (ready.payload().length == 0) {
                throw brokeProtocolDuringStart(child, name, "it sent an empty READY");
            }
            if (ready.payload()[0] == 0) {
                Throwable cause;
                try {
                    ByteSource in = ready.body();
                    in.getByte();
                    cause = ThrowableCodec.read(in, "pool worker " + name + " (pid " + child.pid() + ")");
                } catch (MalformedDataException e) {
                    throw brokeProtocolDuringStart(child, name, "it sent a malformed " + ready + ": " + e.getMessage());
                }
                throw new IllegalStateException("the pool's initializer failed in worker " + name + " (pid "
                        + child.pid() + "): " + ThrowableCodec.describe(cause), cause);
            }
            worker.connection.spinBeforeBlocking(PoolProtocol.SPIN_NANOS);
            ok = true;
            return worker;
        } catch (IOException e) {
            throw diedDuringStart(child, name);
        } finally {
            booting.remove(child);
            if (!ok) {
                child.discard();
            }
        }
    }

    /**
     * Kills the workers that are still booting, and those whose boot has a ticket but has not launched its child
     * yet (for {@code terminate()}, and for a pool shut down with nothing left to run): their wait for READY ends,
     * and a replacement whose initializer hangs cannot keep the pool from terminating.
     */
    void killBooting() {
        killedUpTo = tickets.get();
        booting.forEach(ChildJvm::killTree);
    }

    /**
     * The worker sent something else than its READY (a frame forged by its initializer, say): it is killed, and
     * the start fails saying why, as a worker that breaks the protocol later fails its task.
     */
    private static ProcessStartException brokeProtocolDuringStart(ChildJvm child, String name, String what)
            throws InterruptedException {
        return startFailed(child, name, exit -> "broke the pool's protocol while starting: " + what + "; killed it");
    }

    private static ProcessStartException diedDuringStart(ChildJvm child, String name) throws InterruptedException {
        return startFailed(child, name, exit -> "died while starting: " + ExitStatus.describe(exit));
    }

    /** Kills the worker (if it still runs) and says what went wrong, given its exit code, with its stderr's tail. */
    private static ProcessStartException startFailed(ChildJvm child, String name, IntFunction<String> what)
            throws InterruptedException {
        child.killTree();
        child.process().waitFor();
        child.awaitOutputDrained();
        int exit = child.process().exitValue();
        String tail = child.stderrTail(20);
        return new ProcessStartException("pool worker " + name + " (pid " + child.pid() + ") " + what.apply(exit)
                + (tail.isEmpty() ? "" : ". Last lines of its stderr:\n" + tail), child.pid(), OptionalInt.of(exit), tail);
    }
}

package io.github.multiprocessing4j.internal.worker;

import io.github.multiprocessing4j.internal.session.LibraryThreads;
import io.github.multiprocessing4j.internal.wire.Connection;
import io.github.multiprocessing4j.internal.wire.ProtocolException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Makes a child exit as soon as its parent is gone, however the parent died (a SIGKILL included).
 *
 * <p>The primary signal is the connection to the parent: the operating system closes the parent's end
 * when its process ends, so a read that returns end-of-stream while work is still owed means "orphaned".
 * Once the child has reported its result, the parent closes the connection; from then on the watch polls
 * the parent's {@link ProcessHandle} (which also notices a reused pid, by start time) every
 * {@value #POLL_MILLIS} ms, for children whose non-daemon threads outlive their task, and for pool workers:
 * their main thread reads the connection only between tasks, and the {@link LongTaskWatch} that reads it while
 * a task runs long (not in a task's first milliseconds, nor on a blocking connection) takes in frames only, and
 * leaves the end of the connection to the main thread, once the task is over. A parent that has died but not
 * been reaped yet, a zombie, counts as gone, although {@code ProcessHandle} calls it alive. (The first poll
 * comes after one interval: a child that simply exits never pays for {@code ProcessHandle}'s set-up.)
 *
 * <p>A child started directly with its task ({@link DirectStart}) has no connection: it polls from the start,
 * and also exits as an orphan does when its parent, closing the process, creates the stop file while the task runs.
 *
 * <p>The watch thread is left in its read when the child exits: HotSpot would wait up to 300 ms at exit for a
 * thread that sits in native code ({@code VM_Exit::wait_for_threads_in_native_to_block}), but every child is
 * started with {@code -XX:UserThreadWaitAttemptsAtExit=0}, which spares it that wait.
 *
 * <p>An orphan exits with code {@value #ORPHANED_EXIT_CODE}; its shutdown hooks run, but a hook that hangs
 * cannot keep it alive: the JVM is halted after {@value #GRACE_MILLIS} ms.
 *
 * <p>An AOT training child ({@link AotTraining#PROPERTY}) writes its cache as it exits: the JDK starts a JVM of
 * its own to assemble it and waits for that JVM, even within {@code Runtime.halt}, so neither would end before
 * the assembly, seconds later. An orphaned trainer kills its child processes every
 * {@value #TRAINING_KILL_MILLIS} ms until it is gone: the cache is not wanted any more, as its parent would have
 * been the one to put it in place.
 */
final class ParentWatch {
    static final int ORPHANED_EXIT_CODE = 3;
    /** A one-shot child whose parent sent bytes it cannot read while its task ran. */
    static final int BROKEN_PARENT_EXIT_CODE = 1;
    private static final long GRACE_MILLIS = 1000;
    private static final long POLL_MILLIS = 200;
    private static final long TRAINING_KILL_MILLIS = 50;

    private final long parentPid;
    private volatile boolean finished;

    private ParentWatch(long parentPid) {
        this.parentPid = parentPid;
    }

    /**
     * A watch on the given parent. (The {@link ProcessHandle} is looked up only when polling starts: its
     * first use costs a cold JVM ~15 ms, and a parent that dies before that closes the connection anyway.)
     */
    static ParentWatch of(long parentPid) {
        return new ParentWatch(parentPid);
    }

    /**
     * Reads the connection in the background until it closes; frames that arrive meanwhile are ignored. Bytes
     * that are no frame at all come from a parent that is alive but broken, not gone: before the child has
     * finished, it says so on stderr and exits with code 1, as a pool worker does.
     */
    void watchConnection(Connection connection) {
        // in the library's thread group: a task's ThreadGroup.interrupt() would close the connection under the read
        LibraryThreads.daemon("mp4j-parent-watch").stackSize(128 * 1024).start(() -> {
            try {
                while (connection.receive() != null) {
                    // a one-shot child expects nothing more from its parent
                }
            } catch (ProtocolException e) {
                if (!finished) {
                    ChildStderr.print("multiprocessing4j child: the parent (pid " + parentPid
                            + ") sent what is no frame of the protocol, ending: " + e.getMessage() + System.lineSeparator());
                    exit(BROKEN_PARENT_EXIT_CODE);
                    return;
                }
            } catch (IOException e) {
                // the parent vanished mid-frame
            }
            if (finished) {
                poll(null);
            } else {
                orphaned();
            }
        });
    }

    /** Polls the parent's liveness in the background, for a child that does not always read its connection. */
    void pollInBackground() {
        pollInBackground(null);
    }

    /**
     * Polls the parent's liveness in the background, for a child with no connection ({@link DirectStart}); it
     * also exits as an orphan if {@code stopFile} (unless null) appears while its task runs (the parent closed the
     * process). One call site for both kinds of child, so that the AOT training links it for both.
     */
    void pollInBackground(Path stopFile) {
        LibraryThreads.daemon("mp4j-parent-poll").stackSize(128 * 1024).start(() -> poll(stopFile));
    }

    /** From now on, a closed connection is expected: the child is about to report. */
    void finished() {
        finished = true;
    }

    /** @param stopFile a file whose appearance while the task runs also ends the child, or null */
    private void poll(Path stopFile) {
        sleepUninterruptibly(POLL_MILLIS);
        ProcessHandle parent = ProcessHandle.of(parentPid).orElse(null);
        while (parent != null && parent.isAlive() && !hasEnded(parentPid) && !stopRequested(stopFile)) {
            sleepUninterruptibly(POLL_MILLIS);
        }
        orphaned();
    }

    private boolean stopRequested(Path stopFile) {
        return stopFile != null && !finished && Files.exists(stopFile);
    }

    /** Nothing of ours interrupts these threads: an interrupt comes from a task, and must not end the watch. */
    private static void sleepUninterruptibly(long millis) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
        Thread.interrupted();
    }

    /**
     * True if the process has ended but has not been reaped by its own parent yet (a zombie), which
     * {@link ProcessHandle#isAlive()} counts as alive: a parent started by a program that does not wait for it
     * stays one for as long as that program runs. Linux only; elsewhere false.
     */
    static boolean hasEnded(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int end = stat.lastIndexOf(')'); // the command name before it may hold anything
            char state = end >= 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?';
            return state == 'Z' || state == 'X';
        } catch (IOException | RuntimeException e) {
            return false; // no /proc: isAlive decides
        }
    }

    /**
     * The parent is gone: ends what this child's task started (a {@code Subprocess}, an {@code ffmpeg}), which
     * would otherwise run on re-parented to init, then exits with {@value #ORPHANED_EXIT_CODE}.
     */
    static void orphaned() {
        killDescendants();
        exit(ORPHANED_EXIT_CODE);
    }

    /**
     * SIGKILLs every process this one started and every process those started, top-down as the JDK lists them,
     * so that a parent killed first cannot start another; {@code destroyForcibly} checks each one's start time.
     * Not allowed or not supported here, they run on (the AOT cache's assembly then ends in its own time).
     */
    static void killDescendants() {
        try {
            ProcessHandle.current().descendants().toList().forEach(ProcessHandle::destroyForcibly);
        } catch (RuntimeException e) {
            // not allowed or not supported here: they then run on, as they would have before
        }
    }

    /** Exits with {@code code}, running the shutdown hooks, but halts if they take longer than the grace period. */
    private static void exit(int code) {
        boolean training = Boolean.getBoolean(AotTraining.PROPERTY);
        LibraryThreads.daemon("mp4j-orphan-halt").start(() -> {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
            try {
                for (long left; (left = deadline - System.nanoTime()) > 0; ) {
                    if (training) {
                        killDescendants(); // the JVM that the JDK starts to assemble the AOT cache
                    }
                    long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
                    Thread.sleep(training ? Math.min(TRAINING_KILL_MILLIS, millis) : millis);
                }
            } catch (InterruptedException ignored) {
                // halt anyway
            }
            if (training) {
                killDescendants(); // the halt would wait for the assembler, too
            }
            Runtime.getRuntime().halt(code);
        });
        System.exit(code);
    }
}

package io.github.multiprocessing4j.internal.worker;

import io.github.multiprocessing4j.internal.codec.ThrowableCodec;
import io.github.multiprocessing4j.internal.config.Settings;
import io.github.multiprocessing4j.internal.launch.BootRecord;
import io.github.multiprocessing4j.internal.session.Hello;
import io.github.multiprocessing4j.internal.wire.Connection;
import io.github.multiprocessing4j.internal.wire.Frame;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.internal.wire.Handshake;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The child's side of the conversation with its parent: connect, prove the key, say hello, then do what
 * the first frame asks. While it waits for that frame, a closed connection means the parent is gone or
 * does not need this child (an unused spare): the child exits quietly ({@link #unused}). A parent that
 * refuses the child (it was too slow to say hello) says why, and the child fails with that reason. A child
 * started with its task has no conversation: see {@link #serveDirect}.
 */
final class ChildSession {
    /**
     * How long a spare waits for its rehearsal to end before it says hello (well within the parent's admission
     * deadline, {@code ChildListener.ADMISSION_SECONDS}); one whose rehearsal takes longer goes unused.
     */
    static final long REHEARSAL_WAIT_SECONDS = 5;

    private ChildSession() {
    }

    /**
     * How long a child gives its parent to accept it and complete the handshake, and, unless it is a spare, to give it
     * its work after its hello (which its parent does at once): the parent's own bound on a start
     * ({@code mp4j.connectTimeoutSeconds}, which children inherit, 60 s by default), far beyond the parent's
     * admission deadline ({@code ChildListener.ADMISSION_SECONDS}), within which a parent that is not stalled answers.
     */
    private static long handshakeSeconds() {
        return Settings.connectTimeout().toSeconds();
    }

    /**
     * For a child started directly with its task ({@link DirectStart}): signals its start on stdout, waits for the
     * parent's go on stdin, runs the task and reports in a file; no socket.
     *
     * @return false if the task failed and the child should exit with code 1
     */
    static boolean serveDirect(BootRecord boot, long mainNanos, ParentWatch watch, InputStream stdin) throws IOException {
        byte[] signal = DirectStart.startSignal(boot.key(), boot.token());
        // Straight to file descriptor 1, after what System.out holds: an agent or a system class loader may have
        // replaced System.out before main, and the parent waits for these bytes on the pipe itself.
        System.out.flush();
        new FileOutputStream(FileDescriptor.out).write(signal); // not closed: that would close the child's stdout
        long started = System.nanoTime();
        // The go: the parent sends it once it has read the signal, so that a start() that fails after all (it is
        // interrupted, it gives up) kills a child whose task has not begun. A stdin that ends without it was closed
        // by the parent's death: no task then.
        if (stdin.read() != DirectStart.GO) {
            ParentWatch.orphaned();
        }
        return OneShotRunner.runDirect(boot, mainNanos, started, watch);
    }

    /**
     * @param rehearsed opens once a spare's rehearsal of a task is over ({@link Warmup}): the child says hello, and
     *                  so can be given a task, only then, lest that task's decode deadlock with the rehearsal's on
     *                  class initialization; a rehearsal that does not end within {@value #REHEARSAL_WAIT_SECONDS} s
     *                  (a static initializer that waits) leaves the spare unused: it exits, and its parent starts a
     *                  fresh child as it does when no spare is ready
     * @return false if the child's work failed and it should exit with code 1
     */
    static boolean serve(BootRecord boot, long mainNanos, ParentWatch watch, CountDownLatch rehearsed)
            throws IOException {
        Connection connection = null;
        Frame first;
        try {
            long socketConnected;
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            HandshakeDeadline deadline = HandshakeDeadline.start(channel, handshakeSeconds(), boot.parentSocket());
            try {
                channel.connect(UnixDomainSocketAddress.of(boot.parentSocket()));
                connection = new Connection(channel);
                socketConnected = System.nanoTime();
                Handshake.answer(connection, boot.key());
                if (boot.spare()) {
                    deadline.met(); // it may wait long for its work: until a start takes it
                }
            } catch (IOException e) {
                channel.close();
                throw deadline.explain(e);
            }
            if (!awaitRehearsal(rehearsed)) {
                return unused(boot, connection);
            }
            long connected = System.nanoTime();
            try {
                connection.send(FrameType.HELLO, 0, new Hello(boot.token(), ProcessHandle.current().pid(), mainNanos,
                        socketConnected, connected).encode());
                first = connection.receive();
                if (!boot.spare()) {
                    deadline.met();
                }
            } catch (IOException e) {
                throw deadline.explain(e, "give this child its work after its hello", "it is stalled, or it "
                        + "gave this child up without ending it");
            }
            if (first == null) {
                return unused(boot, connection);
            }
            if (first.type() == FrameType.FAILURE) {
                throw new IOException("the parent (pid " + boot.parentPid() + ") turned this child away"
                        + Handshake.reason(first));
            }
            if (first.type() != FrameType.RUN && first.type() != FrameType.SERVE) {
                throw new IOException("unexpected first frame from the parent: " + first);
            }
        } catch (IOException e) {
            haltIfRehearsed(boot, connection, e);
            throw e;
        }
        return first.type() == FrameType.RUN
                ? OneShotRunner.run(connection, first, watch)
                : PoolWorker.serve(connection, first, watch);
    }

    /**
     * Ends a spare that rehearsed a task and could not get work from its parent (it could not connect, the parent
     * died during the handshake, it turned the spare away): it says why on stderr, as the exception would, and halts
     * with exit code 1, after killing what the rehearsal started, for the reasons {@link #unused} does; a child that
     * rehearsed nothing returns, and the caller throws {@code e}.
     */
    private static void haltIfRehearsed(BootRecord boot, Connection connection, IOException e) {
        if (boot.rehearsal().length == 0) {
            return;
        }
        if (connection != null) {
            connection.close();
        }
        ChildStderr.print("Exception in thread \"" + Thread.currentThread().getName() + "\" "
                + ThrowableCodec.stackTraceOf(e));
        ParentWatch.killDescendants();
        Runtime.getRuntime().halt(1);
    }

    /**
     * Ends a child that gets no work (an unused spare, or one whose parent is gone): it returns, and the JVM exits,
     * quietly. A spare that rehearsed a task halts instead: the static initializers of that task's classes may have
     * started threads that are no daemons (an executor in a static field), which would keep it alive for good, with
     * nothing left to watch its parent. The task never ran here: there is nothing of its to finish. What they
     * started (a helper process) is killed first, as an orphan kills what its task started
     * ({@link ParentWatch#orphaned}): nobody would end it.
     */
    private static boolean unused(BootRecord boot, Connection connection) {
        connection.close();
        if (boot.rehearsal().length > 0) {
            ParentWatch.killDescendants();
            Runtime.getRuntime().halt(0);
        }
        return true;
    }

    private static boolean awaitRehearsal(CountDownLatch rehearsed) {
        try {
            return rehearsed.await(REHEARSAL_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            return false; // nothing of ours interrupts the main thread: a task has no part in a rehearsal yet
        }
    }
}

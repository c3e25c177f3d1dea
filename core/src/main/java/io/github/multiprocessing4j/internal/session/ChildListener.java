package io.github.multiprocessing4j.internal.session;

import io.github.multiprocessing4j.internal.bytes.MalformedDataException;
import io.github.multiprocessing4j.internal.seam.FailureSeam;
import io.github.multiprocessing4j.internal.wire.Connection;
import io.github.multiprocessing4j.internal.wire.Frame;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.internal.wire.Handshake;
import io.github.multiprocessing4j.internal.wire.PeerClosedException;
import io.github.multiprocessing4j.internal.wire.ProtocolException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The Unix-domain socket on which this JVM's children call back.
 *
 * <p>Each accepted connection is admitted on its own platform thread: the peer must pass the
 * {@linkplain Handshake HMAC handshake} within {@value #ADMISSION_SECONDS} seconds and then name, in a
 * {@link FrameType#HELLO}, a launch token that this JVM is {@linkplain #expect expecting}. Anything else
 * (a wrong key, garbage, an unknown token, silence) closes that one connection and is logged; the
 * listener goes on serving. A peer that was merely too slow is told so first, in a
 * {@link FrameType#FAILURE} frame, so that a child on an overloaded machine says on its stderr why it
 * was turned away instead of exiting as if its parent had gone. Should the accept loop itself end before
 * {@link #close()} (its thread interrupted, which closes the socket, or an error), it says so at WARNING and
 * {@link #isServing()} turns false: the session then binds a new listener for the next child.
 *
 * <p>At most {@value #ADMITTING_AT_ONCE} connections are being admitted at once: each holds a thread, a descriptor
 * and the buffers of a {@link Connection} until it has said hello or is refused. Past that, the listener accepts
 * the next one only once a slot is free, and the peers wait in the kernel's backlog meanwhile, within their own
 * connect deadline ({@code mp4j.connectTimeoutSeconds}): many children booting at once are admitted a little
 * later, none is refused, and a local process that opens connections by the thousand and sends nothing pins no
 * more than that.
 *
 * <pre>{@code
 * CompletableFuture<ChildListener.Arrival> arrival = Session.get().listener().expect(token);
 * ...launch the child that holds the token...
 * Connection connection = arrival.get(60, TimeUnit.SECONDS).connection();
 * }</pre>
 */
public final class ChildListener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChildListener.class.getName());
    static final int ADMISSION_SECONDS = 10;
    /** Connections being admitted (accepted, not yet arrived nor refused) at most at once. */
    static final int ADMITTING_AT_ONCE = 64;
    /**
     * Where a connection is admitted: a platform thread of its own, not a virtual one ({@link LibraryThreads}): a
     * virtual admission waited for a carrier held by CPU-bound virtual threads, and the start that waited for its
     * child, connected long ago, failed at its connect timeout (or the admission deadline refused the child once it
     * ran). In the library's group,
     * which no program's ThreadGroup.interrupt() reaches (an interrupted read closes the connection), as the
     * listener's thread is; a small stack, as the handshake and the hello are shallow.
     */
    private static final ThreadFactory ADMITTERS = LibraryThreads.daemon("mp4j-admit").stackSize(256 * 1024)
            .inheritInheritableThreadLocals(false).factory();
    /** Where a connection still pending at its admission deadline is refused: a platform thread, as admissions are. */
    private static final ThreadFactory DEADLINES = LibraryThreads.daemon("mp4j-admission-deadline")
            .stackSize(128 * 1024).inheritInheritableThreadLocals(false).factory();

    /** For tests: where the accept loop meets an Error (no memory for the channel of an accepted connection, say). */
    private static final FailureSeam ACCEPT = new FailureSeam();

    /** A child that connected, authenticated and said hello. */
    public record Arrival(Connection connection, Hello hello) {
    }

    private final Path socket;
    private final byte[] key;
    private final Duration admission;
    private final ServerSocketChannel server;
    /**
     * What identifies the socket's file as the one bound here: its device, inode and owner (a file system may give a
     * deleted file's inode to the next file made, another user's too, but no other user can make a file of ours); or
     * its file key where there are no Unix attributes, or null where there is none.
     */
    private final Object boundFile;
    private final Map<Long, CompletableFuture<Arrival>> expected = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** One permit per connection that may be being admitted; see {@link #ADMITTING_AT_ONCE}. */
    private final Semaphore admitting;
    private final int admittingAtOnce;
    /** Whether the cap was reached already: said once, not per connection. */
    private final AtomicBoolean capReported = new AtomicBoolean();
    /** Set, once, if the accept loop ended other than by {@link #close()}; see {@link #isServing()}. */
    private volatile boolean stopped;

    ChildListener(Path socket, byte[] key) throws IOException {
        this(socket, key, Duration.ofSeconds(ADMISSION_SECONDS));
    }

    /** @param admission how long a peer has, from its connect, to pass the handshake and say hello */
    ChildListener(Path socket, byte[] key, Duration admission) throws IOException {
        this(socket, key, admission, ADMITTING_AT_ONCE);
    }

    /** @param admittingAtOnce how many connections may be being admitted at once (in tests, fewer) */
    ChildListener(Path socket, byte[] key, Duration admission, int admittingAtOnce) throws IOException {
        this.socket = socket;
        this.key = key;
        this.admission = admission;
        this.admittingAtOnce = admittingAtOnce;
        this.admitting = new Semaphore(admittingAtOnce);
        Files.deleteIfExists(socket);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            // 0600, as every file of ours: the directory already keeps others out, the mode says so too
            Files.setPosixFilePermissions(socket, PrivatePaths.OWNER_READ_WRITE);
            boundFile = identity(socket);
        } catch (IOException | RuntimeException e) {
            server.close(); // the session tries again at the next launch: do not leak a descriptor each time
            throw e;
        }
        // It lives as long as the session: it must not pin the context of the thread that happened to start it, nor
        // be in its group, which a program may interrupt as a whole (ThreadGroup.interrupt(), as some frameworks do
        // when they stop): an interrupted accept closes the socket, and no child could connect back from then on.
        LibraryThreads.daemon("mp4j-listener-" + socket.getFileName()).inheritInheritableThreadLocals(false)
                .start(this::acceptLoop);
    }

    public Path socket() {
        return socket;
    }

    /**
     * True while the entry at {@link #socket()} is still the socket bound here: false once it is gone (a cleaner of
     * temporary files removed the directory), or is another file in its place (the directory was made again, by
     * another user say, with a socket of theirs under the same name, to which children would connect).
     */
    public boolean isStillBound() {
        try {
            Object now = identity(socket);
            return boundFile == null || boundFile.equals(now);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * False once this listener accepts no more connections: closed, or its accept loop ended on its own (its thread
     * was interrupted, which closes a channel blocked in accept, or met an error), which it logs; the session then
     * listens anew for the next child.
     */
    public boolean isServing() {
        return !stopped && !closed.get();
    }

    private static Object identity(Path file) throws IOException {
        try {
            Map<String, Object> unix = Files.readAttributes(file, "unix:dev,ino,uid", LinkOption.NOFOLLOW_LINKS);
            return List.of(unix.get("dev"), unix.get("ino"), unix.get("uid"));
        } catch (UnsupportedOperationException e) {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        }
    }

    /** Registers a launch token; the future completes when the child that holds it has arrived. */
    public CompletableFuture<Arrival> expect(long token) {
        CompletableFuture<Arrival> arrival = new CompletableFuture<>();
        if (expected.putIfAbsent(token, arrival) != null) {
            throw new IllegalStateException("launch token reused: " + token);
        }
        return arrival;
    }

    /**
     * Gives up on a token: its child died before it connected, or is no longer wanted. If that child
     * connects after all, it is turned away quietly.
     */
    public void forget(long token) {
        CompletableFuture<Arrival> waiting = expected.get(token);
        if (waiting != null) {
            waiting.cancel(false);
        }
    }

    /** Drops a token for good, once its child has exited. */
    public void remove(long token) {
        expected.remove(token);
    }

    private void acceptLoop() {
        try {
            acceptUntilClosed();
        } catch (RuntimeException | Error e) {
            if (closed.get()) {
                throw e; // closed meanwhile: not the listener stopping on its own; the thread's handler says it
            }
            // Said once, with its stack trace, and handled (the session binds a new listener): not rethrown, which
            // had the thread's uncaught-exception handler print the same stack trace a second time on stderr
            stopped(e);
        }
    }

    /**
     * For tests: makes the next accept of any listener throw {@code failure}, after running {@code beforeIt} on the
     * listener's thread (null: nothing); a null {@code failure} disarms.
     */
    static void failNextAccept(Error failure, Runnable beforeIt) {
        ACCEPT.arm(failure, 0, 1, beforeIt);
    }

    /**
     * The accept loop has ended though nobody closed the listener: its socket is closed (an interrupted accept closes
     * it, and after an error it must not keep children waiting in its backlog for nobody), and the session, which asks
     * {@link #isServing()}, listens anew at the next launch. Connections being admitted are admitted still.
     */
    private void stopped(Throwable why) {
        stopped = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closed either way
        }
        LOG.log(Level.WARNING, "the listener on " + socket + " stopped accepting children: " + why
                + "; children started from now on connect to a new one", why);
    }

    private void acceptUntilClosed() {
        boolean failing = false; // the last accept failed: the next failures are DEBUG until one succeeds
        while (!closed.get()) {
            if (!awaitSlot()) {
                return;
            }
            SocketChannel channel;
            try {
                ACCEPT.check();
                channel = server.accept();
                if (failing) {
                    failing = false;
                    LOG.log(Level.DEBUG, "accept on {0} works again", socket);
                }
            } catch (ClosedChannelException e) {
                admitting.release();
                if (!closed.get()) {
                    // Not by close(): an interrupt of this thread (ClosedByInterruptException), which nothing of ours
                    // sends, and which its group keeps from a program's ThreadGroup.interrupt(), not from all code
                    stopped(e);
                }
                return;
            } catch (IOException e) {
                admitting.release();
                // A lasting cause (no file descriptors left) would fail every retry at once: back off, and warn once
                // until an accept succeeds, not ten times a second with a stack trace each
                LOG.log(failing ? Level.DEBUG : Level.WARNING, "accept on " + socket + " failed; trying again every"
                        + " 100 ms (said once until it works again; children wait in the backlog meanwhile)", e);
                failing = true;
                LockSupport.parkNanos(100_000_000L);
                continue;
            }
            try {
                ADMITTERS.newThread(() -> admitAndFreeSlot(channel)).start();
            } catch (RuntimeException | OutOfMemoryError e) { // no memory for a thread: refuse this one, serve on
                admitting.release();
                refuse(channel, e);
            }
        }
    }

    /**
     * Takes a slot for the next connection, waiting for one while {@link #ADMITTING_AT_ONCE} are being admitted
     * (the next peers wait in the kernel's backlog meanwhile); false once the listener is closed.
     */
    private boolean awaitSlot() {
        if (admitting.tryAcquire()) {
            return true;
        }
        if (capReported.compareAndSet(false, true)) {
            LOG.log(Level.DEBUG, "{0} connections on {1} are being admitted at once, the most there may be: the next"
                    + " wait until one has said hello or is refused (many children starting at once, or a local"
                    + " process that connects and sends nothing); said once", admittingAtOnce, socket);
        }
        while (!closed.get()) {
            try {
                if (admitting.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            } catch (InterruptedException e) {
                // nothing of ours interrupts this thread, and it must serve on: the loop sees a close
            }
        }
        return false;
    }

    private void admitAndFreeSlot(SocketChannel channel) {
        try {
            admit(channel);
        } finally {
            admitting.release();
        }
    }

    private void refuse(SocketChannel channel, Throwable why) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // refused either way
        }
        LOG.log(Level.WARNING, "refused a connection on " + socket + ": " + why);
    }

    private void admit(SocketChannel channel) {
        Connection connection;
        try {
            connection = new Connection(channel);
        } catch (RuntimeException | OutOfMemoryError e) { // no direct memory left for its buffers
            refuse(channel, e);
            return;
        }
        admit(connection);
    }

    private void admit(Connection connection) {
        // Whoever takes the connection out first has it: the deadline, which refuses it, or the admission. The
        // deadline's timer entry stays until the deadline whatever happens, so it holds this, emptied at admission,
        // not the connection: that kept every child's connection admitted within the deadline (96 KiB of direct
        // buffers each) reachable, however long ago it was closed.
        AtomicReference<Connection> pending = new AtomicReference<>(connection);
        String late = "it did not pass the handshake and say hello within " + admission.toMillis()
                + " ms of connecting (an overloaded machine?)";
        // Checked on the delay scheduler's own thread, not handed to the common pool (the default), which an
        // application that keeps it busy would make wait, nor to a virtual thread, which waits for a carrier that
        // CPU-bound virtual threads may hold for as long as they run (LibraryThreads): either left a peer that sends
        // nothing holding its connection, its thread and its admission slot for as long. Only a connection still
        // pending gets a thread of its own for the refusal, whose write must not hold up that shared scheduler.
        Executor atDeadline = CompletableFuture.delayedExecutor(admission.toNanos(), TimeUnit.NANOSECONDS,
                Runnable::run);
        atDeadline.execute(() -> {
            Connection unadmitted = pending.getAndSet(null);
            if (unadmitted != null) {
                refuseAtDeadline(unadmitted, late);
            }
        });
        try {
            Handshake.serve(connection, key);
            // Until it has said hello, a peer gets no buffer bigger than a hello: a header that announces more is
            // refused at once, not given its buffer and waited on until the deadline.
            connection.maxFrameLength(Hello.LENGTH);
            Frame frame = connection.receive();
            if (frame == null) {
                // It proved the key, so it is a child of ours, and it ended before saying hello: killed while
                // starting (a spare thrown away, an interrupted start()) or crashed, which its launch reports.
                if (pending.getAndSet(null) != null) {
                    LOG.log(Level.DEBUG, "a child on {0} ended after the handshake, before saying hello", socket);
                }
                connection.close();
                return;
            }
            if (frame.type() != FrameType.HELLO) {
                throw new ProtocolException("expected HELLO after the handshake, got " + frame);
            }
            Hello hello = Hello.decode(frame.payload());
            CompletableFuture<Arrival> waiting = expected.remove(hello.token());
            if (waiting == null) {
                throw new ProtocolException("pid " + hello.pid() + " presented an unknown launch token");
            }
            if (pending.getAndSet(null) == null) {
                return; // the deadline passed as it said hello: refused already
            }
            connection.maxFrameLength(Frame.MAX_PAYLOAD);
            if (!waiting.complete(new Arrival(connection, hello))) {
                LOG.log(Level.DEBUG, "pid {0} arrived after its launch was given up; closing it", hello.pid());
                connection.close();
            }
        } catch (IOException | MalformedDataException e) {
            boolean refusedAlready = pending.getAndSet(null) == null;
            connection.close();
            if (refusedAlready || closed.get()) {
                return;
            }
            if (wentAway(e)) {
                // A peer that vanished mid-handshake broke nothing: a child killed as it started (a spare thrown away
                // as its pool or the JVM closes, an interrupted start) or one that crashed, which its launch reports
                LOG.log(Level.DEBUG, "a peer on {0} went away before it said hello: {1}", socket, e.getMessage());
            } else {
                LOG.log(Level.WARNING, "refused a connection on " + socket + ": " + e.getMessage());
            }
        }
    }

    /**
     * Whether the peer closed or reset the connection (its process ended), not sent what is wrong: no key proven,
     * a malformed frame, a frame out of place.
     */
    private static boolean wentAway(Exception e) {
        return e instanceof PeerClosedException || e instanceof IOException && !(e instanceof ProtocolException);
    }

    /** {@link #refuse(Connection, String)} on a thread of its own; closes at once if there is no memory for one. */
    private void refuseAtDeadline(Connection connection, String why) {
        try {
            DEADLINES.newThread(() -> refuse(connection, why)).start();
        } catch (RuntimeException | OutOfMemoryError e) {
            connection.close(); // untold, but not held: the peer sees the end of the stream
            LOG.log(Level.WARNING, "refused a connection on " + socket + ": " + why + " (not told: " + e + ")");
        }
    }

    /** Tells the peer why, if it still listens, and closes the connection. */
    private void refuse(Connection connection, String why) {
        try {
            LOG.log(Level.WARNING, "refused a connection on " + socket + ": " + why);
            Handshake.sendFailure(connection, why);
        } finally {
            connection.close();
        }
    }

    /**
     * Deletes the socket's file if it is still the one bound here, through its directory opened and checked private
     * ({@link PrivateFolder}): not another's file under its name, in a directory made again, nor one in a directory
     * put in the place of ours between the check and the delete.
     */
    private void deleteSocketFile() {
        try {
            Optional<PrivateFolder> folder = PrivateFolder.open(socket.getParent());
            if (folder.isEmpty()) {
                return; // made again by someone else: what is in it is theirs
            }
            try (PrivateFolder checked = folder.get()) {
                if (isStillBound()) {
                    checked.delete(socket.getFileName().toString());
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // gone already, or best effort at shutdown
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                server.close();
            } catch (IOException ignored) {
                // best effort at shutdown
            }
            deleteSocketFile();
            expected.values().forEach(f -> f.completeExceptionally(new IllegalStateException("listener closed")));
        }
    }
}

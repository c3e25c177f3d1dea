package io.github.multiprocessing4j.subprocess;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/*
 * Overview
 *
 * Why: the JDK opens a redirect's file in this JVM, before it forks, and opening a named pipe (FIFO) blocks: for
 * reading until a writer opens it, for writing until a reader does. A command whose stdin, stdout or stderr was
 * a FIFO nobody had open at the other end hung in start() or run(): in native code, deaf to interrupts, before
 * any timeout was armed. So a FIFO is not handed to the JDK; the command gets a pipe, and a pipe thread opens
 * the FIFO and copies between the two, as `cat fifo | command` or `command | cat > fifo` would. Until the other
 * end comes, only that thread waits. The FIFO's reader sees its end when the command's output ends (the thread
 * closes the FIFO then); the command sees the end of its input when the FIFO's last writer closes it, and
 * EPIPE/SIGPIPE when the FIFO's reader goes away (the thread, whose write fails, closes the command's pipe).
 *
 * Release (after the command ended or was killed): the thread may be blocked in open(), which nothing
 * interrupts, or in a read or write of the FIFO. Those are ended by closing the channel (FileChannel's close
 * wakes a thread blocked in it). An open is ended by opening the FIFO ourselves for reading and writing, which
 * does not block (Linux, the BSDs) and makes us the other end: the blocked open returns. The thread checks the
 * release flag before and after its open, and we hold our end until it has passed that point, so it cannot
 * slip into an open after we closed ours. Bounded: a thread that does not get there in time is left (logged).
 * A thread that copies a command's output ends once the command has exited and its pipe is empty: it polls the
 * pipe rather than wait in a read, which would hold up the JDK's own drain of the pipe at the exit, and with it
 * the copy, for as long as a child the command left running held the pipe (see readWhatIsThere). So, as with
 * captured output, what such a child writes after the command's exit is not copied; the cost is a wake-up every
 * 10 ms at the most while the command runs and writes nothing.
 *
 * Rejected: running the command through `sh -c 'exec "$@" < fifo'` (a start failure would become exit
 * status 127 instead of an IOException, and the shell would be seen in the command's place until exec);
 * opening the FIFO read-write for the command (as input it would never see the end; as output, with no reader,
 * it would fill the FIFO and block instead of getting SIGPIPE).
 */

/** Copies between a FIFO given as a command's redirect and the command's pipe, on a pipe thread; see above. */
final class FifoRelay {
    private static final System.Logger LOG = System.getLogger(FifoRelay.class.getName());
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int COPY_SIZE = 64 * 1024;
    /** How long a copy into a FIFO first waits for more output, doubling up to {@link #LAST_PAUSE_NANOS}. */
    private static final long FIRST_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final long LAST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** How long {@link #release} waits for the thread to get past its open; it is on its way at once. */
    private static final Duration PAST_OPEN = Duration.ofSeconds(5);

    private final Path fifo;
    private final OpenOption[] openOptions;
    private final String name;
    /** Counted down once the thread will not enter, or has left, its open of the FIFO. */
    private final CountDownLatch pastOpen = new CountDownLatch(1);
    /** Counted down once the copy has ended, the FIFO and the command's pipe closed. */
    private final CountDownLatch done = new CountDownLatch(1);
    /** Guarded by this. */
    private boolean released;
    /** Guarded by this: the FIFO, once open. */
    private FileChannel channel;

    private FifoRelay(Path fifo, String name, OpenOption... openOptions) {
        this.fifo = fifo;
        this.name = name;
        this.openOptions = openOptions;
    }

    /**
     * The FIFO that {@code redirect} reads ({@link Redirect#from}) or writes ({@link Redirect#to},
     * {@link Redirect#appendTo}), or null if it is no redirect to or from a FIFO.
     */
    static Path fifoOf(Redirect redirect) {
        if (redirect == null || redirect.file() == null) {
            return null;
        }
        try {
            Path file = redirect.file().toPath(); // a NUL in the name: left to the JDK, which says "invalid name"
            // one we may not open is left to the JDK, whose open fails at once and says so; our thread's could not
            return ((Integer) Files.getAttribute(file, "unix:mode") & S_IFMT) == S_IFIFO
                    && (redirect.type() == Redirect.Type.READ ? Files.isReadable(file) : Files.isWritable(file))
                    ? file : null;
        } catch (IOException | RuntimeException e) { // no such file (the JDK says so, or makes it), no unix view
            return null;
        }
    }

    /** Starts copying {@code fifo} into {@code stdin} on a {@linkplain PipeThreads pipe thread}; closes it after. */
    static FifoRelay fromFifo(Path fifo, OutputStream stdin, String name) {
        FifoRelay relay = new FifoRelay(fifo, name, StandardOpenOption.READ);
        PipeThreads.start(() -> relay.copy(stdin, in -> {
            ByteBuffer buffer = ByteBuffer.allocate(COPY_SIZE);
            while (in.read(buffer.clear()) >= 0) {
                stdin.write(buffer.array(), 0, buffer.position());
                stdin.flush();
            }
        }));
        return relay;
    }

    /**
     * Starts copying {@code output}, {@code command}'s stdout or stderr, into the FIFO {@code to} writes (opened as
     * the JDK would: appending for {@link Redirect#appendTo}), on a pipe thread; closes {@code output} after.
     */
    static FifoRelay toFifo(Redirect to, Process command, InputStream output, String name) {
        FifoRelay relay = new FifoRelay(to.file().toPath(), name, StandardOpenOption.WRITE,
                to.type() == Redirect.Type.APPEND ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
        PipeThreads.start(() -> relay.copy(output, out -> {
            byte[] bytes = new byte[COPY_SIZE];
            for (int n; (n = readWhatIsThere(command, output, bytes)) >= 0;) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, n);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
        }));
        return relay;
    }

    /**
     * Reads what {@code command} wrote to {@code output}, never waiting in a read while it runs: a read waiting in
     * the JDK's pipe stream holds that stream's lock, which the JDK takes when the command exits, to drain the pipe
     * and close it. A child the command left running that holds the pipe (the {@code sleep 60 &} of a shell) would
     * otherwise keep that read, the copy, and whoever waits for the copy (waitFor, run), until the child's end. So
     * the output ends once the command has exited and nothing is left to read, as captured output does: what such
     * a child writes later is not copied.
     *
     * @return the number of bytes read, at least one; -1 at the end
     */
    private static int readWhatIsThere(Process command, InputStream output, byte[] bytes) throws IOException {
        long pause = FIRST_PAUSE_NANOS;
        while (true) {
            boolean exited = !command.isAlive(); // first: what it wrote before it exited is there to read then
            int available = output.available();
            if (available > 0) {
                return output.read(bytes, 0, Math.min(available, bytes.length));
            }
            if (exited) {
                return -1;
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(LAST_PAUSE_NANOS, pause * 2);
        }
    }

    /** What moves the bytes between the open FIFO and the command's pipe. */
    private interface Pump {
        void run(FileChannel fifo) throws IOException;
    }

    private void copy(Closeable commandPipe, Pump pump) {
        try (commandPipe) {
            FileChannel opened = open();
            if (opened != null) {
                try (opened) {
                    pump.run(opened);
                }
            }
        } catch (IOException e) { // the command exited, the FIFO's other end left, or release() closed the FIFO
            LOG.log(Level.DEBUG, () -> name + ": copying " + fifo + " ended: " + e);
        } finally {
            done.countDown();
        }
    }

    /** The FIFO, opened once its other end has it open; null if released before or meanwhile. */
    private FileChannel open() throws IOException {
        try {
            synchronized (this) {
                if (released) {
                    return null;
                }
            }
            FileChannel opened = FileChannel.open(fifo, openOptions); // blocks until the other end comes
            synchronized (this) {
                if (!released) {
                    channel = opened;
                    return opened;
                }
            }
            opened.close();
            return null;
        } finally {
            pastOpen.countDown();
        }
    }

    /**
     * Waits until every relay has copied everything and closed the FIFO: output is then at the FIFO's reader,
     * as it would be with the FIFO as the command's own redirect.
     *
     * @return true if all ended, false if the deadline passed first
     * @throws InterruptedException if interrupted (the interrupt status is cleared)
     */
    static boolean awaitEnd(List<FifoRelay> relays, Deadline deadline) throws InterruptedException {
        for (FifoRelay r : relays) {
            if (!deadline.bounded()) {
                r.done.await();
            } else if (!r.done.await(deadline.remainingNanos(), TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the copy has ended. */
    boolean finished() {
        return done.getCount() == 0;
    }

    /** {@link #release} of each. */
    static void releaseAll(List<FifoRelay> relays) {
        relays.forEach(FifoRelay::release);
    }

    /**
     * Ends the copy, whether its thread waits for the FIFO's other end to open it or to read or write it;
     * called once the command has ended or been killed, when its redirects no longer matter.
     */
    void release() {
        FileChannel open;
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
            open = channel;
        }
        try {
            if (open != null) {
                open.close(); // wakes a read or write blocked in it
                return;
            }
            if (pastOpen.getCount() == 0) {
                return;
            }
            // read and write: never blocks, and as the other end lets the thread's open return
            try (FileChannel unused = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                if (!awaitPastOpen()) {
                    LOG.log(Level.DEBUG, () -> name + ": the thread at " + fifo + " did not get past its open");
                }
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> name + ": could not release the thread at " + fifo + ": " + e);
        }
    }

    /**
     * Waits for the thread to get past its open, even if interrupted (the status is kept): {@code close()} of an
     * interrupted run() calls this, and closing our end early could leave the thread in an open for good.
     */
    private boolean awaitPastOpen() {
        Deadline deadline = Deadline.after(PAST_OPEN);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return pastOpen.await(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package io.github.multiprocessing4j.subprocess;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/*
 * Overview
 *
 * Why: the JDK opens a Redirect.from(file) in this JVM, before it forks, and opening a named pipe (FIFO) for
 * reading blocks until a writer opens it. A command whose input is a FIFO that nobody writes yet hung in
 * start() or run(): in native code, deaf to interrupts, before any timeout was armed. So a FIFO given as stdin
 * is not handed to the JDK; the command gets a pipe, and a pipe thread opens the FIFO and copies it in, as
 * `cat fifo | command` would. Until a writer comes, only that thread waits; the command sees its input end
 * when the FIFO's last writer closes it, as with `command < fifo`.
 *
 * Release (after the command ended or was killed): the thread may be blocked in open(), which nothing
 * interrupts, or in a read. A read is ended by closing the channel (FileChannel's close wakes a thread
 * blocked in it). An open is ended by opening the FIFO ourselves for reading and writing, which does not
 * block (Linux, the BSDs) and makes us a writer: the blocked open returns. The thread checks the release
 * flag before and after its open, and we hold our end until it has passed that point, so it cannot slip
 * into an open after we closed ours. Bounded: a thread that does not get there in time is left (logged).
 *
 * Rejected: running the command through `sh -c 'exec "$@" < fifo'` (a start failure would become exit
 * status 127 instead of an IOException, and the shell would be seen in the command's place until exec);
 * opening the FIFO read-write for the command (it would never see the end of its input).
 */

/** Copies a FIFO given as a command's input into its stdin pipe, on a pipe thread; see the overview above. */
final class FifoInput {
    private static final System.Logger LOG = System.getLogger(FifoInput.class.getName());
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int COPY_SIZE = 64 * 1024;
    /** How long {@link #release} waits for the thread to get past its open; it is on its way at once. */
    private static final Duration PAST_OPEN = Duration.ofSeconds(5);

    private final Path fifo;
    private final String name;
    /** Counted down once the thread will not enter, or has left, its open of the FIFO. */
    private final CountDownLatch pastOpen = new CountDownLatch(1);
    /** Guarded by this. */
    private boolean released;
    /** Guarded by this: the FIFO, once open. */
    private FileChannel channel;

    private FifoInput(Path fifo, String name) {
        this.fifo = fifo;
        this.name = name;
    }

    /** The FIFO that {@code stdin} reads, or null if it is no redirect from a FIFO. */
    static Path fifoOf(Redirect stdin) {
        if (stdin == null || stdin.type() != Redirect.Type.READ || stdin.file() == null) {
            return null;
        }
        Path file = stdin.file().toPath();
        try {
            // one we may not read is left to the JDK, whose open fails at once and says so; our thread's could not
            return ((Integer) Files.getAttribute(file, "unix:mode") & S_IFMT) == S_IFIFO && Files.isReadable(file)
                    ? file : null;
        } catch (IOException | RuntimeException e) { // no such file (the JDK says so at the start), no unix view
            return null;
        }
    }

    /** Starts copying {@code fifo} into {@code stdin} on a {@linkplain PipeThreads pipe thread}; closes it after. */
    static FifoInput start(Path fifo, OutputStream stdin, String name) {
        FifoInput input = new FifoInput(fifo, name);
        PipeThreads.start(() -> input.copy(stdin));
        return input;
    }

    private void copy(OutputStream stdin) {
        try (stdin) {
            FileChannel in = open();
            if (in == null) {
                return;
            }
            try (in) {
                ByteBuffer buffer = ByteBuffer.allocate(COPY_SIZE);
                while (in.read(buffer.clear()) >= 0) {
                    stdin.write(buffer.array(), 0, buffer.position());
                    stdin.flush();
                }
            }
        } catch (IOException e) { // the command exited, or release() closed the FIFO
            LOG.log(Level.DEBUG, () -> name + ": copying " + fifo + " ended: " + e);
        }
    }

    /** The FIFO, opened once a writer has it open; null if released before or meanwhile. */
    private FileChannel open() throws IOException {
        try {
            synchronized (this) {
                if (released) {
                    return null;
                }
            }
            FileChannel in = FileChannel.open(fifo, StandardOpenOption.READ); // blocks until there is a writer
            synchronized (this) {
                if (!released) {
                    channel = in;
                    return in;
                }
            }
            in.close();
            return null;
        } finally {
            pastOpen.countDown();
        }
    }

    /**
     * Ends the copy, whether its thread waits for a writer to open the FIFO or for one to write; called
     * once the command has ended or been killed, when its input no longer matters.
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
                open.close(); // wakes a read blocked in it
                return;
            }
            if (pastOpen.getCount() == 0) {
                return;
            }
            // read and write: never blocks, and as a writer lets the thread's open return
            try (FileChannel unused = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                if (!awaitPastOpen()) {
                    LOG.log(Level.DEBUG, () -> name + ": the thread reading " + fifo + " did not get past its open");
                }
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> name + ": could not release the thread reading " + fifo + ": " + e);
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

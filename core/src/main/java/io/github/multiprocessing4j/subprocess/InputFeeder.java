package io.github.multiprocessing4j.subprocess;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.util.concurrent.CountDownLatch;

/**
 * Writes a child's input to its stdin on a thread of its own, then closes stdin so the child sees the end
 * of its input. Writing on the caller's thread could deadlock: a child like {@code cat} stops reading while
 * its stdout pipe is full, and we would not be draining that pipe while blocked in the write.
 *
 * <p>A child may exit or close its stdin before it has read everything ({@code head -c 10}); the write then
 * fails with a broken pipe. As in CPython's {@code communicate}, that is not an error of ours: the child's
 * exit status and output tell what it made of its input. The failure is logged at DEBUG.
 */
final class InputFeeder {
    private static final System.Logger LOG = System.getLogger(InputFeeder.class.getName());
    /**
     * The capacity of a Linux pipe: the kernel moves no more per wake-up of the reader, and the JDK copies
     * each write larger than 8 KiB into a native buffer it allocates for the call.
     */
    private static final int WRITE_SIZE = 64 * 1024;

    private final CountDownLatch done = new CountDownLatch(1);

    private InputFeeder() {
    }

    /** Starts writing {@code input} to {@code stdin} on a {@linkplain PipeThreads pipe thread}; closes it after. */
    static InputFeeder start(OutputStream stdin, byte[] input, String name) {
        InputFeeder feeder = new InputFeeder();
        PipeThreads.start(() -> feeder.feed(stdin, input, name));
        return feeder;
    }

    private void feed(OutputStream stdin, byte[] input, String name) {
        try (stdin) {
            for (int at = 0; at < input.length; at += WRITE_SIZE) {
                stdin.write(input, at, Math.min(WRITE_SIZE, input.length - at));
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> name + ": the child did not take all its input (" + input.length
                    + " bytes): " + e);
        } finally {
            done.countDown();
        }
    }

    boolean finished() {
        return done.getCount() == 0;
    }
}

package io.github.multiprocessing4j.subprocess;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.lang.System.Logger.Level;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The {@link Subprocess} of one started command: a {@link Process} plus the threads that feed its stdin
 * and drain its output pipes once {@code communicate} (or {@code run}) asks for it.
 */
final class SubprocessImpl implements Subprocess {
    private static final System.Logger LOG = System.getLogger(SubprocessImpl.class.getName());
    /** How long close() waits for a killed command to be reaped; SIGKILL takes microseconds. */
    private static final Duration REAP_AFTER_KILL = Duration.ofSeconds(5);
    private static final byte[] NO_INPUT = new byte[0];
    private static final String RELEASED = "close() released the command and closed it";

    private final List<String> args;
    private final Process process;
    private final Charset charset;
    private final Redirect stdinMode;
    private final Redirect stdoutMode;
    /** Null when stderr is merged into stdout. */
    private final Redirect stderrMode;
    private final String what;
    private final Object lock = new Object();
    /** Accessed only under lock. Whether stdin is (or was) fed by us: builder input or communicate. */
    private boolean inputTaken;
    /** Accessed only under lock. How communicate took stdin (for the writes it refuses); null if it did not. */
    private String communicateTookStdin;
    /** Accessed only under lock. The stream handed out by stdin(), once asked for, and the one under it. */
    private CallerStdin callerStdin;
    private InterruptibleStdin stdinPipe;
    /** Accessed only under lock. The streams handed out by stdout() and stderr(), once asked for. */
    private CallerOutput callerStdout;
    private CallerOutput callerStderr;
    /** Accessed only under lock. */
    private OutputCollector stdoutCollector;
    /** Accessed only under lock. */
    private OutputCollector stderrCollector;
    /** Accessed only under lock. What copies a FIFO given as stdin into the command; null for other stdin. */
    private FifoRelay fifoInput;
    /** Accessed only under lock. What copies the command's stdout or stderr into a FIFO given for it. */
    private final List<FifoRelay> fifoOutputs = new ArrayList<>(2);
    private final AtomicBoolean closed = new AtomicBoolean();

    private SubprocessImpl(List<String> args, Process process, Charset charset, Redirect stdin, Redirect stdout,
            Redirect stderr) {
        this.args = args;
        this.process = process;
        this.charset = charset;
        this.stdinMode = stdin;
        this.stdoutMode = stdout;
        this.stderrMode = stderr;
        this.what = "command " + SubprocessException.display(args);
    }

    static SubprocessImpl start(SubprocessBuilder b) throws IOException {
        ProcessBuilder pb = b.toProcessBuilder();
        byte[] input = b.inputBytes();
        // the JDK's open of a FIFO would block here until the other end comes: the command gets a pipe instead
        Redirect stdin = pb.redirectInput();
        Path fifo = FifoRelay.fifoOf(stdin);
        if (fifo != null) {
            pb.redirectInput(Redirect.PIPE);
        }
        Redirect stdout = pb.redirectOutput();
        boolean stdoutToFifo = FifoRelay.fifoOf(stdout) != null;
        if (stdoutToFifo) {
            pb.redirectOutput(Redirect.PIPE); // stderr merged into it (stderrToStdout, the same file) goes along
        }
        Redirect stderr = pb.redirectErrorStream() ? null : pb.redirectError();
        boolean stderrToFifo = FifoRelay.fifoOf(stderr) != null;
        if (stderrToFifo) {
            pb.redirectError(Redirect.PIPE);
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw StartFailure.explain(e, b.args(), b.cwd(), b.searchPath(), pb);
        }
        SubprocessImpl p = null;
        try {
            p = new SubprocessImpl(b.args(), process, b.charsetOrDefault(), stdin, stdout, b.stderrRedirect());
            synchronized (p.lock) {
                if (input != null) {
                    p.inputTaken = true;
                    InputFeeder.start(process.getOutputStream(), input, "stdin of " + p.what);
                }
                if (fifo != null) {
                    p.inputTaken = true;
                    p.fifoInput = FifoRelay.fromFifo(fifo, process.getOutputStream(), "stdin of " + p.what);
                }
                if (stdoutToFifo) {
                    p.fifoOutputs.add(FifoRelay.toFifo(stdout, process, process.getInputStream(),
                            "stdout of " + p.what));
                }
                if (stderrToFifo) {
                    p.fifoOutputs.add(FifoRelay.toFifo(stderr, process, process.getErrorStream(),
                            "stderr of " + p.what));
                }
            }
            return p;
        } catch (Throwable t) { // no thread to feed it (an OutOfMemoryError, say): nobody holds the command, kill it
            process.destroyForcibly();
            if (p != null) {
                p.releaseFifos(); // a thread already started may wait for good at its FIFO
            }
            throw t;
        }
    }

    @Override
    public List<String> args() {
        return args;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public ProcessHandle toHandle() {
        return process.toHandle();
    }

    @Override
    public OutputStream stdin() {
        synchronized (lock) {
            if (stdinMode != Redirect.PIPE) {
                throw notAPipe("stdin", stdinMode);
            }
            if (inputTaken && communicateTookStdin == null) {
                throw new IllegalStateException("stdin of " + what + " is fed by input(...)");
            }
            if (callerStdin == null && inputTaken) {
                // As Python's p.stdin after communicate(), a closed stream: writes fail, and nothing reaches the
                // pipe, which communicate's feeder writes and closes
                callerStdin = new CallerStdin(OutputStream.nullOutputStream(), "stdin of " + what);
                callerStdin.shut(communicateTookStdin);
            } else if (callerStdin == null) {
                stdinPipe = new InterruptibleStdin(process.getOutputStream(), "stdin of " + what);
                callerStdin = new CallerStdin(stdinPipe, "stdin of " + what);
                if (closed.get()) {
                    callerStdin.shut(RELEASED);
                }
            }
            return callerStdin;
        }
    }

    @Override
    public InputStream stdout() {
        synchronized (lock) {
            requirePipe("stdout", stdoutMode, stdoutCollector);
            if (callerStdout == null) {
                callerStdout = new CallerOutput(new InterruptiblePipe(process.getInputStream(), "stdout of " + what));
            }
            return callerStdout;
        }
    }

    @Override
    public InputStream stderr() {
        synchronized (lock) {
            requirePipe("stderr", stderrMode, stderrCollector);
            if (callerStderr == null) {
                callerStderr = new CallerOutput(new InterruptiblePipe(process.getErrorStream(), "stderr of " + what));
            }
            return callerStderr;
        }
    }

    private void requirePipe(String stream, Redirect mode, OutputCollector collector) {
        if (mode != Redirect.PIPE) {
            throw notAPipe(stream, mode);
        }
        if (collector != null) {
            throw new IllegalStateException(stream + " of " + what + " belongs to communicate(), which reads it to "
                    + "the end: its output is in the CompletedProcess that communicate() returns");
        }
    }

    private IllegalStateException notAPipe(String stream, Redirect mode) {
        return new IllegalStateException(stream + " of " + what + " is not a pipe: it "
                + (stream.equals("stdin") ? "comes from " : "goes to ") + describe(mode)
                + "; set " + stream + "(Redirect.PIPE) on the builder");
    }

    private static String describe(Redirect mode) {
        return mode == null ? CompletedProcess.MERGED_INTO_STDOUT : Redirects.describe(mode);
    }

    @Override
    public Stream<String> stdoutLines() {
        synchronized (lock) {
            stdout();
            return lines(callerStdout);
        }
    }

    @Override
    public Stream<String> stderrLines() {
        synchronized (lock) {
            stderr();
            return lines(callerStderr);
        }
    }

    /**
     * The lines of {@code in}, read by {@link CallerOutput#readLine}, which keeps what it reads past a line for
     * the next read; in a charset it cannot split, through a {@link BufferedReader}, which reads ahead.
     */
    private Stream<String> lines(CallerOutput in) {
        if (!CallerOutput.splitsLinesIn(charset)) {
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, charset));
            return reader.lines().onClose(() -> closeQuietly(reader));
        }
        Iterator<String> lines = new Iterator<>() {
            private String next;
            private boolean ended;

            @Override
            public boolean hasNext() {
                if (next == null && !ended) {
                    try {
                        next = in.readLine(charset);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    ended = next == null;
                }
                return next != null;
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                String line = next;
                next = null;
                return line;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(lines, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(() -> closeQuietly(in));
    }

    // As waitFor: with output to a FIFO, not before it is in the FIFO, which the command could not have left before
    // with the FIFO itself; a close() after it would cut off the rest. After close(), whatever the copies did.
    @Override
    public OptionalInt poll() {
        if (process.isAlive() || !closed.get() && !fifoOutputs().stream().allMatch(FifoRelay::finished)) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(process.exitValue());
    }

    @Override
    public int waitFor() throws InterruptedException {
        int code = process.waitFor();
        FifoRelay.awaitEnd(fifoOutputs(), Deadline.none());
        return code;
    }

    // Also until the output copied to a FIFO is in it: as with the FIFO as the command's own redirect, which
    // the command could not have left before its reader read. A close() after a wait would lose the rest.
    @Override
    public OptionalInt waitFor(Duration timeout) throws InterruptedException {
        Deadline deadline = Deadline.after(timeout);
        return process.waitFor(deadline.remainingNanos(), TimeUnit.NANOSECONDS)
                && FifoRelay.awaitEnd(fifoOutputs(), deadline)
                ? OptionalInt.of(process.exitValue())
                : OptionalInt.empty();
    }

    private List<FifoRelay> fifoOutputs() {
        synchronized (lock) {
            return List.copyOf(fifoOutputs);
        }
    }

    @Override
    public CompletedProcess communicate() throws InterruptedException {
        return communicate(null, Deadline.none(), null);
    }

    @Override
    public CompletedProcess communicate(Duration timeout) throws InterruptedException {
        return communicate(null, Deadline.after(timeout), timeout);
    }

    @Override
    public CompletedProcess communicate(byte[] input) throws InterruptedException {
        return communicate(input, Deadline.none(), null);
    }

    @Override
    public CompletedProcess communicate(String input) throws InterruptedException {
        return communicate(input == null ? null : TextInput.encode(input, charset), Deadline.none(), null);
    }

    @Override
    public CompletedProcess communicate(String input, Duration timeout) throws InterruptedException {
        return communicate(input == null ? null : TextInput.encode(input, charset), Deadline.after(timeout), timeout);
    }

    @Override
    public CompletedProcess communicate(byte[] input, Duration timeout) throws InterruptedException {
        return communicate(input, Deadline.after(timeout), timeout);
    }

    /**
     * The one communicate: starts feeding and draining (once), then waits against {@code deadline}.
     *
     * @param timeout the timeout the deadline came from, for the exception message; null without one
     */
    CompletedProcess communicate(byte[] input, Deadline deadline, Duration timeout) throws InterruptedException {
        List<OutputCollector> collectors = startCommunication(input);
        List<FifoRelay> relays = fifoOutputs();
        // the output copied to a FIFO is at its reader when we return, as it would be with the FIFO as the redirect
        if (!Completion.awaitEnd(collectors, List.of(process), deadline) || !FifoRelay.awaitEnd(relays, deadline)) {
            // Not a timeout if the pipes reached their end as the deadline passed (a zero timeout, given as the
            // reading starts, after the command exited): everything has ended then. Not "still running" if the
            // command has exited and its output is not at its end yet.
            boolean running = process.isAlive();
            if (running || !collectors.stream().allMatch(OutputCollector::finished)
                    || !relays.stream().allMatch(FifoRelay::finished)) {
                throw new TimeoutExpiredException(what, args, timeout, List.of(), running, snapshot(stdoutCollector()),
                        snapshot(stderrCollector()), stderrMode == null, charset);
            }
        }
        return new CompletedProcess(args, process.exitValue(), complete(stdoutCollector()), describe(stdoutMode),
                complete(stderrCollector()), describe(stderrMode), charset);
    }

    /** Refuses the caller's further writes to stdin, if it was handed out: we close the pipe (under lock). */
    private void shutCallerStdin(String why) {
        if (callerStdin != null) {
            callerStdin.shut(why);
        }
    }

    /**
     * Called under lock: where we write and close stdin. Once stdin() was handed out, through the stream under
     * it, so that what the caller wrote and it still buffers, or a write the caller gave up still hands over,
     * goes first: writing the JDK's stream beside it would lose the first and could overtake the second.
     */
    private OutputStream stdinStream() {
        return stdinPipe != null ? stdinPipe : process.getOutputStream();
    }

    private List<OutputCollector> startCommunication(byte[] input) {
        synchronized (lock) {
            if (input != null) {
                if (stdinMode != Redirect.PIPE) {
                    throw new IllegalStateException("cannot send input to " + what + ": its stdin is not a pipe but "
                            + describe(stdinMode) + "; set stdin(Redirect.PIPE) on the builder");
                }
                if (inputTaken) {
                    throw new IllegalStateException("cannot send input to " + what
                            + ": input was already sent (by input(...) or an earlier communicate)");
                }
                if (callerStdin != null && callerStdin.closed()) {
                    // The JDK would buffer a small input and drop it at the flush: say so instead.
                    throw new IllegalStateException("cannot send input to " + what
                            + ": its stdin was closed through stdin(); send the input before closing it, or pass "
                            + "it to communicate(...) and leave stdin open");
                }
                inputTaken = true;
                communicateTookStdin = "communicate(...) sent its input to it and closed it";
                shutCallerStdin("communicate(...) sent its input after what was written here, and closed it");
                InputFeeder.start(stdinStream(), input, "stdin of " + what);
            } else if (stdinMode == Redirect.PIPE && !inputTaken) {
                // As Python, communicate() without input closes stdin; but on a feeder thread: closing flushes
                // what the caller wrote through stdin() and the JDK still buffers, and that flush blocks while
                // the pipe is full, until the command reads, which it may do only once its output is drained.
                inputTaken = true;
                communicateTookStdin = "communicate() closed it, as Python's does, to signal the end of the input";
                shutCallerStdin(communicateTookStdin);
                InputFeeder.start(stdinStream(), NO_INPUT, "stdin of " + what);
            }
            if (stdoutMode == Redirect.PIPE && stdoutCollector == null) {
                stdoutCollector = collect(process.getInputStream(), callerStdout, closed.get(), "stdout of " + what);
            }
            if (stderrMode == Redirect.PIPE && stderrCollector == null) {
                stderrCollector = collect(process.getErrorStream(), callerStderr, closed.get(), "stderr of " + what);
            }
            List<OutputCollector> collectors = new ArrayList<>(2);
            if (stdoutCollector != null) {
                collectors.add(stdoutCollector);
            }
            if (stderrCollector != null) {
                collectors.add(stderrCollector);
            }
            return collectors;
        }
    }

    /**
     * A collector of {@code pipe}; one that is already at its end if the caller closed it (as Python skips
     * a closed pipe), or if {@link #close()} has closed it or is about to. It reads through the stream handed
     * out to the caller, if any, which may hold bytes that a line read took from the pipe past its line.
     */
    private static OutputCollector collect(InputStream pipe, CallerOutput handedOut, boolean released, String name) {
        return released || handedOut != null && handedOut.closed() ? OutputCollector.ended(name)
                : OutputCollector.start(pipe, handedOut == null ? pipe : handedOut, name);
    }

    private OutputCollector stdoutCollector() {
        synchronized (lock) {
            return stdoutCollector;
        }
    }

    private OutputCollector stderrCollector() {
        synchronized (lock) {
            return stderrCollector;
        }
    }

    private static CapturedBytes snapshot(OutputCollector c) {
        return c == null ? null : c.snapshot();
    }

    private static CapturedBytes complete(OutputCollector c) {
        return c == null ? null : c.complete();
    }

    /** After {@code run()}'s timeout: kills the tree and describes what happened, with all output so far. */
    TimeoutExpiredException killAfterTimeout(Duration timeout, Duration grace) throws InterruptedException {
        List<OutputCollector> collectors;
        synchronized (lock) {
            collectors = new ArrayList<>(2);
            if (stdoutCollector != null) {
                collectors.add(stdoutCollector);
            }
            if (stderrCollector != null) {
                collectors.add(stderrCollector);
            }
        }
        List<Long> killed = Completion.killTrees(List.of(process), collectors, grace);
        return new TimeoutExpiredException(what, args, timeout, killed, false, snapshot(stdoutCollector()),
                snapshot(stderrCollector()), stderrMode == null, charset);
    }

    // Through the ProcessHandle, not Process.destroy(): the JDK's destroy() also closes the three pipes, which
    // would lose the output that Python's kill() then communicate() is meant to collect, and its close of
    // stdin waits for a feeder thread blocked writing to a child that does not read.
    @Override
    public void terminate() {
        boolean exited = !process.isAlive();
        process.toHandle().destroy();
        endFifoCopiesIf(exited);
    }

    @Override
    public void kill() {
        boolean exited = !process.isAlive();
        process.toHandle().destroyForcibly();
        endFifoCopiesIf(exited);
    }

    /**
     * With output to a FIFO, poll() and waitFor() show the exit only once that output is in the FIFO: until then the
     * command counts as running, and a signal that finds it exited ends the copies instead, as it would have ended the
     * command blocked on the FIFO itself. Without this, "wait, kill at the timeout, wait" waited for good for a FIFO
     * whose reader never reads (or never opens it). Only if it had exited before the signal: the copy of a command
     * the signal kills goes on, as its output before the signal would have been in the FIFO already.
     */
    private void endFifoCopiesIf(boolean exited) {
        if (exited) {
            FifoRelay.releaseAll(fifoOutputs());
        }
    }

    @Override
    public void sendSignal(Signal signal) throws IOException, InterruptedException {
        signal.sendTo(process.toHandle());
    }

    @Override
    public List<Long> killTree(Duration grace) throws InterruptedException {
        Objects.requireNonNull(grace, "grace");
        if (process.isAlive()) {
            return ProcessTree.kill(process.toHandle(), grace);
        }
        endFifoCopiesIf(true);
        return List.of();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean interrupted = false;
        if (process.isAlive()) {
            try {
                ProcessTree.kill(process.toHandle(), Duration.ZERO);
                if (!process.waitFor(REAP_AFTER_KILL.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.log(Level.DEBUG, () -> what + " (pid " + pid() + ") not reaped "
                            + REAP_AFTER_KILL.toSeconds() + " s after SIGKILL");
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        synchronized (lock) {
            // stdin only now that the command is dead: closing it flushes, and a flush into the pipe of a
            // live command that does not read would block close() before it ever got to the kill. The stream
            // stdin() handed out is closed without waiting: a process that escaped the kill may hold the pipe
            // open without reading, so that its write given up, or of what it buffered, never ends.
            if (stdinMode == Redirect.PIPE && !inputTaken) {
                shutCallerStdin(RELEASED);
                if (stdinPipe == null) {
                    closeQuietly(process.getOutputStream());
                }
            }
            if (stdinPipe != null) { // also once communicate's feeder writes through it: it may wait there for good
                stdinPipe.release();
            }
            if (stdoutMode == Redirect.PIPE && stdoutCollector == null) {
                closeQuietly(process.getInputStream());
            }
            if (stderrMode == Redirect.PIPE && stderrCollector == null) {
                closeQuietly(process.getErrorStream());
            }
        }
        releaseFifos();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends the threads at FIFOs, which may wait for good for the other end to open the FIFO, or to use it. */
    private void releaseFifos() {
        List<FifoRelay> relays = new ArrayList<>(3);
        synchronized (lock) {
            if (fifoInput != null) {
                relays.add(fifoInput);
            }
            relays.addAll(fifoOutputs);
        }
        FifoRelay.releaseAll(relays);
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing a pipe failed", e);
        }
    }

    @Override
    public String toString() {
        // Not from poll() alone, which stays empty after the exit while output is on its way to a FIFO (for good if
        // the FIFO's reader never reads): "running" would say the command is alive, which kill() finds it is not
        String state = process.isAlive() ? "running" : "exited " + process.exitValue()
                + (poll().isEmpty() ? ", its output not all in its FIFO yet (poll() and waitFor() wait for that)" : "");
        return "Subprocess[pid=" + pid() + ", args=" + args + ", " + state + "]";
    }
}

package io.github.multiprocessing4j.subprocess;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * A running external command: Python's {@code subprocess.Popen}. Start one, or run one to completion, from
 * the builder that {@link #command(String...)} returns.
 *
 * {@snippet :
 * // subprocess.run(["ls", "-l"], capture_output=True, text=True, check=True, timeout=10)
 * CompletedProcess ls = Subprocess.command("ls", "-l")
 *         .captureOutput()
 *         .check()
 *         .timeout(Duration.ofSeconds(10))
 *         .run();
 * System.out.print(ls.stdout());
 *
 * // Popen: stream the lines of a running command
 * try (Subprocess tail = Subprocess.command("journalctl", "-f").stdout(Redirect.PIPE).start();
 *      Stream<String> lines = tail.stdoutLines()) {
 *     lines.filter(l -> l.contains("error")).limit(3).forEach(System.out::println);
 * }
 * }
 *
 * <h2>Streams</h2>
 * Each of stdin, stdout and stderr is, as chosen on the builder, inherited from this JVM (the default, as
 * in Python), a pipe to this JVM ({@link Redirect#PIPE}), discarded, or a file. {@link #stdin()},
 * {@link #stdout()} and {@link #stderr()} give the pipes. A child blocks when it writes to a full pipe
 * (64 KiB on Linux) that nobody reads: read both output pipes at once, or let {@link #communicate} do it,
 * which reads each pipe on a thread of its own and writes the input on a third, so it never deadlocks.
 *
 * <h2>Exit status</h2>
 * The code the command exited with, or 128 + N if signal N killed it (the JDK's and the shell's
 * convention; Python reports -N).
 *
 * <h2>Process trees</h2>
 * {@link #killTree} and a {@linkplain Builder#timeout timeout} kill the command and every process
 * descending from it, found just before the kill through {@link ProcessHandle#descendants()} (and again
 * after a grace period, for what a SIGTERM handler started). Processes found then are killed even if their
 * parent dies first. Two kinds escape: one started in the moment between the last listing and the kill of
 * its parent, and one that detached itself before (a daemon that double-forks and is re-parented to init
 * is no longer a descendant). If such a process keeps an output pipe open,
 * {@code run()} waits one more second for the pipe to close, then reports the output it has.
 *
 * <p><b>Thread-safety:</b> the methods may be called from any thread. Each pipe should be used by one
 * thread at a time, and not while {@link #communicate} reads it.
 */
public interface Subprocess extends AutoCloseable {

    /**
     * A builder for {@code cmd[0]} with arguments {@code cmd[1..]}. Unless it contains a {@code /}, the
     * executable is looked up on the command's {@code PATH}, as in Python: this JVM's, or the one
     * {@link Builder#env} gives it ({@code /bin:/usr/bin} if {@link Builder#clearEnv()} leaves it none). No shell
     * is involved: for shell syntax, use {@link #shell(String)}.
     *
     * @throws IllegalArgumentException if {@code cmd} is empty
     * @throws NullPointerException     if {@code cmd} or one of its elements is null; the message names which
     */
    static Builder command(String... cmd) {
        // not List.of, whose NullPointerException on a null element says nothing
        return command(Arrays.asList(Objects.requireNonNull(cmd, "cmd")));
    }

    /** {@link #command(String...)} with a list. */
    static Builder command(List<String> cmd) {
        return new SubprocessBuilder(cmd);
    }

    /**
     * A builder for a command line run by the shell, {@code /bin/sh -c commandLine}: Python's
     * {@code shell=True}. Pipes, redirections, globs and variables ({@code $HOME}, or one set with
     * {@link Builder#env}) work as at a prompt, and {@link CompletedProcess#args()} is
     * {@code [/bin/sh, -c, commandLine]}. A timeout kills the shell and what it started.
     *
     * {@snippet :
     * String count = Subprocess.shell("ls *.java | wc -l").captureOutput().check().run().stdout().strip();
     * }
     *
     * <p>Never build {@code commandLine} from input you do not control: the shell runs whatever it says
     * ({@code "; rm -rf ~"}). Pass such input as an argument instead, which the shell does not parse, after an
     * option that takes it ({@code -e}) or {@code --}, so that input starting with {@code -} is not read as an
     * option: {@code command("grep", "-r", "-e", userInput, dir)}, or to a fixed script,
     * {@code command("sh", "-c", "grep -r -e \"$1\" . | sort", "sh", userInput)}.
     *
     * @throws NullPointerException if {@code commandLine} is null
     */
    static Builder shell(String commandLine) {
        return command("/bin/sh", "-c", Objects.requireNonNull(commandLine, "commandLine"));
    }

    /**
     * A pipeline {@code first | second | more...}: each stage's stdout is connected to the next stage's
     * stdin by an operating system pipe, as a shell does, without passing through this JVM. The stages'
     * builders give each command with its {@code cwd}, {@code env} and stderr; the pipeline's own builder
     * gives the input, the output and the timeout.
     *
     * {@snippet :
     * CompletedPipeline sorted = Subprocess.pipeline(
     *                 Subprocess.command("printf", "b\na\nb\n"),
     *                 Subprocess.command("sort"),
     *                 Subprocess.command("uniq", "-c"))
     *         .captureOutput()
     *         .run();
     * sorted.stdout();       // "      1 a\n      2 b\n"
     * sorted.returnCodes();  // [0, 0, 0]
     * }
     */
    static Pipeline pipeline(Builder first, Builder second, Builder... more) {
        return new PipelineImpl(first, second, more);
    }

    /** The command and its arguments. */
    List<String> args();

    long pid();

    /** The JDK's handle on this process, to read {@link ProcessHandle#info()} or its children. */
    ProcessHandle toHandle();

    /**
     * The pipe to the command's stdin. Close it to signal the end of the input. Once it is closed, by the
     * caller, by {@link #communicate} (which closes stdin, as Python's does) or by {@link #close()}, a write
     * throws {@link IOException}, as Python raises {@code ValueError}.
     *
     * <p>Like the JDK's stream it is buffered: bytes reach the command on {@code flush()}, {@code close()} or
     * once 8 KiB or more are buffered (a write of 8 KiB or more goes at once). {@link #communicate} sends what
     * it buffered before its own input, in
     * order; {@link #close()} kills the command before it closes this stream, so what is still buffered then is
     * lost, as in the JDK's.
     *
     * <p>A virtual thread (a coroutine) that is interrupted in a write, flush or close of this stream, held up
     * because the command does not read and the pipe is full, gives it up with an
     * {@link java.io.InterruptedIOException}, its interrupt status set, where the JDK's pipe write would go on
     * until the command reads or exits: a cancelled coroutine ends at once. The exception's
     * {@code bytesTransferred} counts the bytes of that write the stream took, which are still written, before
     * anything written later; the rest were not sent. A virtual thread interrupted before it writes sends nothing.
     * An interrupted {@code close()} still closes stdin, in the background, once the command has read what
     * came before. (Such a thread's writes of a full buffer, flushes and close run on a pooled platform thread; a
     * platform thread writes the pipe itself, and an interrupt does not end its write.) That hand-off is a
     * thread switch per 64 KiB: a virtual thread streams bulk data through this stream 2-3x slower than a
     * platform thread (100 MiB into {@code cat} in 64 KiB writes: ~85 ms against ~35 ms on a 2-core VM, more on a
     * loaded machine). For bulk input known up front, {@link Builder#input(byte[])} or {@link #communicate}
     * write it from a platform thread at full speed.
     *
     * @throws IllegalStateException if stdin is not a pipe (set {@code stdin(Redirect.PIPE)}), or is fed
     *                               from {@link Builder#input(byte[])}
     */
    OutputStream stdin();

    /**
     * The pipe from the command's stdout.
     *
     * <p>Unlike Python's, this pipe may end before every writer has closed it: once the command has
     * exited, the JDK reads what is left in the pipe and closes it at the first moment no read is under
     * way, so what the command's background processes write after that is lost (and they get SIGPIPE).
     * {@link #communicate}, called before the command exits, reads to the real end of the pipe. {@code run()}
     * calls it at once, but a command that exits within moments of its start (a shell that only starts a
     * background job, {@code sh -c "job &"}) can still exit first; what the job writes after that is then
     * lost as above (in one run of six of such a command, on a loaded 2-core machine). Give such a job
     * other output (a file), or make the command wait for it.
     *
     * <p>A virtual thread (a coroutine) that is interrupted in a read of this stream, or of
     * {@link #stdoutLines()}, gives the read up with an {@link java.io.InterruptedIOException}, its interrupt
     * status set, where the JDK's pipe read would go on until the command writes or exits: a cancelled coroutine
     * ends at once. What the command writes next is not lost: the next read gets it. (Such a thread's reads
     * run on a pooled platform thread, up to 64 KiB at a time; a platform thread reads the pipe itself, and
     * an interrupt does not end its read.)
     *
     * @throws IllegalStateException if stdout is not a pipe, or {@link #communicate} reads it
     */
    InputStream stdout();

    /**
     * The pipe from the command's stderr. Interruptible on a virtual thread as {@link #stdout()} is.
     *
     * @throws IllegalStateException if stderr is not a pipe, or {@link #communicate} reads it
     */
    InputStream stderr();

    /**
     * The lines of {@link #stdout()}, decoded with the builder's charset (malformed bytes become U+FFFD, where
     * Python's {@code text=True} raises {@code UnicodeDecodeError}), read as the stream is consumed;
     * Python's {@code for line in p.stdout}. Lines end at {@code \n}, {@code \r} or {@code \r\n}, which are
     * not included. The stream ends when the command closes its stdout (usually when it exits; see
     * {@link #stdout()} about its background processes). Closing the stream closes the pipe: a command
     * that writes more then dies of SIGPIPE (status 141), as after Python's {@code p.stdout.close()}; leave
     * the stream open, unconsumed, to let it finish, and read or {@link #communicate} the rest. A read error
     * surfaces as an {@link java.io.UncheckedIOException}.
     *
     * <p>Nothing is taken from the pipe past the lines consumed: what follows is there for a later read of
     * {@link #stdout()}, another {@code stdoutLines()} or {@link #communicate}, as after Python's
     * {@code readline()}. Except in a charset that does not write {@code \n} and {@code \r} as their ASCII
     * bytes (UTF-16, say): the stream then reads ahead, and what it read past the lines consumed is lost to
     * other reads.
     *
     * <p>Each line is held whole while it is read, in a buffer that doubles as it fills, then decoded: a line of
     * n bytes takes up to about 4n bytes of heap at its peak. One of more than 2 GiB cannot be held in a Java
     * array: it ends the stream with an {@link OutOfMemoryError} that says so; read such output from
     * {@link #stdout()} in pieces.
     *
     * @throws IllegalStateException as {@link #stdout()}
     */
    Stream<String> stdoutLines();

    /** {@link #stdoutLines()} for stderr. */
    Stream<String> stderrLines();

    /**
     * The exit status if the command has exited, else empty; never blocks. Python's {@code poll()}. With its stdout
     * or stderr to a named pipe (FIFO), not before its output is in the FIFO, as {@link #waitFor()}.
     */
    OptionalInt poll();

    /**
     * Waits until the command exits; with its stdout or stderr to a named pipe (FIFO), also until its output is
     * in the FIFO (see {@link Builder#stdout(Redirect)}), as the command could not exit before with the FIFO itself.
     *
     * @return the exit status
     * @throws InterruptedException if interrupted while waiting (the interrupt status is cleared; the
     *                              command keeps running)
     */
    int waitFor() throws InterruptedException;

    /**
     * Waits at most {@code timeout} for the command to exit (and its output to be in a FIFO, as {@link #waitFor()}).
     * Returns the exit status once it has exited, or empty once the timeout has elapsed (the command keeps
     * running); a zero or negative timeout only polls.
     *
     * @throws InterruptedException if interrupted while waiting (the interrupt status is cleared)
     */
    OptionalInt waitFor(Duration timeout) throws InterruptedException;

    /**
     * {@link #communicate(byte[], Duration)} without input or timeout.
     *
     * @throws InterruptedException as {@link #communicate(byte[], Duration)}
     */
    CompletedProcess communicate() throws InterruptedException;

    /**
     * {@link #communicate(byte[], Duration)} without input.
     *
     * @throws InterruptedException as {@link #communicate(byte[], Duration)}
     */
    CompletedProcess communicate(Duration timeout) throws InterruptedException;

    /**
     * {@link #communicate(byte[], Duration)} without timeout.
     *
     * @throws InterruptedException as {@link #communicate(byte[], Duration)}
     */
    CompletedProcess communicate(byte[] input) throws InterruptedException;

    /**
     * {@link #communicate(byte[], Duration)} with text, encoded with the builder's charset.
     *
     * @throws IllegalArgumentException if the text has a character the charset cannot encode (Python's
     *                                  {@code UnicodeEncodeError}); nothing is sent then
     * @throws InterruptedException     as {@link #communicate(byte[], Duration)}
     */
    CompletedProcess communicate(String input) throws InterruptedException;

    /**
     * {@link #communicate(byte[], Duration)} with text, encoded with the builder's charset.
     *
     * @throws IllegalArgumentException if the text has a character the charset cannot encode (Python's
     *                                  {@code UnicodeEncodeError}); nothing is sent then
     * @throws InterruptedException     as {@link #communicate(byte[], Duration)}
     */
    CompletedProcess communicate(String input, Duration timeout) throws InterruptedException;

    /**
     * Sends {@code input} to stdin and closes it, reads stdout and stderr to their end, and waits for the
     * command to exit: Python's {@code communicate}. The input is written on one thread and each output
     * pipe read on another, so a command that writes much to both while reading its input cannot
     * deadlock. The input array is not copied: leave it alone until this returns.
     *
     * <p>Returns, with the exit status and the captured pipes, once both output pipes are at their end and
     * the command has exited. Otherwise:
     * <ul>
     *   <li>throws {@link TimeoutExpiredException} when {@code timeout} elapses first. The command is
     *       <em>not</em> killed, as in Python: the exception holds the output read so far, and a later
     *       {@code communicate()} resumes and returns all of it. A zero or negative timeout gives up at
     *       once unless everything has already ended: the command has exited and its output pipes have been
     *       read to their end. The first {@code communicate} starts that reading, so right after the command
     *       exited it may give up all the same, as Python's does.</li>
     *   <li>throws {@link InterruptedException} if interrupted (the interrupt status is cleared); the
     *       command keeps running, and a later {@code communicate()} resumes as after a timeout.</li>
     * </ul>
     * If the command exits or closes its stdin before reading all the input, the rest is dropped without
     * an error, as in Python; its exit status tells what it made of that. A background process that the
     * command leaves behind with its stdout or stderr keeps that pipe open, and this waits for it to close
     * the pipe or exit, as Python does, if called before the command exited (see {@link #stdout()}); give
     * such a process other output (a file, {@code /dev/null}).
     *
     * <p>Streams that are not pipes read as not captured in the result. Bytes already read through
     * {@link #stdout()} are not in it, and a pipe the caller closed (through {@link #stdout()} or
     * {@link #stdoutLines()}) reads as empty, as in Python; so do the pipes after {@link #close()}.
     *
     * @param input the bytes for stdin, or null to send none (stdin is then just closed, if it is a pipe)
     * @throws InterruptedException if interrupted while waiting (the interrupt status is cleared); the command
     *                              keeps running
     * @throws IllegalStateException if input is given but stdin is not a pipe, or a previous call (or the
     *                               builder's {@code input}) already sent input, or the caller closed stdin
     *                               through {@link #stdin()} (Python's {@code communicate} raises
     *                               {@code ValueError} for a closed stdin): nothing is sent then
     * @throws java.io.UncheckedIOException if reading an output pipe failed before its end (the output would
     *                                      be incomplete); the message names the pipe
     */
    CompletedProcess communicate(byte[] input, Duration timeout) throws InterruptedException;

    /**
     * Asks the command to stop (SIGTERM); does nothing once it has exited. Python's {@code terminate()}. With its
     * stdout or stderr to a named pipe (FIFO), a command that has exited counts as running until its output is in
     * the FIFO (see {@link #poll()}): then this ends that copy, as it would end the command blocked on the FIFO
     * itself; the FIFO's reader gets what is in the FIFO already, not the rest.
     */
    void terminate();

    /**
     * Kills the command (SIGKILL); does nothing once it has exited. Not its children: see {@link #killTree}. With
     * output to a FIFO, ends the copy of a command that has exited, as {@link #terminate()} does.
     */
    void kill();

    /**
     * Sends {@code signal} to the command; does nothing once it has exited. Python's {@code send_signal}.
     * See {@link Signal} for how each is sent.
     *
     * @throws IOException if the signal could not be sent (the message says why)
     * @throws InterruptedException if interrupted while sending a signal other than TERM or KILL
     */
    void sendSignal(Signal signal) throws IOException, InterruptedException;

    /**
     * Kills the command and every process descending from it, as found just before the kill; see
     * "Process trees" above. With a positive {@code grace}, first sends them all SIGTERM (and SIGCONT to
     * those that are stopped, which would not act on it otherwise) and waits up to
     * {@code grace} for them to exit, then sends SIGKILL to those still alive; with a zero or negative
     * one, sends SIGKILL at once. Returns without waiting for the killed processes to be reaped: call
     * {@link #waitFor()} for the command's status. With output to a FIFO, ends the copy of a command that has
     * exited, as {@link #terminate()} does.
     *
     * @return the pids that were signalled, the command first
     * @throws InterruptedException if interrupted during the grace period; the tree is then killed
     *                              before this throws (the interrupt status is cleared)
     */
    List<Long> killTree(Duration grace) throws InterruptedException;

    /**
     * Releases the command: kills the command's process tree if it is still running, closes stdin, waits
     * (up to a few seconds) for it to be reaped, and closes the output pipes that nothing reads. A pipe
     * that {@link #communicate} (or a timed-out {@code run()}) reads in the background is left to its
     * reader, which ends when the last process holding the pipe (one the command left running in the
     * background, say) closes it: on Linux, closing a pipe does not wake a read under way. Stdin is closed
     * without waiting for a write to it under way, which a process that escaped the kill may hold up for good;
     * {@link #stdin()} refuses writes from then on, and its {@code close()} returns at once. Call
     * {@link #waitFor()} first if the command should finish on its own. Idempotent.
     */
    @Override
    void close();

    /**
     * How to run a command. Every setter may be called once, and {@link #captureOutput()} counts as
     * setting stdout and stderr, {@code input} as setting stdin; the one combination allowed is
     * {@code captureOutput()} with {@link #stderrToStdout()}, in either order. A builder may start the command any
     * number of times; it must not be modified concurrently.
     *
     * {@snippet :
     * CompletedProcess sorted = Subprocess.command("sort", "-u")
     *         .input("pear\napple\npear\n")
     *         .captureOutput()
     *         .cwd(Path.of("/tmp"))
     *         .env("LC_ALL", "C")
     *         .check()
     *         .run();
     * }
     */
    interface Builder {
        /**
         * Text for stdin, encoded with {@link #charset}; stdin becomes a pipe fed by a thread of ours. A character
         * the charset cannot encode makes {@code run()} or {@code start()} throw an
         * {@link IllegalArgumentException} naming it, before the command starts (Python's
         * {@code UnicodeEncodeError}), rather than send a {@code ?} in its place.
         */
        Builder input(String input);

        /** Bytes for stdin, not copied: leave the array alone until the command has read it. */
        Builder input(byte[] input);

        /**
         * The command reads stdin from {@code file} itself (Python's {@code stdin=open(file)}). Except from a
         * named pipe (FIFO), whose open waits for a writer: the command then gets a pipe that a thread of ours
         * fills from the FIFO once a writer has opened it, so that {@code start()} returns and a timeout of
         * {@code run()} ends it even if no writer comes (the same for {@code stdin(Redirect.from(fifo))}); the
         * command's input ends when the FIFO's last writer closes it. {@link Subprocess#close()} ends that thread.
         */
        Builder input(Path file);

        /**
         * Where stdin comes from: {@link Redirect#INHERIT} (the default), {@link Redirect#PIPE} (write it
         * through {@link Subprocess#stdin()}), {@link Redirect#DISCARD} (empty input, Python's
         * {@code DEVNULL}), or {@link Redirect#from a file}.
         */
        Builder stdin(Redirect redirect);

        /**
         * Where stdout goes: {@link Redirect#INHERIT} (the default: this JVM's stdout, as in Python),
         * {@link Redirect#PIPE} (captured by {@code run()}; readable through {@link Subprocess#stdout()}),
         * {@link Redirect#DISCARD}, or a file ({@link Redirect#to}, {@link Redirect#appendTo}). The command writes
         * to the file itself, except to a named pipe (FIFO), whose open waits for a reader: the command then
         * writes to a pipe that a thread of ours copies into the FIFO once a reader has opened it, so that
         * {@code start()} returns and a timeout of {@code run()} ends it even if no reader comes. {@code run()},
         * {@code communicate} and {@code waitFor} return once the output is in the FIFO (or at their timeout), as
         * the command could not have exited before with the FIFO itself; the command gets EPIPE (SIGPIPE) if the
         * FIFO's reader goes away, as with the FIFO itself; {@link Subprocess#close()} ends that thread. Unlike
         * the FIFO itself, and as captured output: what a child the command left running (a shell's
         * {@code cmd &}) writes after the command exited is not copied.
         */
        Builder stdout(Redirect redirect);

        /**
         * Where stderr goes; as {@link #stdout(Redirect)}, a named pipe (FIFO) included. With
         * {@link #stderrToStdout()}, or the same file as stdout, stderr goes with stdout.
         */
        Builder stderr(Redirect redirect);

        /**
         * Captures stdout and stderr: both become pipes. Python's {@code capture_output=True}. With
         * {@link #stderrToStdout()} (before or after), captures stdout with stderr merged into it, in the
         * order the command wrote them: Python's {@code stdout=PIPE, stderr=STDOUT}.
         */
        Builder captureOutput();

        /**
         * Sends stderr to wherever stdout goes. Python's {@code stderr=STDOUT}. May be combined with
         * {@link #captureOutput()}, which then captures the merged output.
         */
        Builder stderrToStdout();

        /**
         * How long {@link #run()} may take. When it elapses, the command's whole process tree is killed and
         * {@code run()} throws {@link TimeoutExpiredException} with the output captured so far.
         * Applies to {@code run()} only: a started process takes timeouts on its own waits.
         *
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        Builder timeout(Duration timeout);

        /**
         * On timeout, first ask the process tree to stop (SIGTERM, with SIGCONT for its stopped processes) and
         * allow it {@code grace} to exit before killing it (SIGKILL). Default zero: SIGKILL at once, as Python's
         * {@code run}.
         *
         * @throws IllegalArgumentException if {@code grace} is negative
         */
        Builder gracePeriod(Duration grace);

        /**
         * Makes {@link #run()} throw {@link CalledProcessException} if the command exits with a non-zero
         * status. Python's {@code check=True}.
         */
        Builder check();

        /** The command's working directory; default this JVM's. */
        Builder cwd(Path directory);

        /**
         * Sets an environment variable for the command; may be called once per key. Setting {@code PATH}
         * also changes where a bare command name is looked up, as Python's {@code env=} does: the first
         * executable file of that name on it (a relative entry is relative to the {@link #cwd}), which then
         * runs with its absolute path as {@code argv[0]}; not found there, {@code run()} and {@code start()}
         * throw {@link java.nio.file.NoSuchFileException} naming it and that {@code PATH}.
         *
         * @throws IllegalArgumentException if {@code key} is empty or has a {@code =} or NUL, or {@code value}
         *                                  has a NUL (Python's {@code ValueError})
         */
        Builder env(String key, String value);

        /**
         * Sets every entry of {@code variables} as by {@link #env(String, String)}; if one cannot be set, throws
         * as that does and sets none.
         */
        Builder env(Map<String, String> variables);

        /**
         * Starts the command with no environment variables but those given to {@link #env}; without this,
         * it inherits this JVM's environment plus those. Python's {@code env={...}}. Without a {@code PATH}
         * among them, a bare command name is looked up on {@code /bin:/usr/bin}, Python's {@code os.defpath}.
         */
        Builder clearEnv();

        /**
         * The charset of text input and output; default UTF-8. One that only decodes ({@code x-JISAutoDetect})
         * serves output only: text input is then refused with an {@link IllegalArgumentException}.
         */
        Builder charset(Charset charset);

        /**
         * Runs the command to completion: Python's {@code subprocess.run}. Writes the input, captures the
         * output pipes, waits for the command to exit. Returns its {@link CompletedProcess}, or:
         * <ul>
         *   <li>throws {@link TimeoutExpiredException} once the {@linkplain #timeout timeout} has elapsed,
         *       after killing the whole process tree;</li>
         *   <li>throws {@link CalledProcessException} with {@link #check()} if the status is not 0;</li>
         *   <li>throws {@link InterruptedException} if interrupted while waiting, after killing the
         *       process tree (the interrupt status is cleared).</li>
         * </ul>
         * Without a timeout it waits as long as the command runs and keeps its output pipes open.
         *
         * @throws java.nio.file.NoSuchFileException if the executable, the working directory, or the
         *                                            interpreter named on a script's {@code #!} line does not
         *                                            exist; the message names it
         * @throws java.nio.file.AccessDeniedException if the executable is not executable
         * @throws IOException if the operating system refused to start the command, or reading its output
         *                     failed before the end (the output would be incomplete)
         * @throws InterruptedException if interrupted while waiting, after killing the process tree (the
         *                              interrupt status is cleared)
         */
        CompletedProcess run() throws IOException, InterruptedException;

        /**
         * Starts the command and returns at once: Python's {@code Popen}. If {@link #input} was given, a
         * thread of ours writes it to stdin and closes it.
         *
         * <p>As with {@code Popen} and the JDK's {@link Process}, the command is not ended when this JVM
         * ends, however it ends: {@link Subprocess#close() close()} or {@link Subprocess#killTree killTree} it
         * first if it must not outlive the application. (One that the task of a pool worker or of a child JVM
         * starts ends with that JVM when it finds its parent gone.)
         *
         * @throws IllegalStateException if {@link #timeout}, {@link #gracePeriod} or {@link #check()} was
         *                               set: they apply to {@code run()}; pass timeouts to the handle's
         *                               waits and the grace to {@link Subprocess#killTree} instead
         * @throws IOException as {@link #run()}
         */
        Subprocess start() throws IOException;
    }
}

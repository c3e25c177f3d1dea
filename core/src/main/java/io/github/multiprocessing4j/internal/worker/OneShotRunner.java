package io.github.multiprocessing4j.internal.worker;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.internal.codec.StandardCodec;
import io.github.multiprocessing4j.internal.codec.ThrowableCodec;
import io.github.multiprocessing4j.internal.launch.BootRecord;
import io.github.multiprocessing4j.internal.session.ThisProcess;
import io.github.multiprocessing4j.internal.wire.Connection;
import io.github.multiprocessing4j.internal.wire.Frame;
import io.github.multiprocessing4j.internal.wire.FrameType;
import java.io.IOException;

/**
 * Runs the one task of a {@code JvmProcess} on the child's main thread and reports the outcome. A task
 * that throws has its stack trace printed on stderr, introduced by the process's name and pid, much as
 * Python prints {@code Process Process-1:} and a traceback (on the process's own stderr if the task left
 * {@code System.err} unusable). The interrupt status a task leaves set is cleared before the report is sent.
 */
final class OneShotRunner {
    private OneShotRunner() {
    }

    /** Runs the task of a RUN frame from the parent, and reports on the connection. @return true if the task succeeded */
    static boolean run(Connection connection, Frame frame, ParentWatch watch) throws IOException {
        long received = System.nanoTime();
        OneShotProtocol.Run run = OneShotProtocol.Run.decode(frame.payload());
        ThisProcess.name(run.name());
        watch.watchConnection(connection);
        OneShotProtocol.Done done = execute(run, Codec.standard(), received, watch);
        connection.send(FrameType.DONE, 0, done.encode());
        // The watch thread stays in its read, which the parent's close of the connection ends: the JVM does not
        // wait for it at exit (JavaCommand gives every child -XX:UserThreadWaitAttemptsAtExit=0). Waking it now,
        // with a shutdownInput(), would cost the exit 2-3 ms on a cold JVM.
        return done.failure() == null;
    }

    /**
     * Runs the task that came in the boot record of a child started directly, and reports in a file; see
     * {@link DirectStart}. @return true if the task succeeded
     */
    static boolean runDirect(BootRecord boot, long main, long started, ParentWatch watch) throws IOException {
        long received = System.nanoTime();
        OneShotProtocol.Run run = OneShotProtocol.Run.decode(boot.run());
        ThisProcess.name(run.name());
        watch.pollInBackground(DirectStart.stopFile(boot.sessionDirectory(), boot.token()));
        // Told by the parent that no JVM-wide filter can be set here, the decode does not look for one (see BootRecord)
        Codec codec = boot.noJvmWideFilter() ? StandardCodec.withoutJvmWideFilter() : Codec.standard();
        OneShotProtocol.Done done = execute(run, codec, received, watch);
        try {
            DirectStart.writeReport(boot.sessionDirectory(), boot.key(), boot.token(), new DirectStart.Report(main, started, done));
        } catch (IOException e) {
            // The session directory was removed (a cleaner of temporary files), or its file system is full: the exit
            // code still tells the task's outcome, as a child whose parent cannot read its report is told by it.
            ChildStderr.print("multiprocessing4j child: could not write the report of its task (" + e
                    + "); its parent learns its outcome from the exit code only" + System.lineSeparator());
        }
        return done.failure() == null;
    }

    /** Decodes and runs the task on this thread, printing a failure as the JVM would; then tells the watch. */
    private static OneShotProtocol.Done execute(OneShotProtocol.Run run, Codec codec, long received, ParentWatch watch) {
        Throwable failure = null;
        long decoded = 0;
        try {
            Runnable task = (Runnable) codec.decode(run.task());
            decoded = System.nanoTime();
            task.run();
        } catch (Throwable t) {
            failure = t;
            printFailure(run.name(), t);
        }
        // A task may return with its thread interrupted (it restored an interrupt it caught, say): that status
        // would close the connection under the report, as an interrupted thread's write closes a channel (and the
        // report file's channel alike).
        Thread.interrupted();
        long finished = System.nanoTime();
        watch.finished();
        return new OneShotProtocol.Done(received, decoded, finished, failure);
    }

    /** Prints the failure as the JVM prints an uncaught exception, introduced by the process's name and pid. */
    private static void printFailure(String name, Throwable t) {
        ChildStderr.print("Exception in process \"" + name + "\" (pid " + ProcessHandle.current().pid() + "):"
                + System.lineSeparator() + ThrowableCodec.stackTraceOf(t)); // t.printStackTrace(), but safe from a broken t
    }
}

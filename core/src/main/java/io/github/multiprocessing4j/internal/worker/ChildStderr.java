package io.github.multiprocessing4j.internal.worker;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;

/**
 * What a child says on stderr about itself (a task's failure, a broken parent): on {@code System.err}, or, if the
 * task left that unusable (null, or a stream whose write throws: a logging bridge shut down, say), on the
 * process's own stderr, file descriptor 2. A print that threw would lose what follows it: the report, the exit.
 *
 * <pre>{@code
 * ChildStderr.print("multiprocessing4j child: ..." + System.lineSeparator());
 * }</pre>
 */
final class ChildStderr {
    private ChildStderr() {
    }

    static void print(String text) {
        try {
            System.err.print(text);
            System.err.flush();
        } catch (Throwable broken) {
            try {
                PrintStream stderr = new PrintStream(new FileOutputStream(FileDescriptor.err), false);
                stderr.print(text);
                stderr.flush();
            } catch (Throwable ignored) {
                // what follows goes on all the same
            }
        }
    }
}

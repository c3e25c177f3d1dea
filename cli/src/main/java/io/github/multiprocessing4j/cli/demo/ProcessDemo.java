package io.github.multiprocessing4j.cli.demo;

import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.process.JvmProcess;
import java.io.PrintStream;

/**
 * The seed's first example, in Java:
 *
 * <pre>{@code
 * def run_proc(name):
 *     print('Run child process %s (%s)...' % (name, os.getpid()))
 *
 * print('Parent process %s.' % os.getpid())
 * p = Process(target=run_proc, args=('test',))
 * print('Child process will start.')
 * p.start()
 * p.join()
 * print('Child process end.')
 * }</pre>
 */
public final class ProcessDemo implements Demo {

    @Override
    public String name() {
        return "process";
    }

    @Override
    public String summary() {
        return "run a function in a child JVM and wait for it (multiprocessing.Process)";
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the child fails (its task throws, or it dies): the demo then fails, and
     *                               {@code mp4j demo} exits non-zero, where CPython's original would go on
     */
    @Override
    public void run(PrintStream out) throws Exception {
        String name = "test";
        run(out, () -> runProc(name));
    }

    /** The demo with {@code task} as the child's function. */
    static void run(PrintStream out, SerializableRunnable task) throws InterruptedException {
        out.println("Parent process " + ProcessHandle.current().pid() + ".");
        out.println("Child process will start.");
        try (JvmProcess child = JvmProcess.start("run_proc", task)) {
            child.join();
            int exit = child.exitCode().orElseThrow();
            if (exit != 0) {
                throw new IllegalStateException("the child process (pid " + child.pid() + ") failed with exit code "
                        + exit + child.failure().map(f -> ": " + f).orElse(" without reporting an exception")
                        + "; its stderr is above", child.failure().orElse(null));
            }
        }
        out.println("Child process end.");
    }

    /** Runs in the child JVM: its System.out is copied to the parent's. */
    static void runProc(String name) {
        System.out.println("Run child process " + name + " (" + ProcessHandle.current().pid() + ")...");
    }
}

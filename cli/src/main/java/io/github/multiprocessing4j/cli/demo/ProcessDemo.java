package io.github.multiprocessing4j.cli.demo;

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

    @Override
    public void run(PrintStream out) throws Exception {
        out.println("Parent process " + ProcessHandle.current().pid() + ".");
        String name = "test";
        out.println("Child process will start.");
        try (JvmProcess child = JvmProcess.start("run_proc", () -> runProc(name))) {
            child.join();
        }
        out.println("Child process end.");
    }

    /** Runs in the child JVM: its System.out is copied to the parent's. */
    static void runProc(String name) {
        System.out.println("Run child process " + name + " (" + ProcessHandle.current().pid() + ")...");
    }
}

package io.github.multiprocessing4j.cli.demo;

import java.io.PrintStream;

/** Placeholder until the demo is written (issue "Subprocesses and coroutines"). */
public final class SubprocessDemo implements Demo {

    @Override
    public String name() {
        return "subprocess";
    }

    @Override
    public String summary() {
        return "capture output, pipe data through a child, kill a process tree on timeout (subprocess)";
    }

    @Override
    public void run(PrintStream out) {
        out.println("(the subprocess demo is not written yet)");
    }
}

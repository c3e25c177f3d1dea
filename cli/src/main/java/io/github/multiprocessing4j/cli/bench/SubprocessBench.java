package io.github.multiprocessing4j.cli.bench;

import java.io.PrintStream;

/** Placeholder until the benchmark is written (issue "Subprocesses and coroutines"). */
public final class SubprocessBench implements Bench {

    @Override
    public String name() {
        return "subprocess";
    }

    @Override
    public String summary() {
        return "run(\"true\") latency and 100 MB through cat vs CPython subprocess";
    }

    @Override
    public Report run(int trials, PrintStream log) {
        return new Report(name(), "subprocess (not written yet)").note("not written yet");
    }
}

package io.github.multiprocessing4j.cli.bench;

import java.io.PrintStream;

/** Placeholder until the benchmark is written (issue "Subprocesses and coroutines"). */
public final class CoroutinesBench implements Bench {

    @Override
    public String name() {
        return "coroutines";
    }

    @Override
    public String summary() {
        return "100k and 1M sleeping coroutines gathered vs asyncio";
    }

    @Override
    public Report run(int trials, PrintStream log) {
        return new Report(name(), "coroutines (not written yet)").note("not written yet");
    }
}

package io.github.multiprocessing4j.cli.demo;

import java.io.PrintStream;

/** Placeholder until the demo is written (issue "Subprocesses and coroutines"). */
public final class CoroutinesDemo implements Demo {

    @Override
    public String name() {
        return "coroutines";
    }

    @Override
    public String summary() {
        return "crawl 10,000 local pages with 200 in flight on coroutines, beside 8 platform threads (asyncio)";
    }

    @Override
    public void run(PrintStream out) {
        out.println("(the coroutines demo is not written yet)");
    }
}

package io.github.multiprocessing4j.cli.demo;

import java.io.PrintStream;

/**
 * One topic of {@code mp4j demo}: a small program that shows a part of the library working, the way the
 * Python examples it mirrors do.
 */
public interface Demo {
    /** The topic name on the command line, e.g. {@code process}. */
    String name();

    /** One line for {@code mp4j demo --help}. */
    String summary();

    /** Runs the demo, printing to {@code out}. */
    void run(PrintStream out) throws Exception;
}

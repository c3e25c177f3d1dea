package io.github.multiprocessing4j.cli.bench;

import java.io.PrintStream;

/**
 * One topic of {@code mp4j bench}: measures a part of the library and CPython's equivalent in the same
 * run, and reports medians and ratios.
 */
public interface Bench {
    String name();

    String summary();

    /**
     * @param trials how many trials per measurement (the median is reported); 0 means the topic's default
     * @param log    where to print progress
     */
    Report run(int trials, PrintStream log) throws Exception;
}

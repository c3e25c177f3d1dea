package io.github.multiprocessing4j.cli.demo;

import java.util.List;

/** Every demo, in the order {@code mp4j demo} runs them. */
public final class Demos {
    private static final List<Demo> ALL = List.of(
            new ProcessDemo(),
            new PoolDemo(),
            new ThreadsDemo(),
            new SubprocessDemo(),
            new CoroutinesDemo(),
            new CpuVsIoDemo());

    private Demos() {
    }

    public static List<Demo> all() {
        return ALL;
    }
}

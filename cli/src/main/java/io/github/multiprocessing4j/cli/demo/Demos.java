package io.github.multiprocessing4j.cli.demo;

import java.util.List;
import java.util.Optional;

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

    public static Optional<Demo> named(String name) {
        return ALL.stream().filter(d -> d.name().equals(name)).findFirst();
    }
}

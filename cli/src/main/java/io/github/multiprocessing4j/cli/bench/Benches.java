package io.github.multiprocessing4j.cli.bench;

import java.util.List;
import java.util.Optional;

/** Every benchmark topic, in the order {@code mp4j bench} runs them. */
public final class Benches {
    private static final List<Bench> ALL = List.of(
            new ProcessBench(),
            new PoolBench(),
            new SubprocessBench(),
            new CoroutinesBench());

    private Benches() {
    }

    public static List<Bench> all() {
        return ALL;
    }

    public static Optional<Bench> named(String name) {
        return ALL.stream().filter(b -> b.name().equals(name)).findFirst();
    }
}

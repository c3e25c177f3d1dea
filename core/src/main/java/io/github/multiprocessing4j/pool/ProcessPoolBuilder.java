package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.internal.launch.LaunchSpec;
import io.github.multiprocessing4j.internal.pool.ProcessEngine;
import io.github.multiprocessing4j.internal.pool.WorkerConfig;
import io.github.multiprocessing4j.process.ProcessStartException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/** The {@link ProcessPool.Builder}: every setter may be called once. */
final class ProcessPoolBuilder implements ProcessPool.Builder {
    private Integer processes;
    private SerializableRunnable initializer;
    private Integer maxTasksPerChild;
    private Long maxMemoryPerChild;
    private Duration taskTimeout;
    private Integer retries;
    private List<String> jvmOptions;
    private String name;

    @Override
    public ProcessPool.Builder processes(int processes) {
        requireUnset(this.processes, "processes");
        if (processes < 1) {
            throw new IllegalArgumentException("processes < 1: " + processes);
        }
        this.processes = processes;
        return this;
    }

    @Override
    public ProcessPool.Builder initializer(SerializableRunnable initializer) {
        requireUnset(this.initializer, "initializer");
        this.initializer = Objects.requireNonNull(initializer, "initializer");
        return this;
    }

    @Override
    public ProcessPool.Builder maxTasksPerChild(int tasks) {
        requireUnset(this.maxTasksPerChild, "maxTasksPerChild");
        if (tasks < 1) {
            throw new IllegalArgumentException("maxTasksPerChild < 1: " + tasks);
        }
        this.maxTasksPerChild = tasks;
        return this;
    }

    @Override
    public ProcessPool.Builder maxMemoryPerChild(long bytes) {
        requireUnset(this.maxMemoryPerChild, "maxMemoryPerChild");
        if (bytes < 1) {
            throw new IllegalArgumentException("maxMemoryPerChild < 1: " + bytes);
        }
        this.maxMemoryPerChild = bytes;
        return this;
    }

    @Override
    public ProcessPool.Builder taskTimeout(Duration timeout) {
        requireUnset(this.taskTimeout, "taskTimeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("taskTimeout <= 0: " + timeout);
        }
        this.taskTimeout = timeout;
        return this;
    }

    @Override
    public ProcessPool.Builder retries(int retries) {
        requireUnset(this.retries, "retries");
        if (retries < 0) {
            throw new IllegalArgumentException("retries < 0: " + retries);
        }
        this.retries = retries;
        return this;
    }

    @Override
    public ProcessPool.Builder jvmOptions(List<String> options) {
        requireUnset(this.jvmOptions, "jvmOptions");
        this.jvmOptions = List.copyOf(options);
        return this;
    }

    @Override
    public ProcessPool.Builder name(String prefix) {
        requireUnset(this.name, "name");
        this.name = Objects.requireNonNull(prefix, "prefix");
        return this;
    }

    @Override
    public ProcessPool build() {
        List<String> options = new ArrayList<>();
        options.add("-XX:+ExitOnOutOfMemoryError");
        if (jvmOptions != null) {
            options.addAll(jvmOptions);
        }
        Map<String, String> none = Map.of();
        WorkerConfig config = new WorkerConfig(
                processes != null ? processes : Runtime.getRuntime().availableProcessors(),
                initializer == null ? new byte[0] : Codec.standard().encode(initializer),
                maxTasksPerChild == null ? 0 : maxTasksPerChild,
                maxMemoryPerChild == null ? 0 : maxMemoryPerChild,
                taskTimeout,
                retries == null ? 0 : retries,
                new LaunchSpec(options, new LinkedHashMap<>(), none),
                name == null ? "PoolWorker" : name);
        try {
            return new ProcessPoolImpl(ProcessEngine.start(config));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessStartException("interrupted while starting the pool's workers", -1, OptionalInt.empty(), "");
        }
    }

    private static void requireUnset(Object current, String what) {
        if (current != null) {
            throw new IllegalStateException(what + " was already set to " + current);
        }
    }
}

package io.github.multiprocessing4j.pool;

import static io.github.multiprocessing4j.internal.builder.BuilderChecks.atLeast;
import static io.github.multiprocessing4j.internal.builder.BuilderChecks.copyWithoutNulls;
import static io.github.multiprocessing4j.internal.builder.BuilderChecks.notBlank;
import static io.github.multiprocessing4j.internal.builder.BuilderChecks.positive;
import static io.github.multiprocessing4j.internal.builder.BuilderChecks.requireUnset;

import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.internal.codec.StandardCodec;
import io.github.multiprocessing4j.internal.launch.ChildClassPath;
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
    private Integer prefetch;
    private List<String> jvmOptions;
    private String name;

    @Override
    public ProcessPool.Builder processes(int processes) {
        requireUnset(this.processes, "processes");
        this.processes = atLeast(processes, 1, "processes");
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
        this.maxTasksPerChild = atLeast(tasks, 1, "maxTasksPerChild");
        return this;
    }

    @Override
    public ProcessPool.Builder maxMemoryPerChild(long bytes) {
        requireUnset(this.maxMemoryPerChild, "maxMemoryPerChild");
        this.maxMemoryPerChild = atLeast(bytes, 1, "maxMemoryPerChild");
        return this;
    }

    @Override
    public ProcessPool.Builder taskTimeout(Duration timeout) {
        requireUnset(this.taskTimeout, "taskTimeout");
        this.taskTimeout = positive(timeout, "taskTimeout");
        return this;
    }

    @Override
    public ProcessPool.Builder retries(int retries) {
        requireUnset(this.retries, "retries");
        this.retries = atLeast(retries, 0, "retries");
        return this;
    }

    @Override
    public ProcessPool.Builder prefetch(int tasks) {
        requireUnset(this.prefetch, "prefetch");
        this.prefetch = atLeast(tasks, 0, "prefetch");
        return this;
    }

    @Override
    public ProcessPool.Builder jvmOptions(List<String> options) {
        requireUnset(this.jvmOptions, "jvmOptions");
        this.jvmOptions = copyWithoutNulls(options, "jvmOptions");
        return this;
    }

    @Override
    public ProcessPool.Builder name(String prefix) {
        requireUnset(this.name, "name");
        this.name = notBlank(prefix, "name", "give the workers a name prefix, or set none for the default \"PoolWorker\"");
        return this;
    }

    @Override
    public ProcessPool build() {
        ChildClassPath.requireLibrary();
        List<String> options = new ArrayList<>();
        options.add("-XX:+ExitOnOutOfMemoryError");
        if (jvmOptions != null) {
            options.addAll(jvmOptions);
        }
        Map<String, String> none = Map.of();
        LaunchSpec spec = new LaunchSpec(options, new LinkedHashMap<>(), none);
        WorkerConfig config = new WorkerConfig(
                processes != null ? processes : Runtime.getRuntime().availableProcessors(),
                initializer == null ? new byte[0] : StandardCodec.toChild(spec).encode(initializer),
                maxTasksPerChild == null ? 0 : maxTasksPerChild,
                maxMemoryPerChild == null ? 0 : maxMemoryPerChild,
                taskTimeout,
                retries == null ? 0 : retries,
                prefetch == null ? WorkerConfig.ADAPTIVE_PREFETCH : prefetch,
                spec,
                name == null ? WorkerConfig.DEFAULT_NAME : name);
        try {
            return new ProcessPoolImpl(ProcessEngine.start(config));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessStartException("interrupted while starting the pool's workers", -1, OptionalInt.empty(), "");
        }
    }
}

package io.github.multiprocessing4j.process;

import static io.github.multiprocessing4j.internal.builder.BuilderChecks.copyWithoutNulls;
import static io.github.multiprocessing4j.internal.builder.BuilderChecks.notBlank;
import static io.github.multiprocessing4j.internal.builder.BuilderChecks.requireUnset;

import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.internal.launch.LaunchSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/** The {@link JvmProcess.Builder}: every setter may be called once, as in Caffeine's builders. */
final class JvmProcessBuilder implements JvmProcess.Builder {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    /**
     * A one-shot child compiles later than HotSpot's default. Before its task, it runs boot, handshake and
     * decoding code a few times each, and with the usual thresholds its JIT threads spent ~90-120 ms of CPU
     * compiling it: a third of the child's CPU. Five times the thresholds cut a child's CPU by 15-25% and
     * back-to-back start->join by 10-15% on two cores (where a booting spare competes for the CPU), while a
     * one-second CPU-bound task measured the same as with the defaults (the same loops still reach C2 within
     * milliseconds). Pool workers live long and keep HotSpot's defaults.
     */
    static final String ONE_SHOT_JIT = "-XX:CompileThresholdScaling=5";

    private String name;
    private SerializableRunnable task;
    private List<String> jvmOptions;
    private final LinkedHashMap<String, String> systemProperties = new LinkedHashMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Boolean daemon;

    @Override
    public JvmProcess.Builder name(String name) {
        requireUnset(this.name, "name");
        this.name = notBlank(name, "name", "give the child a name, or set none for the default \"Process-N\"");
        return this;
    }

    @Override
    public JvmProcess.Builder task(SerializableRunnable task) {
        requireUnset(this.task, "task");
        this.task = Objects.requireNonNull(task, "task");
        return this;
    }

    @Override
    public JvmProcess.Builder jvmOptions(List<String> options) {
        requireUnset(this.jvmOptions, "jvmOptions");
        this.jvmOptions = copyWithoutNulls(options, "jvmOptions");
        return this;
    }

    @Override
    public JvmProcess.Builder systemProperty(String key, String value) {
        requireUnset(systemProperties.get(key), "systemProperty " + key);
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        // the child gets it as -Dkey=value: the first '=' ends the key, and a command line cannot hold a NUL
        if (key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a system property's key must be non-empty and hold no '=' or NUL,"
                    + " and its value no NUL: " + (key + "=" + value).replace("\0", "\\0"));
        }
        systemProperties.put(key, value);
        return this;
    }

    @Override
    public JvmProcess.Builder environment(String key, String value) {
        requireUnset(environment.get(key), "environment " + key);
        LaunchSpec.requireValidVariable(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        environment.put(key, value);
        return this;
    }

    @Override
    public JvmProcess.Builder daemon(boolean daemon) {
        requireUnset(this.daemon, "daemon");
        this.daemon = daemon;
        return this;
    }

    @Override
    public JvmProcess start() {
        if (task == null) {
            throw new IllegalStateException("no task: call task(...) before start()");
        }
        String n = name != null ? name : "Process-" + COUNTER.incrementAndGet();
        List<String> options = new ArrayList<>();
        options.add(ONE_SHOT_JIT);
        if (jvmOptions != null) {
            options.addAll(jvmOptions); // later options win, so the user's own JIT thresholds override ours
        }
        LaunchSpec spec = new LaunchSpec(options, systemProperties, environment);
        return JvmProcessImpl.start(n, task, spec, daemon != null && daemon);
    }
}

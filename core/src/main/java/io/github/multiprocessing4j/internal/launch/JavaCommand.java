package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.worker.AotTraining;
import java.io.File;
import java.lang.module.ResolvedModule;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the command line of a child JVM: the parent's {@code java}, the library's defaults, the
 * inherited flags, the user's options, the parent's class path and module path, and the worker main.
 *
 * <p>Defaults, each of which the user's own options override because they come later:
 * <ul>
 *   <li>{@code -Xlog:disable -Xlog:all=warning:stderr -XX:+DisplayVMOutputToStderr}: the JVM's own
 *       warnings and messages (about an AOT cache, or "Terminating due to java.lang.OutOfMemoryError") go to
 *       stderr, so the child's stdout carries only what the task prints, and crash reports quote them;</li>
 *   <li>{@code -XX:+UseSerialGC} unless the user picks a collector (in the options, or in
 *       {@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS} or {@code _JAVA_OPTIONS}): it boots faster, and
 *       a pool runs one JVM per core, where one GC thread each is what the machine can give;</li>
 *   <li>{@code -XX:UserThreadWaitAttemptsAtExit=0} (a product flag since JDK 22): at exit, HotSpot would
 *       otherwise wait up to 300 ms for every thread that sits in a native call — a daemon thread blocked in a
 *       read of a pipe or a socket, the child's own watch on its parent included — though such a thread cannot
 *       touch the JVM's data without first stopping at its state transition. A child exits as a Python child
 *       does, without waiting for them;</li>
 *   <li>{@code -XX:-UsePerfData}: no {@code hsperfdata} file to create at boot and to unmap and delete at exit
 *       (about 1.7 ms of every child's exit). So {@code jps} and {@code jstat} do not list children; {@code jcmd
 *       <pid>} still reaches them, and {@code -XX:+UsePerfData} in the options brings the file back;</li>
 *   <li>{@code -XX:TieredStopAtLevel} is left alone: workers may run long, CPU-heavy tasks and deserve
 *       the full JIT.</li>
 * </ul>
 */
final class JavaCommand {
    static final String WORKER_MAIN = "io.github.multiprocessing4j.internal.worker.WorkerMain";

    /**
     * The variables through which the {@code java} launcher and the JVM take options from the environment;
     * a collector picked there and ours on the command line would stop the child with "multiple garbage
     * collectors selected".
     */
    private static final List<String> OPTION_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

    private final JavaRuntime runtime;

    JavaCommand(JavaRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * This JVM's own settings of the library: its {@code mp4j.*} system properties (but not the tests'
     * {@code mp4j.test.*}), read now. Every child is given them; since they may be set at any time, a child
     * booted ahead of time (a spare) must be checked against the ones of the moment it is handed a task.
     */
    static Map<String, String> libraryProperties() {
        Map<String, String> properties = new TreeMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("mp4j.") && !name.startsWith("mp4j.test.")) {
                String value = System.getProperty(name);
                if (value != null) { // cleared meanwhile
                    properties.put(name, value);
                }
            }
        }
        return Collections.unmodifiableMap(properties);
    }

    /**
     * @param libraryProperties the {@link #libraryProperties()} to give the child
     * @param aotCache          an AOT cache to use, or null
     * @param aotOutput         where a training run writes its AOT cache, or null for a normal child
     */
    List<String> build(LaunchSpec spec, Map<String, String> libraryProperties, Path aotCache, Path aotOutput) {
        List<String> cmd = new ArrayList<>();
        cmd.add(runtime.java().toString());
        cmd.add("-Xlog:disable");
        // A cache of ours that the JDK refuses (damaged, or made for other options) costs the child its head
        // start, nothing else; its error lines are not the user's business. A user's own -Xlog:aot comes later
        // on the command line and wins.
        cmd.add(aotCache != null ? "-Xlog:all=warning,aot*=off:stderr" : "-Xlog:all=warning:stderr");
        cmd.add("-XX:+DisplayVMOutputToStderr");
        cmd.add("-XX:UserThreadWaitAttemptsAtExit=0");
        cmd.add("-XX:-UsePerfData");
        if (!choosesCollector(spec)) {
            cmd.add("-XX:+UseSerialGC");
        }
        if (aotCache != null) {
            cmd.add("-XX:AOTCache=" + aotCache);
        }
        if (aotOutput != null) {
            cmd.add("-XX:AOTCacheOutput=" + aotOutput);
            cmd.add("-D" + AotTraining.PROPERTY + "=true");
        }
        cmd.addAll(runtime.inheritedFlags());
        libraryProperties.forEach((name, value) -> cmd.add("-D" + name + "=" + value));
        for (Map.Entry<String, String> p : spec.systemProperties().entrySet()) {
            cmd.add("-D" + p.getKey() + "=" + p.getValue());
        }
        cmd.addAll(spec.jvmOptions());
        Module ours = JavaCommand.class.getModule();
        if (!runtime.classPath().isEmpty()) {
            cmd.add("-cp");
            cmd.add(runtime.classPath());
        }
        if (!runtime.modulePath().isEmpty()) {
            // Even when we run from the class path: an inherited --add-modules may name a module found there.
            cmd.add("--module-path");
            cmd.add(runtime.modulePath());
        }
        if (ours.isNamed()) {
            // The modules this JVM resolved, and no others: ALL-MODULE-PATH would also resolve every other module
            // on the path, and one that cannot be (it requires a module that is not there) would stop the child
            // at boot although this JVM runs. Without a module path we are linked into the runtime image (jlink),
            // and so is the application, whose module a child would not resolve by default (a module that exports
            // nothing is no default root).
            String roots = rootModules(ModuleLayer.boot(), runtime.modulePath());
            cmd.add("--add-modules");
            cmd.add(roots.isEmpty() ? "ALL-MODULE-PATH" : roots);
            cmd.add("-m");
            cmd.add(ours.getName() + "/" + WORKER_MAIN);
        } else {
            cmd.add(WORKER_MAIN);
        }
        return cmd;
    }

    /**
     * The modules of {@code layer} that a child must be told to resolve, comma-separated: those found on
     * {@code modulePath}, or, without a module path (a runtime image made with jlink), all of them.
     */
    static String rootModules(ModuleLayer layer, String modulePath) {
        List<Path> entries = new ArrayList<>();
        if (!modulePath.isEmpty()) {
            for (String entry : modulePath.split(File.pathSeparator)) {
                if (!entry.isEmpty()) {
                    entries.add(Path.of(entry).toAbsolutePath().normalize());
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (ResolvedModule module : layer.configuration().modules()) {
            if (entries.isEmpty() || module.reference().location().filter(l -> onPath(l, entries)).isPresent()) {
                names.add(module.name());
            }
        }
        Collections.sort(names);
        return String.join(",", names);
    }

    private static boolean onPath(URI location, List<Path> entries) {
        if (!"file".equals(location.getScheme())) {
            return false;
        }
        Path path = Path.of(location).toAbsolutePath().normalize();
        return entries.stream().anyMatch(path::startsWith);
    }

    /**
     * The values the child's {@code java} launcher will read from {@link #OPTION_VARIABLES} (the spec's
     * environment, else this JVM's), by name; unset ones are left out.
     */
    static Map<String, String> optionVariables(LaunchSpec spec) {
        Map<String, String> values = new TreeMap<>();
        for (String variable : OPTION_VARIABLES) {
            String value = spec.environment().getOrDefault(variable, System.getenv(variable));
            if (value != null) {
                values.put(variable, value);
            }
        }
        return values;
    }

    private static boolean choosesCollector(LaunchSpec spec) {
        for (String option : spec.jvmOptions()) {
            if (isCollector(option)) {
                return true;
            }
        }
        for (String value : optionVariables(spec).values()) {
            if (Arrays.stream(value.trim().split("\\s+")).anyMatch(JavaCommand::isCollector)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isCollector(String option) {
        return option.startsWith("-XX:+Use") && option.endsWith("GC");
    }

    /**
     * True if the user's options already pick an AOT or CDS archive, which ours must not fight: in the spec's
     * options, or in the variables the launcher reads them from (as for the collector), where they would stop a
     * training at boot ("Option AOTCacheOutput cannot be used at the same time with -Xshare:...").
     */
    static boolean userManagesArchive(LaunchSpec spec) {
        for (String option : spec.jvmOptions()) {
            if (picksArchive(option)) {
                return true;
            }
        }
        for (String value : optionVariables(spec).values()) {
            if (Arrays.stream(value.trim().split("\\s+")).anyMatch(JavaCommand::picksArchive)) {
                return true;
            }
        }
        return false;
    }

    private static boolean picksArchive(String option) {
        return option.startsWith("-XX:AOT") || option.startsWith("-XX:SharedArchiveFile") || option.startsWith("-Xshare");
    }
}

package io.github.multiprocessing4j.internal.launch;

import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether a child JVM can have a JVM-wide deserialization filter ({@code jdk.serialFilter}), judged by its parent
 * from the child's command line and environment.
 *
 * <p>A child's deserialization filter asks the JDK for the JVM-wide filter, which a fresh JVM finds only by
 * initializing {@link java.io.ObjectInputFilter.Config}: a system logger and the security properties, ~12-15 ms of a
 * cold child's start, more than it takes to decode its task otherwise. The JVM-wide filter comes from a system
 * property, from the security properties ({@code java.security} and the files {@code -Djava.security.properties}
 * adds), or from code that runs before the task: an agent, a system class loader. A child gets none of the parent's
 * system properties but the library's, runs the parent's {@code java} (and so reads the same {@code java.security}),
 * and runs no code of the user's before its task but through its options. So none of these can reach it when
 * <ul>
 *   <li>the parent's own security properties have no {@code jdk.serialFilter} or {@code jdk.serialFilterFactory}
 *       (whose filters judge a stream as a JVM-wide filter does), and the parent was not given
 *       {@code -Djava.security.properties} (which could have replaced the file's);</li>
 *   <li>no option of the child, and none in the variables the {@code java} launcher reads options from, names the
 *       filter, the security properties, an agent (-Xrun too), a system class loader, a file of options, a patch of
 *       a JDK module (the child inherits this JVM's {@code --patch-module}), or a class of the user's
 *       that the JDK makes on its first use of a part of it (the default file system's provider, which a child
 *       makes to read its boot record, say).</li>
 * </ul>
 * The test is by words, and so errs on the side of "may have one": an option that merely mentions an agent counts.
 * Then the child looks for the filter as usual.
 */
final class JvmWideFilterSources {
    /** Words of an option that may give a child a JVM-wide filter, or run code before its task that may set one. */
    private static final List<String> SOURCES = List.of("serialFilter", "java.security.properties", "java.security.manager", "agent",
            "java.system.class.loader", "@", "OptionsFile", "-XX:Flags",
            // a native agent by its old name (-Xrunjdwp), and JDK classes replaced by the user's
            "-Xrun", "patch-module",
            // system properties that name a class of the user's for the JDK to make when a part of it is first used:
            // java.nio.file.spi.DefaultFileSystemProvider (a child's first path is before its task), the providers of
            // channels and selectors and of time-zone rules, the configuration and manager of java.util.logging, the
            // thread factory and handler of the common ForkJoinPool
            "Provider", ".spi.", "java.util.logging.config", "java.util.logging.manager",
            "ForkJoinPool.common.threadFactory", "ForkJoinPool.common.exceptionHandler");

    private JvmWideFilterSources() {
    }

    /** True if nothing can give a child launched with {@code spec} a JVM-wide deserialization filter. */
    static boolean noneReach(LaunchSpec spec) {
        if (System.getProperty("java.security.properties") != null || Security.getProperty("jdk.serialFilter") != null
                || Security.getProperty("jdk.serialFilterFactory") != null) {
            return false;
        }
        List<String> options = new ArrayList<>(spec.jvmOptions());
        options.addAll(JavaRuntime.current().inheritedFlags()); // this JVM's --patch-module, say
        for (Map.Entry<String, String> property : spec.systemProperties().entrySet()) {
            options.add("-D" + property.getKey() + "=" + property.getValue());
        }
        options.addAll(JavaCommand.optionVariables(spec).values());
        return options.stream().noneMatch(option -> SOURCES.stream().anyMatch(option::contains));
    }
}

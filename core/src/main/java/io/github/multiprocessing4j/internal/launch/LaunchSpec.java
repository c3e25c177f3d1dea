package io.github.multiprocessing4j.internal.launch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * What a user may choose about a child JVM before it boots. Two launches with equal specs can share a
 * warm spare.
 *
 * @param jvmOptions       extra options for the {@code java} command, e.g. {@code -Xmx256m}
 * @param systemProperties {@code -D} properties, in order
 * @param environment      variables added to (or overriding) the inherited environment
 */
public record LaunchSpec(List<String> jvmOptions, SequencedMap<String, String> systemProperties,
                         Map<String, String> environment) {

    public static final LaunchSpec DEFAULT = new LaunchSpec(List.of(), new LinkedHashMap<>(), Map.of());

    public LaunchSpec {
        jvmOptions = List.copyOf(jvmOptions);
        systemProperties = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(systemProperties));
        environment = Map.copyOf(environment);
        environment.forEach(LaunchSpec::requireValidVariable);
        for (String option : jvmOptions) {
            if (option.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("a JVM option cannot hold a NUL: " + option.replace("\0", "\\0"));
            }
            // the launcher also takes a long option and its value as one argument: --module=app/app.Main
            String name = option.startsWith("--") && option.indexOf('=') > 0 ? option.substring(0, option.indexOf('=')) : option;
            if (name.equals("-jar") || name.equals("-cp") || name.equals("-classpath")
                    || name.equals("--class-path") || name.equals("-m") || name.equals("--module")) {
                throw new IllegalArgumentException("jvmOptions may not set the class path or main class ("
                        + option + "): children always run with the parent's class path and module path");
            }
        }
    }

    /**
     * Throws {@link IllegalArgumentException} unless {@code name=value} can be an environment variable: a
     * name that is non-empty and holds no '=' or NUL, a value with no NUL. Checked before anything starts;
     * the JDK would refuse it only as the child is launched.
     */
    public static void requireValidVariable(String name, String value) {
        if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an environment variable's name must be non-empty and hold no '=' or"
                    + " NUL, and its value no NUL: " + (name + "=" + value).replace("\0", "\\0"));
        }
    }

    /**
     * Whether this spec gives the child system property {@code name} itself, through {@link #systemProperties}
     * or a {@code -D} in {@link #jvmOptions}: that setting then wins over the one this JVM hands down.
     */
    public boolean setsSystemProperty(String name) {
        if (systemProperties.containsKey(name)) {
            return true;
        }
        for (String option : jvmOptions) {
            if (option.equals("-D" + name) || option.startsWith("-D" + name + "=")) {
                return true;
            }
        }
        return false;
    }
}

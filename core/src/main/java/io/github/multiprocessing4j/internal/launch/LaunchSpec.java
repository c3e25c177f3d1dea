package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.config.Settings;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.Set;

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

    /**
     * The launcher's options that take the next argument as their value ({@code --add-opens m/p=ALL-UNNAMED}); the
     * class path and main class options, which are refused anyway, aside.
     */
    private static final Set<String> TAKES_NEXT_ARGUMENT = Set.of("--add-modules", "--add-opens", "--add-exports",
            "--add-reads", "--patch-module", "--limit-modules", "--enable-native-access", "--module-path", "-p",
            "--upgrade-module-path", "--describe-module", "-d", "--source");

    /**
     * The options with which the launcher (or the JVM) does something else than run the main class: it prints its
     * version or usage, lists or checks modules, dumps a CDS archive, or runs a source file, and exits. A child given
     * one never runs its task, and its start failed only as "exited with exit code 0", often with nothing on stderr.
     * ({@code -showversion}, {@code -XshowSettings} and {@code -XX:+PrintFlagsFinal} print and go on: they are no such
     * option; {@code -XX:+PrintFlagsInitial}, {@code -XX:+PrintSharedArchiveAndExit} and {@code -XX:AOTMode=create}, the
     * JVM's own, end it with code 0 as {@code -version} does, and so does {@code -XX:+JVMCIPrintProperties} where JVMCI is
     * enabled.)
     */
    private static final Set<String> ENDS_LAUNCHER = Set.of("-version", "--version", "-fullversion", "--full-version",
            "-Xinternalversion", "-help", "--help", "-h", "-?", "-X", "--help-extra", "--dry-run", "--list-modules",
            "--describe-module", "-d", "--validate-modules", "-Xshare:dump", "--source", "-XX:+PrintFlagsInitial",
            "-XX:+PrintSharedArchiveAndExit", "-XX:AOTMode=create", "-XX:+JVMCIPrintProperties");

    private static final String CLASS_PATH_PROPERTY = "java.class.path";
    /** How the java launcher's arguments, an argument file's too, reach the JVM's strings. */
    private static final Charset ARGUMENT_FILES = Charset.forName(System.getProperty("sun.jnu.encoding", ""),
            Charset.defaultCharset());

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
        }
        systemProperties.forEach((key, value) -> requireValidSetting(key, value, "systemProperty"));
        checkOptions(jvmOptions, null, systemProperties);
        if (systemProperties.containsKey(CLASS_PATH_PROPERTY)) {
            throw new IllegalArgumentException("systemProperty " + CLASS_PATH_PROPERTY + " would not be the child's"
                    + " class path (the launcher sets it from our -cp, which comes later): children always run with"
                    + " the parent's class path and module path");
        }
    }

    /**
     * Throws {@link IllegalArgumentException} for options that cannot be a child's; see the builders' jvmOptions.
     *
     * @param argumentFile     the {@code @file} element that {@code options} were read from, or null for the spec's
     *                         own
     * @param systemProperties the spec's, which no {@code -D} of the options (nor of an argument file) may set again
     */
    private static void checkOptions(List<String> options, String argumentFile, Map<String, String> systemProperties) {
        String where = argumentFile == null ? "jvmOptions" : "jvmOptions (in " + argumentFile + ")";
        for (int i = 0; i < options.size(); i++) {
            String option = options.get(i);
            // the launcher also takes a long option and its value as one argument: --module=app/app.Main
            String name = option.startsWith("--") && option.indexOf('=') > 0 ? option.substring(0, option.indexOf('=')) : option;
            // -Djava.class.path= too: the launcher sets that property from our -cp, which comes later, and so the
            // child ran with the parent's class path, the option silently dropped
            if (name.equals("-jar") || name.equals("-cp") || name.equals("-classpath")
                    || name.equals("--class-path") || name.equals("-m") || name.equals("--module")
                    || name.equals("-D" + CLASS_PATH_PROPERTY) || name.startsWith("-D" + CLASS_PATH_PROPERTY + "=")) {
                throw new IllegalArgumentException(where + " may not set the class path or main class ("
                        + option + "): children always run with the parent's class path and module path");
            }
            if (option.startsWith("-D")) {
                // Both reach the command line, the options (an argument file's in its place) later: the
                // systemProperty was dropped without a word
                int end = option.indexOf('=');
                String key = option.substring(2, end < 0 ? option.length() : end);
                if (systemProperties.containsKey(key)) {
                    throw new IllegalArgumentException("systemProperty " + key + " is set twice: by systemProperty(\""
                            + key + "\", ...) and by " + where + " element " + option + ", which would win; set it"
                            + " once");
                }
                requireValidSetting(key, end < 0 ? "" : option.substring(end + 1), where + " element " + option);
            }
            if (ENDS_LAUNCHER.contains(name)) {
                throw new IllegalArgumentException(where + " may not hold " + option + ": with it the java launcher"
                        + " does not run the child's main class (it prints or checks something and exits), and the"
                        + " child would exit without running its task");
            }
            if (TAKES_NEXT_ARGUMENT.contains(option)) {
                if (i == options.size() - 1) {
                    throw new IllegalArgumentException(where + " end with " + option + ", which takes a value as the"
                            + " next element (or write " + option + "=value)");
                }
                i++; // its value, which need not look like an option: --add-opens java.base/java.lang=ALL-UNNAMED
            } else if (option.startsWith("@@")) {
                // The launcher's escape: it reads no file, and passes "@file" on, which it then takes for the main class
                throw new IllegalArgumentException(where + " element \"" + option + "\" is no option: the java launcher"
                        + " would pass it on as " + option.substring(1) + ", and take that for the child's main class."
                        + " Name an argument file with one @ (@jvm.options)");
            } else if (option.startsWith("@") && option.length() > 1 && argumentFile == null) {
                // The launcher puts the file's arguments in its place: a class name there became the child's main
                // class (the user's own main ran in the child, given our class path and worker main as arguments)
                readArgumentFile(option).ifPresent(arguments -> checkOptions(arguments, option, systemProperties));
            } else if (!option.startsWith("-")) { // an @file in an @file is no option either: the launcher reads one
                throw new IllegalArgumentException(where + " element \"" + option + "\" is no option: the java"
                        + " launcher would take it for the child's main class. Give one option per element, and a"
                        + " value in the same element as its option (-XX:MaxRAMPercentage=50)");
            }
        }
    }

    /**
     * Throws {@link IllegalArgumentException} if {@code key} is a setting of the library's that {@code value} is no
     * value of. The child would use its default without a word: a child leaves such warnings to its parent, which
     * hands down only its own settings (see {@link Settings}).
     */
    private static void requireValidSetting(String key, String value, String where) {
        Settings.problemWith(key, value).ifPresent(problem -> {
            throw new IllegalArgumentException(where + " gives the child " + problem + " (see the README's"
                    + " Configuration)");
        });
    }

    /**
     * The arguments in the file that {@code element} ({@code @file}) names, or empty if it cannot be read: the
     * launcher then fails the child's start with "could not open", which names it.
     */
    private static Optional<List<String>> readArgumentFile(String element) {
        try {
            // Decoded as the launcher hands the child its arguments (the platform's encoding, sun.jnu.encoding), not a
            // byte per char: an mp4j.* value is checked as the child's Settings will read it, and "３０", which
            // Long.parseLong takes, came out as other characters and was refused. The options' names are ASCII.
            Path file = Path.of(element.substring(1));
            if (!Files.isRegularFile(file)) {
                return Optional.empty(); // a FIFO would block the read (the launcher reads it, once)
            }
            byte[] bytes = Files.readAllBytes(file);
            return Optional.of(ArgumentFiles.parse(new String(bytes, ARGUMENT_FILES)));
        } catch (IOException | InvalidPathException e) {
            return Optional.empty();
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

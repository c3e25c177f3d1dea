package io.github.multiprocessing4j.internal.launch;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * What a child JVM inherits from this one: the {@code java} binary, the class path, the module path and
 * the module-system flags this JVM was started with (with those that the manifest of a jar run with
 * {@code -jar} stands for). Computed once.
 */
record JavaRuntime(Path java, String classPath, String modulePath, List<String> inheritedFlags, int feature) {

    /** Flags that change which code can run or how it links; a child needs them to run the same code. */
    private static final Set<String> INHERITED = Set.of(
            "--add-opens", "--add-exports", "--add-reads", "--add-modules", "--limit-modules", "--patch-module",
            "--enable-native-access", "--illegal-native-access", "--sun-misc-unsafe-memory-access");
    private static final Set<String> INHERITED_SWITCHES = Set.of("--enable-preview");

    private static final JavaRuntime CURRENT = detect();

    static JavaRuntime current() {
        return CURRENT;
    }

    private static JavaRuntime detect() {
        Path java = Path.of(System.getProperty("java.home"), "bin", isWindows() ? "java.exe" : "java");
        if (!Files.isExecutable(java)) {
            java = ProcessHandle.current().info().command().map(Path::of).orElse(java);
        }
        return new JavaRuntime(java, System.getProperty("java.class.path", ""),
                System.getProperty("jdk.module.path", ""), parseInheritedFlags(), Runtime.version().feature());
    }

    private static List<String> parseInheritedFlags() {
        String[] args = ProcessHandle.current().info().arguments().orElse(new String[0]);
        return inheritedFlags(List.of(args), Path.of(System.getProperty("user.dir")));
    }

    /**
     * The flags among a {@code java} command's arguments (those before the main class) that a child needs.
     * {@code @argfiles} are expanded as the launcher does (build tools pass options that way), relative
     * to {@code workingDirectory}.
     */
    static List<String> inheritedFlags(List<String> args, Path workingDirectory) {
        Deque<Arg> rest = new ArrayDeque<>();
        args.forEach(a -> rest.addLast(new Arg(a, false)));
        boolean expandFiles = true;
        List<String> flags = new ArrayList<>();
        while (!rest.isEmpty()) {
            Arg next = rest.removeFirst();
            String arg = next.text();
            if (expandFiles && !next.fromFile() && arg.startsWith("@") && arg.length() > 1) {
                // the launcher expands a file's own "@..." arguments no further
                List<String> expanded = ArgumentFiles.read(workingDirectory.resolve(arg.substring(1)));
                for (int i = expanded.size() - 1; i >= 0; i--) {
                    rest.addFirst(new Arg(expanded.get(i), true));
                }
                continue;
            }
            if (arg.equals("--disable-@files")) {
                expandFiles = false;
                continue;
            }
            if (arg.equals("-jar")) {
                // The launcher applies the main jar's own Add-Opens, Add-Exports and Enable-Native-Access; a child
                // runs the jar from the class path, where they count for nothing, so it is given them as flags.
                Arg jar = rest.pollFirst();
                if (jar != null) {
                    flags.addAll(manifestFlags(workingDirectory.resolve(jar.text())));
                }
                break;
            }
            if (arg.equals("-m") || arg.equals("--module") || !arg.startsWith("-")) {
                break; // the main class or module: everything after it belongs to the application
            }
            if (arg.equals("-cp") || arg.equals("-classpath") || arg.equals("--class-path")
                    || arg.equals("-p") || arg.equals("--module-path")) {
                rest.pollFirst();
                continue;
            }
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (INHERITED_SWITCHES.contains(arg)) {
                flags.add(arg);
            } else if (INHERITED.contains(name)) {
                if (arg.contains("=")) {
                    flags.add(arg);
                } else if (!rest.isEmpty()) {
                    flags.add(arg + "=" + rest.removeFirst().text());
                }
            }
        }
        return List.copyOf(flags);
    }

    /**
     * The flags that stand for the launcher attributes of an executable jar's manifest, which the launcher
     * honours only for the jar that {@code -jar} runs: {@code Add-Opens} and {@code Add-Exports} (space-separated
     * {@code module/package}s, to ALL-UNNAMED) and {@code Enable-Native-Access} (only ALL-UNNAMED). None if
     * the jar cannot be read: the parent would not have started either.
     */
    static List<String> manifestFlags(Path jar) {
        Attributes attributes;
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            if (manifest == null) {
                return List.of();
            }
            attributes = manifest.getMainAttributes();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        List<String> flags = new ArrayList<>();
        for (String[] attribute : new String[][] {{"Add-Opens", "--add-opens="}, {"Add-Exports", "--add-exports="}}) {
            String value = attributes.getValue(attribute[0]);
            if (value != null) {
                for (String target : value.trim().split("\\s+")) {
                    if (!target.isEmpty()) {
                        flags.add(attribute[1] + target + "=ALL-UNNAMED");
                    }
                }
            }
        }
        String nativeAccess = attributes.getValue("Enable-Native-Access");
        if (nativeAccess != null && nativeAccess.trim().equals("ALL-UNNAMED")) {
            flags.add("--enable-native-access=ALL-UNNAMED");
        }
        return flags;
    }

    /** An argument of the command line, and whether it was read from an argument file. */
    private record Arg(String text, boolean fromFile) {
    }

    /** True if every class path entry is a jar (or missing): an AOT cache only covers classes from jars. */
    boolean classPathIsJarsOnly() {
        if (classPath.isEmpty()) {
            return false;
        }
        for (String entry : classPath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").startsWith("Windows");
    }
}

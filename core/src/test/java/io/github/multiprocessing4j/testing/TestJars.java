package io.github.multiprocessing4j.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Jars made from the build's class folders, for tests that need a class path of jars (the AOT cache of
 * child JVMs covers only classes loaded from jars).
 *
 * <pre>{@code
 * Path core = TestJars.jar(tmp.resolve("core.jar"), TestJars.classesOf(JvmProcess.class), p -> true);
 * }</pre>
 */
public final class TestJars {
    private TestJars() {
    }

    /** The class folder (or jar) that {@code type} was loaded from. */
    public static Path classesOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Writes {@code jar} with the files under {@code classes} whose relative path {@code include} accepts. */
    public static Path jar(Path jar, Path classes, Predicate<Path> include) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file);
             Stream<Path> paths = Files.walk(classes)) {
            for (Path p : paths.filter(Files::isRegularFile).filter(p -> include.test(classes.relativize(p))).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, out);
                out.closeEntry();
            }
        }
        return jar;
    }
}

package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.internal.launch.fixtures.IsolatedLibraryMain;
import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.process.JvmProcess;
import io.github.multiprocessing4j.testing.TestJvm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Set-ups in which a child JVM, which gets this JVM's class path and module path, could not load what it
 * needs: the library itself (as under {@code mvn exec:java}), or the task's class (a plugin's), and those
 * in which it resolved other modules than its parent (a jlinked image; a module path with a module that
 * cannot be resolved).
 */
class ChildClassPathTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(120)
    void aTaskOrValueOfAClassThatAClassLoaderOfItsOwnDefined_isRefusedWhenHandedOver_namingTheClass() throws Exception {
        compile(tmp.resolve("src"), tmp.resolve("plugin"), "plugin/Plugin.java", """
                package plugin;

                import io.github.multiprocessing4j.function.SerializableFunction;
                import io.github.multiprocessing4j.function.SerializableRunnable;

                public final class Plugin {
                    public static SerializableRunnable task() {
                        return () -> System.out.println("plugin task");
                    }

                    public static SerializableFunction<Object, Object> function() {
                        return x -> x;
                    }

                    public static Object value() {
                        return new Value();
                    }

                    public static final class Value implements java.io.Serializable {
                    }
                }
                """);
        try (URLClassLoader plugins = new URLClassLoader(new java.net.URL[] {tmp.resolve("plugin").toUri().toURL()},
                ChildClassPathTest.class.getClassLoader())) {
            Class<?> plugin = plugins.loadClass("plugin.Plugin");
            SerializableRunnable task = (SerializableRunnable) plugin.getMethod("task").invoke(null);
            @SuppressWarnings("unchecked")
            SerializableFunction<Object, Object> function =
                    (SerializableFunction<Object, Object>) plugin.getMethod("function").invoke(null);
            Object value = plugin.getMethod("value").invoke(null);

            // Before: the child booted, failed to decode the task with a ClassNotFoundException and exited with 1.
            assertThatThrownBy(() -> JvmProcess.start("plugin", task).close())
                    .isInstanceOf(EncodingException.class)
                    .hasMessageStartingWith("plugin.Plugin (in a value of plugin.Plugin$$Lambda")
                    .hasMessageContaining("cannot be loaded in a child JVM")
                    .hasMessageContaining("java.net.URLClassLoader")
                    .satisfies(e -> assertThat(((EncodingException) e).offendingClass()).isEqualTo("plugin.Plugin"));
            try (ProcessPool pool = ProcessPool.create(1)) {
                assertThatThrownBy(() -> pool.map(function, List.of(1, 2)))
                        .isInstanceOf(EncodingException.class).hasMessageStartingWith("plugin.Plugin ");
                SerializableFunction<Object, Object> identity = x -> x;
                assertThatThrownBy(() -> pool.apply(identity, value))
                        .isInstanceOf(EncodingException.class).hasMessageStartingWith("plugin.Plugin$Value ");
                assertThatThrownBy(() -> pool.map(identity, List.of(value)))
                        .isInstanceOf(EncodingException.class)
                        .hasMessageStartingWith("item 0 of the input cannot be sent: plugin.Plugin$Value ");
                assertThat(pool.apply(identity, "still works")).isEqualTo("still works");
            }
        }
    }

    @Test
    @Timeout(120)
    void whenTheLibraryIsNotOnTheClassPath_asUnderMvnExecJava_startingAChildFailsAtOnce_sayingWhatToDo() throws Exception {
        String library = codeLocation(JvmProcess.class).toUri().toString();
        String tests = codeLocation(ChildClassPathTest.class).toUri().toString();
        try (TestJvm jvm = TestJvm.start(codeLocation(ChildClassPathTest.class).toString(),
                IsolatedLibraryMain.class.getName(), List.of(), library, tests)) {
            // Before: "child JVM (pid N) exited with exit code 1 before it connected back ... Could not find or
            // load main class io.github.multiprocessing4j.internal.worker.WorkerMain".
            for (String what : List.of("PROCESS", "POOL")) {
                assertThat(jvm.nextLineStartingWith(what + " ", 60))
                        .startsWith(what + " ProcessStartException pid -1: cannot start a child JVM: multiprocessing4j (")
                        .contains("was loaded by the class loader java.net.URLClassLoader \"isolated\"")
                        .contains("is not on this JVM's class path or module path")
                        .contains("mvn exec:exec");
            }
        }
    }

    @Test
    @Timeout(300)
    void inAJlinkedImage_theChildResolvesTheApplicationsModule() throws Exception {
        Path library = codeLocation(JvmProcess.class);
        Assumptions.assumeTrue(Files.exists(library.resolve("module-info.class")), "the library is not an exploded module");
        compileApplication();
        var jlink = java.util.spi.ToolProvider.findFirst("jlink");
        Assumptions.assumeTrue(jlink.isPresent(), "no jlink in this JDK");
        StringWriter out = new StringWriter();
        java.io.PrintWriter print = new java.io.PrintWriter(out);
        Path image = tmp.resolve("image");
        int status = jlink.get().run(print, print, "--module-path",
                library + java.io.File.pathSeparator + tmp.resolve("app"), "--add-modules", "app", "--output", image.toString());
        // A JDK without jmods links only from its own run-time image, which some builds do not allow.
        Assumptions.assumeTrue(status == 0, () -> "jlink could not make an image here: " + out);

        String text = run(image.resolve("bin/java").toString(), "-Dmp4j.aot=false", "-m", "app/app.Main");
        // Before: the child resolved only the modules that export an API, so app.Main was not found in it.
        assertThat(text).contains("CHILD hello from app", "EXIT 0 Optional.empty", "MAP [1, 4, 9]", "END 0");
    }

    @Test
    @Timeout(300)
    void onTheModulePath_aModuleThatThisJvmDidNotResolve_doesNotStopTheChild() throws Exception {
        Path library = codeLocation(JvmProcess.class);
        Assumptions.assumeTrue(Files.exists(library.resolve("module-info.class")), "the library is not an exploded module");
        compileApplication();
        compile(tmp.resolve("src-missing"), tmp.resolve("missing"), null, "module missing { exports missing; }",
                "missing/Missing.java", "package missing; public class Missing {}");
        // A module on the path that requires one that is not: this JVM never resolves it, as the application
        // does not need it.
        Path unused = tmp.resolve("unused");
        compileModule(tmp.resolve("src-unused"), unused, tmp.resolve("missing"), null, "module unused { requires missing; }",
                "unused/Unused.java", "package unused; public class Unused { missing.Missing m; }");
        String launcher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String modulePath = String.join(java.io.File.pathSeparator, library.toString(), tmp.resolve("app").toString(),
                unused.toString());
        String text = run(launcher, "-Dmp4j.aot=false", "-p", modulePath, "-m", "app/app.Main");
        // Before: --add-modules ALL-MODULE-PATH had the child resolve it too, and fail at boot: "Module missing not
        // found, required by unused".
        assertThat(text).contains("CHILD hello from app", "EXIT 0 Optional.empty", "MAP [1, 4, 9]", "END 0");
    }

    /** The application module {@code app}: a JvmProcess and a pool map with lambdas of its own class. */
    private void compileApplication() throws IOException {
        compile(tmp.resolve("src"), tmp.resolve("app"), null, """
                module app {
                    requires io.github.multiprocessing4j;
                }
                """, "app/Main.java", """
                package app;

                import io.github.multiprocessing4j.function.SerializableFunction;
                import io.github.multiprocessing4j.pool.ProcessPool;
                import io.github.multiprocessing4j.process.JvmProcess;
                import java.util.List;

                public final class Main {
                    public static void main(String[] args) throws Exception {
                        String greeting = "hello from " + Main.class.getModule().getName();
                        try (JvmProcess child = JvmProcess.start("image", () -> System.out.println("CHILD " + greeting))) {
                            child.join();
                            System.out.println("EXIT " + child.exitCode().getAsInt() + " " + child.failure());
                        }
                        SerializableFunction<Integer, Integer> square = x -> x * x;
                        try (ProcessPool pool = ProcessPool.create(1)) {
                            System.out.println("MAP " + pool.map(square, List.of(1, 2, 3)));
                        }
                    }
                }
                """);
    }

    /** Runs a command; returns what it printed, and "END " and its exit code. */
    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (var in = process.getInputStream()) {
                in.transferTo(output);
            } catch (IOException ignored) {
                // the process is gone
            }
        });
        assertThat(process.waitFor(240, TimeUnit.SECONDS)).as("the program ended").isTrue();
        reader.join(10_000);
        return output.toString(StandardCharsets.UTF_8) + "\nEND " + process.exitValue();
    }

    /** Compiles {@code (path, source)} pairs (a null path: module-info.java) against the test class path. */
    private static void compile(Path src, Path out, String... pathsAndSources) throws IOException {
        compileModule(src, out, codeLocation(JvmProcess.class), pathsAndSources);
    }

    /** As {@link #compile}, a module against {@code modulePath}. */
    private static void compileModule(Path src, Path out, Path modulePath, String... pathsAndSources) throws IOException {
        List<String> files = new ArrayList<>();
        for (int i = 0; i < pathsAndSources.length; i += 2) {
            Path file = src.resolve(pathsAndSources[i] == null ? "module-info.java" : pathsAndSources[i]);
            Files.createDirectories(file.getParent());
            Files.writeString(file, pathsAndSources[i + 1]);
            files.add(file.toString());
        }
        boolean modular = files.stream().anyMatch(f -> f.endsWith("module-info.java"));
        List<String> args = new ArrayList<>(List.of("-d", out.toString(),
                modular ? "--module-path" : "-cp", modular ? modulePath.toString()
                        : System.getProperty("java.class.path")));
        args.addAll(files);
        StringWriter errors = new StringWriter();
        java.io.PrintWriter print = new java.io.PrintWriter(errors);
        int status = java.util.spi.ToolProvider.findFirst("javac").orElseThrow().run(print, print, args.toArray(String[]::new));
        assertThat(status).as("javac: %s", errors).isZero();
    }

    private static Path codeLocation(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

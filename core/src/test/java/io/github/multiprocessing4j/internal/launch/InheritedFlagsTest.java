package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.launch.fixtures.DeepReflectionMain;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Which of the parent's launcher flags a child gets, argument files included. */
class InheritedFlagsTest {

    @TempDir
    Path tmp;

    @Test
    void flagsBeforeTheMainClass_thatChangeWhatCodeCanRun_areInherited() {
        List<String> args = List.of("-Xmx1g", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-cp", "a.jar",
                "--enable-preview", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "com.acme.Main",
                "--add-opens", "app/argument=not-a-flag");
        assertThat(JavaRuntime.inheritedFlags(args, tmp)).containsExactly(
                "--add-opens=java.base/java.lang=ALL-UNNAMED", "--enable-preview",
                "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");
    }

    @Test
    void anArgumentFile_isExpandedAsTheLauncherDoes() throws Exception {
        Files.writeString(tmp.resolve("jvm.options"), """
                # written by a build tool
                --enable-preview
                --add-opens 'java.base/java.util=ALL-UNNAMED'
                "-Dwith space=a b" -cp build/classes
                """);
        List<String> args = List.of("-Xss1m", "@jvm.options", "com.acme.Main", "@not-expanded");
        assertThat(JavaRuntime.inheritedFlags(args, tmp)).containsExactly(
                "--enable-preview", "--add-opens=java.base/java.util=ALL-UNNAMED");
    }

    @Test
    void argumentFileSyntax_quotesEscapesAndComments() {
        assertThat(ArgumentFiles.parse("a 'b c' \"d\\te\" f#g # comment\n  h \"i\\\n    j\""))
                .containsExactly("a", "b c", "d\te", "f#g", "h", "ij");
    }

    @Test
    void anArgumentFileNamedInsideAnArgumentFile_isNotExpanded_asTheLauncherDoes() throws Exception {
        Files.writeString(tmp.resolve("self.options"), "--enable-preview @self.options");
        assertThat(JavaRuntime.inheritedFlags(List.of("@self.options", "Main"), tmp)).containsExactly("--enable-preview");
    }

    @Test
    void anUnreadableArgumentFile_contributesNothing() {
        assertThat(JavaRuntime.inheritedFlags(List.of("@missing.txt", "--enable-preview", "Main"), tmp))
                .containsExactly("--enable-preview");
    }

    @Test
    void theLauncherAttributesOfAJarRunWithDashJar_becomeFlags() throws Exception {
        Manifest manifest = manifest("com.acme.Main", "");
        manifest.getMainAttributes().putValue("Add-Opens", "java.base/java.lang  java.base/java.util");
        manifest.getMainAttributes().putValue("Add-Exports", "java.base/sun.nio.ch");
        manifest.getMainAttributes().putValue("Enable-Native-Access", "ALL-UNNAMED");
        writeJar(tmp.resolve("app.jar"), manifest);
        // Before: nothing; the jar's attributes were lost to every child.
        assertThat(JavaRuntime.inheritedFlags(List.of("--enable-preview", "-jar", "app.jar", "--add-opens", "x/y=z"), tmp))
                .containsExactly("--enable-preview", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                        "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
                        "--enable-native-access=ALL-UNNAMED");
    }

    @Test
    void aJarWithoutLauncherAttributes_orNoJarAtAll_addsNothing() throws Exception {
        writeJar(tmp.resolve("plain.jar"), manifest("com.acme.Main", ""));
        assertThat(JavaRuntime.inheritedFlags(List.of("-jar", "plain.jar"), tmp)).isEmpty();
        assertThat(JavaRuntime.inheritedFlags(List.of("-jar", "missing.jar"), tmp)).isEmpty();
        assertThat(JavaRuntime.inheritedFlags(List.of("-jar"), tmp)).isEmpty();
    }

    @Test
    @Timeout(120)
    void aChildOfAnExecutableJarWithAddOpens_mayReflectAsDeeplyAsItsParent() throws Exception {
        StringBuilder classPath = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                classPath.append(Path.of(entry).toAbsolutePath().toUri()).append(' ');
            }
        }
        Manifest manifest = manifest(DeepReflectionMain.class.getName(), classPath.toString().trim());
        manifest.getMainAttributes().putValue("Add-Opens", "java.base/java.lang");
        Path jar = tmp.resolve("deep.jar");
        writeJar(jar, manifest);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dmp4j.aot=false", "-jar", jar.toString()));
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output;
        try (var in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // Before: "CHILD java.lang.reflect.InaccessibleObjectException: ... module java.base does not "opens
        // java.lang" to unnamed module".
        assertThat(output).contains("PARENT opened", "CHILD opened", "EXIT OptionalInt[0]");
    }

    private static Manifest manifest(String mainClass, String classPath) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        if (!classPath.isEmpty()) {
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        }
        return manifest;
    }

    private static void writeJar(Path jar, Manifest manifest) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // the manifest is all it holds
        }
    }
}

package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
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
}

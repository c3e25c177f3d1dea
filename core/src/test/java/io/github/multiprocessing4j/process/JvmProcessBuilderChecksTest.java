package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.multiprocessing4j.internal.config.Settings;
import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.process.fixtures.InvalidSerialFilterMain;
import io.github.multiprocessing4j.testing.TestJvm;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder's checks of what a child JVM is given, made before any JVM starts. */
class JvmProcessBuilderChecksTest {

    @Test
    void anInvalidSerialFilterProperty_failsEveryStart_withAnErrorThatNamesIt() throws Exception {
        // It failed the codec's class initialization: the first start threw an ExceptionInInitializerError, every
        // later one a NoClassDefFoundError that said nothing of the property
        try (TestJvm jvm = TestJvm.start(InvalidSerialFilterMain.class, List.of("-Dmp4j.serialFilter=maxdepth=ten"))) {
            for (int start = 1; start <= 2; start++) {
                assertThat(jvm.nextLine(60)).as("start %d", start)
                        .startsWith("java.lang.IllegalArgumentException: invalid -Dmp4j.serialFilter=maxdepth=ten");
            }
        }
    }

    @Test
    void aJvmOptionsElementThatIsNoOption_isRefused_ratherThanTakenForTheChildsMainClass() {
        // The launcher takes the first argument that is no option for the main class: the child ran that class
        // (with our class path and worker main as its arguments) or failed with "Could not find or load main
        // class", and a value split from its option (the "50") did the same.
        // "@@file" is the launcher's escape for an argument "@file", which it took for the main class too
        for (List<String> options : List.of(List.of("-Xmx64m", "java.lang.Object"), List.of(""),
                List.of("-XX:MaxRAMPercentage", "50"), List.of("@@jvm.options"))) {
            assertThatThrownBy(() -> JvmProcess.builder().task(() -> { }).jvmOptions(options).start())
                    .as("%s", options).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is no option").hasMessageContaining("main class");
            assertThatThrownBy(() -> ProcessPool.builder().processes(1).jvmOptions(options).build())
                    .as("pool %s", options).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is no option");
        }
    }

    @Test
    void anOptionThatTakesTheNextArgument_lastInTheList_isRefused_ratherThanTakingTheChildsOwnArguments() {
        // Such an option last was followed by the child's own "-cp": a JVM was started to fail at once ("Error:
        // --add-opens requires modules to be specified"), where the builder can say what is wrong before.
        for (String option : List.of("--add-opens", "--add-modules", "-p")) {
            assertThatThrownBy(() -> JvmProcess.builder().task(() -> { }).jvmOptions(List.of("-Xmx64m", option)).start())
                    .as(option).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(option).hasMessageContaining("takes a value");
        }
    }

    @Test
    void anOptionThatEndsTheLauncherBeforeTheChildsMain_isRefused_namingIt() {
        // The launcher printed its version or usage (or nothing: --dry-run, --list-modules) and exited with code 0
        // without running the child's main: start() failed with "exited with exit code 0 before it started. It wrote
        // nothing to stderr", which named no option; --source made it look for a source file named as our main class.
        // Each list: the option the message must name, then the options given.
        for (List<String> given : List.of(List.of("-version", "-version"), List.of("--version", "--version"),
                List.of("-help", "-showversion", "-help"), List.of("-?", "-?"), List.of("-X", "-X"),
                List.of("--help-extra", "--help-extra"), List.of("--dry-run", "--dry-run"),
                List.of("--list-modules", "--list-modules"), List.of("--validate-modules", "--validate-modules"),
                List.of("--describe-module", "--describe-module", "java.base"), List.of("-d", "-d", "java.base"),
                List.of("--describe-module=java.base", "--describe-module=java.base"),
                List.of("-fullversion", "-fullversion"), List.of("-Xinternalversion", "-Xinternalversion"),
                List.of("-Xshare:dump", "-Xshare:dump"), List.of("--source", "--source", "25"),
                List.of("--source=25", "--source=25"))) {
            String named = given.getFirst();
            List<String> options = given.subList(1, given.size());
            assertThatThrownBy(() -> JvmProcess.builder().task(() -> { }).jvmOptions(options).start())
                    .as("%s", options).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(named).hasMessageContaining("task");
            assertThatThrownBy(() -> ProcessPool.builder().processes(1).jvmOptions(options).build())
                    .as("pool %s", options).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(named);
        }
    }

    @Test
    void aVmFlagThatEndsTheJvmBeforeTheChildsMain_isRefused_namingIt() {
        // As -version: the JVM printed its flags (or checked its archive, or wrote an AOT cache) and exited with code 0
        // without running the child's main, and start() failed with "exited with exit code 0 before it started",
        // which named no option
        for (String option : List.of("-XX:+PrintFlagsInitial", "-XX:+PrintSharedArchiveAndExit",
                "-XX:AOTMode=create", "-XX:+JVMCIPrintProperties")) {
            List<String> options = List.of("-XX:+UnlockExperimentalVMOptions", "-XX:+EnableJVMCI", option);
            assertThatThrownBy(() -> JvmProcess.builder().task(() -> { }).jvmOptions(options).start())
                    .as(option).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(option).hasMessageContaining("task");
            assertThatThrownBy(() -> ProcessPool.builder().processes(1).jvmOptions(List.of(option)).build())
                    .as("pool %s", option).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(option);
        }
    }

    @Test
    void theOptionsOfAnArgumentFile_areCheckedAsTheOthersAre(@TempDir Path tmp) throws Exception {
        // The launcher puts the file's arguments in place of its @file, unchecked: a class name there became the
        // child's main class (the user's own main ran in the child), and -version in it ended the child at boot
        Path withMain = Files.writeString(tmp.resolve("main.args"), "-Xmx64m\n# the application's\ncom.acme.Main\n");
        Path withVersion = Files.writeString(tmp.resolve("version.args"), "-Xmx64m -version\n");
        Path withClassPath = Files.writeString(tmp.resolve("cp.args"), "-cp \"/opt/other lib/*\"\n");
        Path nested = Files.writeString(tmp.resolve("nested.args"), "@" + withVersion + "\n");
        for (List<String> given : List.of(List.of("is no option", "@" + withMain, "com.acme.Main"),
                List.of("does not run the child's main class", "@" + withVersion, "-version"),
                List.of("may not set the class path", "@" + withClassPath, "-cp"),
                List.of("is no option", "@" + nested, "@" + withVersion))) {
            List<String> options = List.of("-Xss1m", given.get(1));
            assertThatThrownBy(() -> JvmProcess.builder().task(() -> { }).jvmOptions(options).start())
                    .as("%s", options).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(given.get(0)).hasMessageContaining(given.get(1))
                    .hasMessageContaining(given.get(2));
            assertThatThrownBy(() -> ProcessPool.builder().processes(1).jvmOptions(options).build())
                    .as("pool %s", options).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(given.get(1));
        }
        Path good = Files.writeString(tmp.resolve("good.args"), "--add-opens java.base/java.lang=ALL-UNNAMED\n");
        try (JvmProcess child = JvmProcess.builder().name("argfile").jvmOptions(List.of("@" + good))
                .task(() -> {
                    if (!Object.class.getModule().isOpen("java.lang", JvmProcessBuilderChecksTest.class.getModule())) {
                        System.exit(7);
                    }
                }).start()) {
            child.join();
            assertThat(child.exitCode()).hasValue(0);
        }
    }

    /**
     * A setting in an argument file is checked as the child reads it: the file was decoded a byte per char, so a value
     * the child's Settings accepts (fullwidth digits and an ideographic space, which Long.parseLong and strip() take)
     * came out as other characters, and the start was refused ("is no whole number"), naming a garbled value.
     */
    @Test
    void aSettingInAnArgumentFile_thatTheChildAccepts_isNotRefused(@TempDir Path tmp) throws Exception {
        assumeTrue(Charset.forName(System.getProperty("sun.jnu.encoding", "")).equals(StandardCharsets.UTF_8),
                "the launcher hands the child the file's bytes as UTF-8");
        Path args = Files.writeString(tmp.resolve("settings.args"),
                "-Dmp4j.connectTimeoutSeconds=\uFF13\uFF10\u3000\n", StandardCharsets.UTF_8);
        try (JvmProcess child = JvmProcess.builder().name("argfile-settings").jvmOptions(List.of("@" + args))
                .task(() -> {
                    if (!Settings.connectTimeout().equals(Duration.ofSeconds(30))) {
                        System.exit(7);
                    }
                }).start()) {
            child.join();
            assertThat(child.exitCode()).as("the child read 30 s").hasValue(0);
        }
    }

    @Test
    void aClassPathGivenAsASystemProperty_isRefused_ratherThanReplacedByOursUnsaid() {
        // The launcher sets java.class.path from the child's -cp, which comes after the user's options: the child
        // ran with this JVM's class path, and the setting was dropped without a word
        assertThatThrownBy(() -> JvmProcess.builder().task(() -> { })
                .jvmOptions(List.of("-Djava.class.path=/elsewhere")).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-Djava.class.path=/elsewhere")
                .hasMessageContaining("class path");
        assertThatThrownBy(() -> JvmProcess.builder().task(() -> { })
                .systemProperty("java.class.path", "/elsewhere").start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.class.path")
                .hasMessageContaining("class path");
        assertThatThrownBy(() -> ProcessPool.builder().processes(1)
                .jvmOptions(List.of("-Djava.class.path=/elsewhere")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-Djava.class.path=/elsewhere");
    }

    @Test
    void aSystemPropertySetAlsoByAJvmOption_isRefused_ratherThanOneOfThemDroppedUnsaid() {
        // Both went on the command line, the options later: the child saw the option's value, and the other was lost
        for (String option : List.of("-Dapp.mode=interactive", "-Dapp.mode")) {
            assertThatThrownBy(() -> JvmProcess.builder().task(() -> { }).systemProperty("app.mode", "batch")
                    .jvmOptions(List.of("-Xss1m", option)).start())
                    .as(option).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("app.mode").hasMessageContaining(option).hasMessageContaining("twice");
        }
    }

    @Test
    void aSystemPropertySetAlsoByAJvmOptionInAnArgumentFile_isRefused_namingTheFile(@TempDir Path tmp)
            throws Exception {
        // The launcher puts the file's arguments in place of its @file, after the systemProperty's -D: the file's
        // value won, and the systemProperty was dropped without a word, as it was for a -D in the list itself
        Path args = Files.writeString(tmp.resolve("mode.args"), "-Xss1m\n-Dapp.mode=interactive\n");
        String file = "@" + args;
        assertThatThrownBy(() -> JvmProcess.builder().task(() -> { }).systemProperty("app.mode", "batch")
                .jvmOptions(List.of("-Xmx64m", file)).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("app.mode")
                .hasMessageContaining("-Dapp.mode=interactive").hasMessageContaining(file)
                .hasMessageContaining("twice");
    }

    @Test
    void aLibrarySettingGivenToTheChildAlone_withNoValueOfItsKind_isRefused_namingIt(@TempDir Path tmp)
            throws Exception {
        // The child used its default without a word: a child leaves the warning of a wrong mp4j.* value to its
        // parent, which had warned only of its own settings (those it hands down), never of one given the child alone
        Path args = Files.writeString(tmp.resolve("spin.args"), "-Dmp4j.pool.spinMicros=50us\n");
        for (List<String> given : List.of(List.of("-Dmp4j.connectTimeoutSeconds=1m", "is no whole number"),
                List.of("-Dmp4j.connectTimeoutSeconds=0", "is below 1"), List.of("-Dmp4j.spare=no", "neither true"),
                List.of("-Dmp4j.directStart", "neither true"), List.of("@" + args, "-Dmp4j.pool.spinMicros=50us"))) {
            List<String> options = List.of("-Xss1m", given.get(0));
            assertThatThrownBy(() -> JvmProcess.builder().task(() -> { }).jvmOptions(options).start())
                    .as("%s", options).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(given.get(0)).hasMessageContaining(given.get(1));
            assertThatThrownBy(() -> ProcessPool.builder().processes(1).jvmOptions(options).build())
                    .as("pool %s", options).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(given.get(0)).hasMessageContaining(given.get(1));
        }
        assertThatThrownBy(() -> JvmProcess.builder().task(() -> { }).systemProperty("mp4j.pool.spinMicros", "-1")
                .start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("systemProperty")
                .hasMessageContaining("mp4j.pool.spinMicros=-1 is below 0");
        // values of their kind, in any case and with spaces, as the settings read them
        try (JvmProcess child = JvmProcess.builder().name("settings").systemProperty("mp4j.spare", " FALSE ")
                .jvmOptions(List.of("-Dmp4j.pool.spinMicros=0", "-Dmp4j.connectTimeoutSeconds= 30",
                        "-Dmp4j.unknown=whatever"))
                .task(() -> { }).start()) {
            child.join();
            assertThat(child.exitCode()).hasValue(0);
        }
    }

    @Test
    void anOptionThatTakesTheNextArgument_getsIt() throws Exception {
        try (JvmProcess child = JvmProcess.builder().name("opens").jvmOptions(List.of(
                        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-modules", "java.se", "-Xmx64m"))
                .task(() -> {
                    if (!Object.class.getModule().isOpen("java.lang", JvmProcessBuilderChecksTest.class.getModule())) {
                        System.exit(7);
                    }
                }).start()) {
            child.join();
            assertThat(child.exitCode()).hasValue(0);
        }
    }

    @Test
    void aBlankName_isRefusedByTheSetter_ratherThanGivenToTheChild() {
        // It reached the child as its name: JvmProcess.current().name() read "" there, and the crash header
        // read 'Exception in process "" (pid ...)'. (CPython gives a process named "" its default name.)
        for (String name : List.of("", "  ", "\t")) {
            assertThatThrownBy(() -> JvmProcess.builder().name(name))
                    .as("'%s'", name).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
            assertThatThrownBy(() -> JvmProcess.start(name, () -> { }))
                    .as("'%s'", name).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
        }
    }
}

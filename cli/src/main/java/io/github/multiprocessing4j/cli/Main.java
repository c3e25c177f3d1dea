package io.github.multiprocessing4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code mp4j}: shows each part of multiprocessing4j working ({@code demo}) and measures it beside
 * CPython ({@code bench}).
 *
 * {@snippet :
 * // ./mp4j demo process
 * // ./mp4j bench process
 * int exit = new CommandLine(new Main()).execute("demo", "process");
 * }
 */
@Command(name = "mp4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Python's multiprocessing, subprocess and asyncio toolkit on the JVM: demos and benchmarks.",
        subcommands = {DemoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for tests and embedding. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** Reads the version from the jar manifest (set by the build). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {
                "mp4j " + (version == null ? "(development build)" : version),
                "JVM: " + System.getProperty("java.vm.name") + " " + Runtime.version()
                        + " on " + System.getProperty("os.name") + " " + System.getProperty("os.arch"),
            };
        }
    }
}

package io.github.multiprocessing4j.cli;

import io.github.multiprocessing4j.cli.bench.Benches;
import io.github.multiprocessing4j.cli.demo.Demos;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
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
        CommandLine commandLine = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        // Each topic's one-line summary, under the options of `demo --help` and `bench --help`.
        topics(commandLine.getSubcommands().get("demo"),
                Demos.all().stream().map(d -> Map.entry(d.name(), d.summary())).toList());
        topics(commandLine.getSubcommands().get("bench"),
                Benches.all().stream().map(b -> Map.entry(b.name(), b.summary())).toList());
        commandLine.setParameterExceptionHandler(namingTheCommands(commandLine));
        return commandLine;
    }

    /**
     * picocli's handler of usage errors, but for a command that is unknown ("Unmatched argument at index 0")
     * or missing ("Missing required subcommand"): those say that a command was wanted, and which.
     */
    private static CommandLine.IParameterExceptionHandler namingTheCommands(CommandLine top) {
        CommandLine.IParameterExceptionHandler picocli = top.getParameterExceptionHandler();
        String commands = String.join(", ", top.getSubcommands().keySet());
        return (ex, args) -> {
            String message;
            if (ex.getCommandLine() != top) {
                return picocli.handleParseException(ex, args);
            } else if (ex instanceof CommandLine.UnmatchedArgumentException unmatched
                    && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().getFirst().startsWith("-")) {
                message = "mp4j: no command named '" + unmatched.getUnmatched().getFirst() + "'; commands: " + commands;
            } else if (String.valueOf(ex.getMessage()).startsWith("Missing required subcommand")) {
                message = "mp4j: give a command: " + commands.replaceFirst(", (?!.*, )", " or ")
                        + " (mp4j demo runs every demo)";
            } else {
                return picocli.handleParseException(ex, args);
            }
            PrintWriter err = top.getErr();
            err.println(top.getColorScheme().errorText(message));
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
                top.usage(err, top.getColorScheme());
            }
            return top.getCommandSpec().exitCodeOnInvalidInput();
        };
    }

    private static void topics(CommandLine command, List<Map.Entry<String, String>> summaries) {
        int width = command.getCommandSpec().usageMessage().width();
        int names = summaries.stream().mapToInt(e -> e.getKey().length()).max().orElse(0) + 4;
        // A table of two columns, so that a long summary wraps under itself instead of under the names.
        Help.TextTable table = Help.TextTable.forColumns(Help.defaultColorScheme(Help.Ansi.OFF),
                new Help.Column(names, 2, Help.Column.Overflow.SPAN),
                new Help.Column(width - names, 0, Help.Column.Overflow.WRAP));
        for (Map.Entry<String, String> topic : summaries) {
            table.addRowValues(topic.getKey(), topic.getValue());
        }
        // picocli formats the footer as it prints it: a % of the text must be doubled
        command.getCommandSpec().usageMessage().footerHeading("%nTopics:%n")
                .footer(table.toString().replace("%", "%%"));
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

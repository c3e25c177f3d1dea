package io.github.multiprocessing4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * The topics a {@code demo} or {@code bench} command runs, chosen by name: all of them if none is named, and a
 * usage error for a name that is unknown or given twice (which would run, or measure and record, it twice).
 *
 * {@snippet :
 * List<Demo> chosen = Topics.choose(List.of("pool", "subprocess"), Demos.all(), Demo::name, "demo", commandLine);
 * }
 */
final class Topics {
    private Topics() {
    }

    /**
     * @param kind what a topic is, for the error's message: "demo", "benchmark"
     * @throws CommandLine.ParameterException for a name that is unknown or given twice
     */
    static <T> List<T> choose(List<String> names, List<T> available, Function<T, String> nameOf, String kind,
            CommandLine commandLine) {
        List<T> chosen = new ArrayList<>();
        for (String name : names) {
            if (names.indexOf(name) != names.lastIndexOf(name)) {
                throw new CommandLine.ParameterException(commandLine,
                        "topic '" + name + "' is given twice; name each topic once");
            }
            chosen.add(available.stream().filter(t -> nameOf.apply(t).equals(name)).findFirst().orElseThrow(
                    () -> new CommandLine.ParameterException(commandLine, "no " + kind + " named '" + name
                            + "'; topics: " + String.join(", ", available.stream().map(nameOf).toList()))));
        }
        return chosen.isEmpty() ? List.copyOf(available) : chosen;
    }
}

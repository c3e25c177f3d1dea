package io.github.multiprocessing4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * The topics a {@code demo} or {@code bench} command runs, chosen by name: all of them if none is named, and a
 * usage error for a name that is unknown or given twice (which would run, or measure and record, it twice). Names
 * are matched ignoring case ({@code mp4j demo Pool} runs the pool demo), as the topics differ by more than case.
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
            T topic = available.stream().filter(t -> nameOf.apply(t).equalsIgnoreCase(name)).findFirst().orElseThrow(
                    () -> new CommandLine.ParameterException(commandLine, "no " + kind + " named '" + name
                            + "'; topics: " + String.join(", ", available.stream().map(nameOf).toList())));
            if (chosen.contains(topic)) {
                throw new CommandLine.ParameterException(commandLine,
                        "topic '" + nameOf.apply(topic) + "' is given twice; name each topic once");
            }
            chosen.add(topic);
        }
        return chosen.isEmpty() ? List.copyOf(available) : chosen;
    }
}

package io.github.multiprocessing4j.cli;

import io.github.multiprocessing4j.cli.demo.Demo;
import io.github.multiprocessing4j.cli.demo.Demos;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mp4j demo [topic...]}: runs the named demos, or all of them. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs demos that show each part of the library working.",
            "With no topic, runs every demo in turn."})
final class DemoCommand implements Callable<Integer> {

    /** The exit code once stdout is closed: a shell's for a command killed by SIGPIPE (128 + 13). */
    static final int STDOUT_CLOSED = 141;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "TOPIC", completionCandidates = TopicNames.class,
            description = "Demo topics: ${COMPLETION-CANDIDATES}")
    List<String> topics = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        List<Demo> chosen = new ArrayList<>();
        for (String topic : topics) {
            chosen.add(Demos.named(topic).orElseThrow(() -> new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "no demo named '" + topic + "'; topics: " + TopicNames.list())));
        }
        if (chosen.isEmpty()) {
            chosen.addAll(Demos.all());
        }
        for (Demo demo : chosen) {
            if (chosen.size() > 1) {
                out.println("== demo " + demo.name() + ": " + demo.summary() + " ==");
            }
            if (out.checkError()) {
                // The reader has gone (./mp4j demo | head): the demos left would run for a minute, for nobody.
                return STDOUT_CLOSED;
            }
            demo.run(out);
            if (chosen.size() > 1) {
                out.println();
            }
        }
        return 0;
    }

    /** The demo names, for help and completion. */
    static final class TopicNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Demos.all().stream().map(Demo::name).iterator();
        }

        static String list() {
            return String.join(", ", new TopicNames());
        }
    }
}

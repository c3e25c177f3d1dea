package io.github.multiprocessing4j.cli;

import io.github.multiprocessing4j.cli.demo.Demo;
import io.github.multiprocessing4j.cli.demo.Demos;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mp4j demo [topic...]}: runs the named demos, or all of them. */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Runs demos that show each part of the library working.",
            "With no topic, runs every demo in turn."})
final class DemoCommand implements Callable<Integer> {

    /** The exit code once stdout is closed: a shell's for a command killed by SIGPIPE (128 + 13). */
    static final int STDOUT_CLOSED = 141;

    /** The exit code when a demo failed. */
    static final int FAILED = 1;

    @Spec
    CommandSpec spec;

    private final List<Demo> available;

    DemoCommand() {
        this(Demos.all());
    }

    /** A command over other demos than the library's, for tests. */
    DemoCommand(List<Demo> available) {
        this.available = List.copyOf(available);
    }

    @Parameters(arity = "0..*", paramLabel = "TOPIC", completionCandidates = TopicNames.class,
            description = "Demo topics: ${COMPLETION-CANDIDATES}")
    List<String> topics = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        List<Demo> chosen = Topics.choose(topics, available, Demo::name, "demo", spec.commandLine());
        List<String> failed = new ArrayList<>();
        try (ProcessCleanup cleanup = ProcessCleanup.whileRunning()) {
            for (Demo demo : chosen) {
                if (chosen.size() > 1) {
                    out.println("== demo " + demo.name() + ": " + demo.summary() + " ==");
                }
                if (out.checkError()) {
                    // The reader has gone (./mp4j demo | head): the demos left would run for a minute, for nobody.
                    return STDOUT_CLOSED;
                }
                try {
                    demo.run(out);
                } catch (Exception | Error e) {
                    // An Error too: a class missing from the class path, say, is this demo's failure, not the others'
                    if (cleanup.stopping()) {
                        return FAILED; // stopped by Ctrl-C or kill, which is no failure of the demo to report
                    }
                    // One broken demo must not hide the others: report it, run the rest, exit 1 at the end.
                    out.flush();
                    PrintWriter err = spec.commandLine().getErr();
                    err.println("mp4j demo: demo '" + demo.name() + "' failed: " + e);
                    e.printStackTrace(err);
                    err.flush();
                    failed.add(demo.name());
                }
                if (chosen.size() > 1) {
                    out.println();
                }
            }
        }
        if (!failed.isEmpty()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("mp4j demo: " + failed.size() + " of " + chosen.size() + " demos failed: "
                    + String.join(", ", failed));
            err.flush();
            return FAILED;
        }
        return 0;
    }

    /** The demo names, for help and completion. */
    static final class TopicNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Demos.all().stream().map(Demo::name).iterator();
        }
    }
}

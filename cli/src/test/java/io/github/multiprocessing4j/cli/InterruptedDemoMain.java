package io.github.multiprocessing4j.cli;

import io.github.multiprocessing4j.cli.demo.Demo;
import java.io.PrintStream;
import java.util.List;
import picocli.CommandLine;

/**
 * A CLI JVM for {@link ProcessCleanupTest}: {@code mp4j demo} with one demo that runs a shell, which starts a
 * {@code sleep 60} in the background, says which, and waits for it; the test stops this JVM meanwhile.
 */
public final class InterruptedDemoMain {
    private InterruptedDemoMain() {
    }

    public static void main(String[] args) {
        Demo shell = new Demo() {
            @Override
            public String name() {
                return "shell";
            }

            @Override
            public String summary() {
                return "a shell that waits for its sleep";
            }

            @Override
            public void run(PrintStream out) throws Exception {
                int exit = new ProcessBuilder("sh", "-c", "sleep 60 & echo \"shell $$ started sleep $!\"; wait")
                        .inheritIO().start().waitFor();
                if (exit != 0) {
                    throw new IllegalStateException("the shell failed with exit code " + exit);
                }
            }
        };
        System.exit(new CommandLine(new DemoCommand(List.of(shell))).execute("shell"));
    }
}

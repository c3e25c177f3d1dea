package io.github.multiprocessing4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * A picocli command run in this JVM: its exit code, what it printed on {@code System.out} and on the
 * command line's error writer.
 */
record CommandRun(int code, String out, String err) {

    static CommandRun of(Object command, String... args) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        StringWriter errors = new StringWriter();
        PrintStream originalOut = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(command).setErr(new PrintWriter(errors, true)).execute(args);
            return new CommandRun(code, printed.toString(StandardCharsets.UTF_8), errors.toString());
        } finally {
            System.setOut(originalOut);
        }
    }
}

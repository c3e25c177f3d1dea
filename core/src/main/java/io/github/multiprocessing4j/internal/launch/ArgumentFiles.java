package io.github.multiprocessing4j.internal.launch;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code java} launcher argument file ({@code java @options Main}) the way the launcher does:
 * arguments separated by white space, single or double quotes around an argument with spaces, a
 * backslash escape inside quotes ({@code \n}, {@code \t}, {@code \\}, a quote, or a line break that
 * continues the argument on the next line after its leading blanks), and {@code #} comments to the end of
 * the line.
 *
 * <pre>{@code
 * List<String> args = ArgumentFiles.read(Path.of("build/tmp/jvm.options"));
 * }</pre>
 */
final class ArgumentFiles {
    private static final System.Logger LOG = System.getLogger(ArgumentFiles.class.getName());

    private ArgumentFiles() {
    }

    /** The arguments in {@code file}, or none if it cannot be read (then the JVM could not have either). */
    static List<String> read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "cannot read the argument file " + file + "; children do not inherit its flags", e);
            return List.of();
        }
    }

    static List<String> parse(String text) {
        List<String> args = new ArrayList<>();
        StringBuilder current = null;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && i + 1 < text.length()) {
                    char next = text.charAt(++i);
                    switch (next) {
                        case 'n' -> current.append('\n');
                        case 't' -> current.append('\t');
                        case 'r' -> current.append('\r');
                        case 'f' -> current.append('\f');
                        case '\n', '\r' -> {
                            // a continued line: its leading blanks are not part of the argument
                            while (i + 1 < text.length() && Character.isWhitespace(text.charAt(i + 1))) {
                                i++;
                            }
                        }
                        default -> current.append(next);
                    }
                } else {
                    current.append(c);
                }
            } else if (Character.isWhitespace(c)) {
                if (current != null) {
                    args.add(current.toString());
                    current = null;
                }
            } else if (c == '#' && current == null) {
                while (i + 1 < text.length() && text.charAt(i + 1) != '\n') {
                    i++;
                }
            } else {
                if (current == null) {
                    current = new StringBuilder();
                }
                if (c == '"' || c == '\'') {
                    quote = c;
                } else {
                    current.append(c);
                }
            }
        }
        if (current != null) {
            args.add(current.toString());
        }
        return args;
    }
}

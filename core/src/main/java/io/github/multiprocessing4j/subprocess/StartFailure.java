package io.github.multiprocessing4j.subprocess;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns the JDK's "Cannot run program ... error=2, No such file or directory" into an exception that says
 * which of the executable, the working directory or a redirect file is missing or unusable, where the
 * executable was looked for, and what to do. Consulted after a start failed, and by a pipeline before it
 * starts any stage (a later stage that fails to start would leak a descriptor, see {@code PipelineImpl}).
 *
 * <p>A bare command name is looked for on the {@link SearchPath} of the command (by us when it has its own
 * {@code PATH}, else by the JDK on this JVM's); a relative path containing {@code /} is resolved against the
 * child's working directory, as the JDK does.
 */
final class StartFailure {
    /** How much of a #! line the kernel reads (BINPRM_BUF_SIZE). */
    private static final int SHEBANG_BYTES = 256;
    /**
     * What to do when the executable's name is a whole command line ({@code command("ls -l")}): the first thing a
     * shell user tries, which "install it" would send the wrong way.
     */
    private static final String COMMAND_LINE_HINT = "the name holds a space, so it may be a whole command line, which"
            + " is not split here (as in Python without shell=True): give each argument as its own element,"
            + " command(\"ls\", \"-l\"), or run the line through the shell with Subprocess.shell(line)";
    /** How this JVM encodes file names for the operating system. */
    private static final Charset FILE_NAMES = Charset.forName(System.getProperty("sun.jnu.encoding", ""),
            Charset.defaultCharset());

    private StartFailure() {
    }

    static IOException explain(IOException failure, List<String> args, Path cwd, SearchPath search, ProcessBuilder pb) {
        IOException explained = diagnoseFailure(args, cwd, search, pb);
        if (explained == null) {
            return failure;
        }
        explained.initCause(failure);
        return explained;
    }

    /**
     * A specific exception for the missing or unusable executable, working directory or redirect file of
     * {@code pb} (which runs {@code args} in {@code cwd}, a bare name found on {@code search}), or null if all
     * look fine.
     */
    static IOException diagnose(List<String> args, Path cwd, SearchPath search, ProcessBuilder pb) {
        // A name this JVM cannot make a Path of, though the JDK passes it on (a PATH entry or file name that is
        // not ASCII when the locale is C, say), cannot be examined: then it is for the JDK to try, never refused.
        IOException executable;
        try {
            executable = diagnose(args, cwd, search);
        } catch (InvalidPathException e) {
            executable = null;
        }
        if (executable != null) {
            return executable;
        }
        String command = SubprocessException.display(args);
        try {
            return redirectFiles(pb, command);
        } catch (InvalidPathException e) { // a NUL in a file name, which the JDK refuses too
            return e.getInput().indexOf('\0') < 0 ? null
                    : new IOException("a redirect file of " + command + " has an invalid name: " + e.getMessage());
        }
    }

    /**
     * After a start failed: {@link #diagnose(List, Path, SearchPath, ProcessBuilder)}, and also a script whose {@code #!}
     * interpreter is missing or not executable, which the JDK reports as if the script itself were missing
     * ("error=2, No such file or directory"). A command's own start does not look for it first (it would
     * read the executable); a pipeline does, for its later stages (see {@code PipelineImpl}).
     */
    static IOException diagnoseFailure(List<String> args, Path cwd, SearchPath search, ProcessBuilder pb) {
        IOException explained = diagnose(args, cwd, search, pb);
        if (explained != null) {
            return explained;
        }
        try {
            return badInterpreter(args, cwd, search);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /** The file run for {@code exe}: resolved against {@code cwd}, or found on {@code search}; or null. */
    private static Path executableFile(String exe, Path cwd, SearchPath search) {
        if (exe.isEmpty()) {
            return null;
        }
        if (exe.contains("/")) {
            return cwd == null ? Path.of(exe) : cwd.resolve(exe);
        }
        return search.find(exe, cwd);
    }

    /**
     * A specific exception if the executable is a script whose {@code #!} line names an interpreter that does
     * not exist or cannot be run (a line ending in {@code \r}, from a file with Windows line ends, is the
     * classic), or null.
     */
    private static IOException badInterpreter(List<String> args, Path cwd, SearchPath search) {
        Path file = executableFile(args.getFirst(), cwd, search);
        if (file == null || !Files.isRegularFile(file)) {
            return null;
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(SHEBANG_BYTES);
        } catch (IOException e) {
            return null;
        }
        if (head.length < 3 || head[0] != '#' || head[1] != '!') {
            return null;
        }
        int from = 2;
        while (from < head.length && (head[from] == ' ' || head[from] == '\t')) {
            from++;
        }
        int to = from;
        while (to < head.length && head[to] != ' ' && head[to] != '\t' && head[to] != '\n' && head[to] != 0) {
            to++;
        }
        if (to == from || to < head.length && head[to] == 0 || to == head.length && head.length == SHEBANG_BYTES) {
            return null; // an interpreter name the kernel may have cut short too: it then fails with ENOEXEC,
                         // and the JDK runs the script with /bin/sh instead
        }
        String interpreter;
        try { // the bytes of a file name, as this JVM encodes file names (sun.jnu.encoding)
            interpreter = FILE_NAMES.newDecoder().decode(ByteBuffer.wrap(head, from, to - from)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        Path resolved = cwd == null ? Path.of(interpreter) : cwd.resolve(interpreter);
        String which = "the interpreter that the #! line of " + file + " names, for " + SubprocessException.display(args) + ",";
        String cr = interpreter.endsWith("\r") ? " (the line ends with \\r: the script has Windows line ends)" : "";
        if (!Files.exists(resolved)) {
            return new NoSuchFileException(interpreter, null, which + " does not exist" + cr);
        }
        if (Files.isDirectory(resolved) || !Files.isExecutable(resolved)) {
            return new AccessDeniedException(interpreter, null, which + " is not an executable file");
        }
        return null;
    }

    /** A specific exception for the missing or unusable executable or directory, or null if all look fine. */
    private static IOException diagnose(List<String> args, Path cwd, SearchPath search) {
        String command = SubprocessException.display(args);
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).indexOf('\0') >= 0) { // before any Path.of, which throws InvalidPathException on it
                return new IOException((i == 0 ? "the executable" : "argument " + i) + " of " + command.replace('\0', ' ')
                        + " contains a NUL character, which no program can receive");
            }
        }
        if (cwd != null && !Files.isDirectory(cwd)) {
            return new NoSuchFileException(cwd.toString(), null,
                    "working directory of " + command + " does not exist or is not a directory");
        }
        String exe = args.getFirst();
        if (exe.isEmpty()) {
            return new NoSuchFileException(exe, null, "the executable of " + command + " is the empty string");
        }
        if (exe.contains("/")) {
            Path file = cwd == null ? Path.of(exe) : cwd.resolve(exe);
            if (!Files.exists(file)) {
                return new NoSuchFileException(exe, null, "executable of " + command + " not found"
                        + (Path.of(exe).isAbsolute() ? "" : " (resolved against " + (cwd == null ? "the current directory" : cwd) + ")")
                        + (looksLikeACommandLine(exe) ? "; " + COMMAND_LINE_HINT : ""));
            }
            return notExecutable(exe, file, command);
        }
        List<Path> files = search.candidates(exe, cwd);
        if (files.stream().anyMatch(Files::isExecutable)) {
            return null; // found: the failure was something else, keep the JDK's message
        }
        if (!files.isEmpty()) {
            return notExecutable(exe, files.getFirst(), command);
        }
        return new NoSuchFileException(exe, null, "executable of " + command + " not found on " + search.describe()
                + "; " + (looksLikeACommandLine(exe) ? COMMAND_LINE_HINT
                        : "check the spelling, install it, or give its absolute path"));
    }

    /** An executable that was not found and whose name holds a blank: likely "prog arg ...", not a file name. */
    private static boolean looksLikeACommandLine(String exe) {
        return exe.strip().chars().anyMatch(Character::isWhitespace);
    }

    /**
     * The JDK opens redirect files in this JVM, relative to its own directory, and reports a failure as
     * "Cannot run program": which reads as if the program were missing.
     */
    private static IOException redirectFiles(ProcessBuilder pb, String command) {
        File input = pb.redirectInput().file();
        if (input != null) {
            Path in = input.getAbsoluteFile().toPath();
            if (!Files.exists(in)) {
                return new NoSuchFileException(input.toString(), null, "input file of " + command + " does not exist");
            }
            if (Files.isDirectory(in) || !Files.isReadable(in)) {
                return new AccessDeniedException(input.toString(), null, "input file of " + command + " is "
                        + (Files.isDirectory(in) ? "a directory" : "not readable"));
            }
        }
        List<Redirect> outputs = List.of(pb.redirectOutput(), pb.redirectError());
        for (int i = 0; i < outputs.size(); i++) {
            File file = outputs.get(i).file();
            if (file == null) {
                continue;
            }
            String which = (i == 0 ? "output" : "stderr") + " file of " + command;
            Path out = file.getAbsoluteFile().toPath();
            if (Files.isDirectory(out)) {
                return new AccessDeniedException(file.toString(), null, which + " is a directory");
            }
            if (!Files.isDirectory(out.getParent())) {
                return new NoSuchFileException(file.toString(), null, "the directory of the " + which
                        + " does not exist");
            }
            if (Files.exists(out) && !Files.isWritable(out)) {
                return new AccessDeniedException(file.toString(), null, which + " is not writable");
            }
        }
        return null;
    }

    private static IOException notExecutable(String exe, Path file, String command) {
        if (Files.isDirectory(file)) {
            return new AccessDeniedException(exe, null, "executable of " + command + " is a directory: " + file);
        }
        if (!Files.isExecutable(file)) {
            return new AccessDeniedException(exe, null, "executable of " + command + " is not executable: "
                    + file + " (chmod +x it, or run it through its interpreter)");
        }
        return null;
    }
}

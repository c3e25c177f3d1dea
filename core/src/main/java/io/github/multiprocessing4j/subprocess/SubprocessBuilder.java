package io.github.multiprocessing4j.subprocess;

import static io.github.multiprocessing4j.internal.builder.BuilderChecks.nonNegative;
import static io.github.multiprocessing4j.internal.builder.BuilderChecks.positive;
import static io.github.multiprocessing4j.internal.builder.BuilderChecks.requireUnset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@link Subprocess.Builder}: every setter may be called once, as in Caffeine's builders; the one
 * exception is {@code captureOutput()} with {@code stderrToStdout()}, in either order, which captures the
 * merged output.
 */
final class SubprocessBuilder implements Subprocess.Builder {
    private static final String CAPTURE_OUTPUT = "captureOutput()";
    private static final String MERGE_STDERR = "stderrToStdout()";
    private final List<String> args;
    /** Set by input(...) or stdin(...); one of byte[], String, Path, Redirect. */
    private Object stdin;
    private String stdinSetter;
    private Redirect stdout;
    private String stdoutSetter;
    private Redirect stderr;
    private String stderrSetter;
    private Duration timeout;
    private Duration grace;
    private Boolean check;
    private Path cwd;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Boolean clearEnv;
    private Charset charset;

    SubprocessBuilder(List<String> args) {
        Objects.requireNonNull(args, "cmd");
        if (args.isEmpty()) {
            throw new IllegalArgumentException("command is empty: give at least the executable");
        }
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i) == null) {
                throw new NullPointerException((i == 0 ? "the executable" : "argument " + i) + " of the command is null: "
                        + args);
            }
        }
        this.args = List.copyOf(args);
    }

    @Override
    public Subprocess.Builder input(String input) {
        return setStdin(Objects.requireNonNull(input, "input"), "input(String)");
    }

    @Override
    public Subprocess.Builder input(byte[] input) {
        return setStdin(Objects.requireNonNull(input, "input"), "input(byte[])");
    }

    @Override
    public Subprocess.Builder input(Path file) {
        return setStdin(Objects.requireNonNull(file, "file"), "input(Path)");
    }

    @Override
    public Subprocess.Builder stdin(Redirect redirect) {
        Objects.requireNonNull(redirect, "redirect");
        if (redirect.type() == Redirect.Type.WRITE || redirect.type() == Redirect.Type.APPEND) {
            if (redirect != Redirect.DISCARD) {
                throw new IllegalArgumentException("stdin cannot be " + Redirects.describe(redirect) + ": use Redirect.from(file)");
            }
        }
        return setStdin(redirect, "stdin(" + Redirects.describe(redirect) + ")");
    }

    private Subprocess.Builder setStdin(Object value, String setter) {
        requireNotSetBy(stdinSetter, "stdin");
        stdin = value;
        stdinSetter = setter;
        return this;
    }

    @Override
    public Subprocess.Builder stdout(Redirect redirect) {
        requireNotSetBy(stdoutSetter, "stdout");
        stdout = output(redirect, "stdout");
        stdoutSetter = "stdout(" + Redirects.describe(redirect) + ")";
        return this;
    }

    @Override
    public Subprocess.Builder stderr(Redirect redirect) {
        requireNotSetBy(stderrSetter, "stderr");
        stderr = output(redirect, "stderr");
        stderrSetter = "stderr(" + Redirects.describe(redirect) + ")";
        return this;
    }

    private static Redirect output(Redirect redirect, String stream) {
        Objects.requireNonNull(redirect, "redirect");
        if (redirect.type() == Redirect.Type.READ) {
            throw new IllegalArgumentException(stream + " cannot be " + Redirects.describe(redirect) + ": use Redirect.to(file)");
        }
        return redirect;
    }

    @Override
    public Subprocess.Builder captureOutput() {
        requireNotSetBy(stdoutSetter, "stdout");
        if (!MERGE_STDERR.equals(stderrSetter)) {
            requireNotSetBy(stderrSetter, "stderr"); // before changing anything: a refused call leaves the builder as it was
            stderr = Redirect.PIPE;
            stderrSetter = CAPTURE_OUTPUT;
        }
        stdout = Redirect.PIPE;
        stdoutSetter = CAPTURE_OUTPUT;
        return this;
    }

    @Override
    public Subprocess.Builder stderrToStdout() {
        if (!CAPTURE_OUTPUT.equals(stderrSetter)) {
            requireNotSetBy(stderrSetter, "stderr");
        }
        stderr = null;
        stderrSetter = MERGE_STDERR;
        return this;
    }

    @Override
    public Subprocess.Builder timeout(Duration timeout) {
        requireUnset(this.timeout, "timeout");
        this.timeout = positive(timeout, "timeout");
        return this;
    }

    @Override
    public Subprocess.Builder gracePeriod(Duration grace) {
        requireUnset(this.grace, "gracePeriod");
        this.grace = nonNegative(grace, "grace");
        return this;
    }

    @Override
    public Subprocess.Builder check() {
        requireUnset(check, "check");
        check = true;
        return this;
    }

    @Override
    public Subprocess.Builder cwd(Path directory) {
        requireUnset(cwd, "cwd");
        cwd = Objects.requireNonNull(directory, "directory");
        return this;
    }

    @Override
    public Subprocess.Builder env(String key, String value) {
        checkEnv(key, value);
        env.put(key, value);
        return this;
    }

    @Override
    public Subprocess.Builder env(Map<String, String> variables) {
        Objects.requireNonNull(variables, "variables");
        Map<String, String> copy = new LinkedHashMap<>(variables); // one look at a map that may change meanwhile
        copy.forEach(this::checkEnv); // all before any: a refused call leaves the builder as it was
        env.putAll(copy);
        return this;
    }

    /** Throws if {@code key=value} cannot be set: see {@link Subprocess.Builder#env(String, String)}. */
    private void checkEnv(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("environment variable name must be non-empty, without '=' or NUL: \""
                    + key + "\"");
        }
        if (value.indexOf('\0') >= 0) { // the JDK refuses it only at the start, without naming the variable
            throw new IllegalArgumentException("the value of environment variable " + key
                    + " contains a NUL character, which no program can receive");
        }
        requireUnset(env.get(key), "env " + key);
    }

    @Override
    public Subprocess.Builder clearEnv() {
        requireUnset(clearEnv, "clearEnv");
        clearEnv = true;
        return this;
    }

    @Override
    public Subprocess.Builder charset(Charset charset) {
        requireUnset(this.charset, "charset");
        this.charset = Objects.requireNonNull(charset, "charset");
        return this;
    }

    @Override
    public CompletedProcess run() throws IOException, InterruptedException {
        Deadline deadline = timeout == null ? Deadline.none() : Deadline.after(timeout);
        SubprocessImpl process = SubprocessImpl.start(this);
        CompletedProcess done;
        try {
            done = process.communicate(null, deadline, timeout);
        } catch (TimeoutExpiredException e) {
            throw process.killAfterTimeout(timeout, grace == null ? Duration.ZERO : grace);
        } catch (UncheckedIOException e) {
            throw e.getCause(); // reading an output pipe failed: run() declares IOException
        } finally {
            process.close(); // kills the tree if we leave by an interrupt or an error, closes the pipes
        }
        if (check != null) {
            done.checkReturnCode();
        }
        return done;
    }

    @Override
    public Subprocess start() throws IOException {
        if (timeout != null || check != null || grace != null) {
            String setter = timeout != null ? "timeout(" + timeout + ")"
                    : check != null ? "check()" : "gracePeriod(" + grace + ")";
            throw new IllegalStateException(setter + " applies to run(), not start(): pass timeouts to "
                    + "waitFor(Duration) or communicate(..., Duration), the grace to killTree(Duration), and check "
                    + "the status with CompletedProcess.checkReturnCode()");
        }
        return SubprocessImpl.start(this);
    }

    // ---- what the implementation and the pipeline read ----

    List<String> args() {
        return args;
    }

    Charset charsetOrDefault() {
        return charset == null ? StandardCharsets.UTF_8 : charset;
    }

    Path cwd() {
        return cwd;
    }

    /** The bytes to feed to stdin, or null when stdin is not fed by us. */
    byte[] inputBytes() {
        return switch (stdin) {
            case byte[] bytes -> bytes;
            case String text -> TextInput.encode(text, charsetOrDefault());
            case null, default -> null;
        };
    }

    Redirect stdinRedirect() {
        return Redirects.forStdin(stdin);
    }

    Redirect stdoutRedirect() {
        return stdout == null ? Redirect.INHERIT : stdout;
    }

    /** Where stderr goes, or null if it is merged into stdout. */
    Redirect stderrRedirect() {
        if ("stderrToStdout()".equals(stderrSetter)) {
            return null;
        }
        return stderr == null ? Redirect.INHERIT : stderr;
    }

    /** Where a bare command name is looked for: see {@link SearchPath}. */
    SearchPath searchPath() {
        return SearchPath.of(clearEnv != null || env.containsKey("PATH"), env.get("PATH"));
    }

    /**
     * The JDK builder for this command: arguments, directory, environment and redirections. A bare command
     * name that the command's own PATH decides (see {@link SearchPath}) is replaced by the absolute file
     * found there, which the JDK then runs as is (so it is also the command's {@code argv[0]}).
     *
     * @throws NoSuchFileException if it is not found there, naming it and the PATH searched (or the working
     *                             directory, if that is missing); {@link java.nio.file.AccessDeniedException}
     *                             if only files the command may not execute are
     */
    ProcessBuilder toProcessBuilder() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(args));
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        if (clearEnv != null || !env.isEmpty()) {
            Map<String, String> environment = pb.environment();
            if (clearEnv != null) {
                environment.clear();
            }
            environment.putAll(env);
        }
        pb.redirectInput(stdinRedirect());
        pb.redirectOutput(stdoutRedirect());
        Redirect err = stderrRedirect();
        if (err == null || Redirects.sameOutputFile(err, pb.redirectOutput())) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(err);
        }
        SearchPath search = searchPath();
        String exe = args.getFirst();
        if (search.ours() && !exe.isEmpty() && !exe.contains("/")) {
            Path found = search.find(exe, cwd);
            if (found == null) {
                IOException why = StartFailure.diagnose(args, cwd, search, pb);
                throw why != null ? why : new NoSuchFileException(exe, null, "executable of "
                        + SubprocessException.display(args) + " not found on " + search.describe());
            }
            pb.command().set(0, found.toString());
        }
        return pb;
    }

    /**
     * The JDK builder for stage {@code index} of a pipeline of {@code count} stages.
     *
     * @throws IllegalArgumentException if this builder sets something that belongs to the pipeline
     */
    ProcessBuilder toStage(int index, int count) throws IOException {
        String stage = "stage " + (index + 1) + " of " + count + " of the pipeline (" + SubprocessException.display(args) + ")";
        for (String setter : new String[] {stdinSetter, stdoutSetter, timeout == null ? null : "timeout(...)",
            grace == null ? null : "gracePeriod(...)", check == null ? null : "check()", charset == null ? null : "charset(...)"}) {
            if (setter != null && !setter.startsWith("stderr")) {
                throw new IllegalArgumentException(stage + " sets " + setter
                        + ": set input, output, timeout, grace period, check and charset on the Pipeline instead");
            }
        }
        if ("captureOutput()".equals(stderrSetter)) {
            throw new IllegalArgumentException(stage + " sets captureOutput(): call it on the Pipeline instead");
        }
        ProcessBuilder pb = toProcessBuilder();
        pb.redirectInput(Redirect.PIPE);
        pb.redirectOutput(Redirect.PIPE);
        return pb;
    }

    /** Whether this stage chose its own stderr (a redirect or the merge), which the pipeline then leaves alone. */
    boolean setsStderr() {
        return stderrSetter != null;
    }

    private static void requireNotSetBy(String setter, String what) {
        if (setter != null) {
            throw new IllegalStateException(what + " was already set by " + setter);
        }
    }
}

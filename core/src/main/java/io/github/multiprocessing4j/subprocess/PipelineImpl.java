package io.github.multiprocessing4j.subprocess;

import static io.github.multiprocessing4j.internal.builder.BuilderChecks.nonNegative;
import static io.github.multiprocessing4j.internal.builder.BuilderChecks.positive;
import static io.github.multiprocessing4j.internal.builder.BuilderChecks.requireUnset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@link Pipeline}: starts the stages with {@link ProcessBuilder#startPipeline}, which connects them
 * with operating system pipes, then feeds the first stage and drains the last stage's stdout and every
 * captured stderr on threads of their own, as {@link SubprocessImpl} does for one command.
 */
final class PipelineImpl implements Pipeline {
    private static final String STAGE_STDOUT_HINT =
            "only the last stage's stdout can be captured, by captureOutput() or stdout(Redirect.PIPE) on the Pipeline";
    private static final String LAST_STDOUT_HINT = "call captureOutput() or stdout(Redirect.PIPE) on the Pipeline to capture it";
    private static final String STDERR_HINT =
            "call captureOutput() on the Pipeline, or stderr(Redirect.PIPE) on the stage's builder, to capture it";
    private final List<SubprocessBuilder> stages;
    /** One of byte[], String, Path, Redirect, or null. */
    private Object stdin;
    private Redirect stdout;
    private Boolean captureStderr;
    private Duration timeout;
    private Duration grace;
    private Boolean check;
    private Charset charset;

    PipelineImpl(Subprocess.Builder first, Subprocess.Builder second, Subprocess.Builder... more) {
        List<SubprocessBuilder> all = new ArrayList<>();
        all.add(stage(first));
        all.add(stage(second));
        for (Subprocess.Builder b : more) {
            all.add(stage(b));
        }
        stages = List.copyOf(all);
    }

    private static SubprocessBuilder stage(Subprocess.Builder b) {
        return (SubprocessBuilder) Objects.requireNonNull(b, "stage");
    }

    @Override
    public Pipeline input(String input) {
        return setStdin(Objects.requireNonNull(input, "input"));
    }

    @Override
    public Pipeline input(byte[] input) {
        return setStdin(Objects.requireNonNull(input, "input"));
    }

    @Override
    public Pipeline input(Path file) {
        return setStdin(Objects.requireNonNull(file, "file"));
    }

    @Override
    public Pipeline stdin(Redirect redirect) {
        Objects.requireNonNull(redirect, "redirect");
        if (redirect.type() != Redirect.Type.READ && redirect != Redirect.INHERIT && redirect != Redirect.DISCARD) {
            throw new IllegalArgumentException("the pipeline's stdin cannot be " + Redirects.describe(redirect)
                    + ": use INHERIT, DISCARD, Redirect.from(file) or input(...)");
        }
        return setStdin(redirect);
    }

    private Pipeline setStdin(Object value) {
        requireUnset(stdin, "stdin");
        stdin = value;
        return this;
    }

    @Override
    public Pipeline stdout(Redirect redirect) {
        requireUnset(stdout, "stdout");
        if (Objects.requireNonNull(redirect, "redirect").type() == Redirect.Type.READ) {
            throw new IllegalArgumentException("stdout cannot be " + Redirects.describe(redirect) + ": use Redirect.to(file)");
        }
        stdout = redirect;
        return this;
    }

    @Override
    public Pipeline captureOutput() {
        requireUnset(stdout, "stdout");
        requireUnset(captureStderr, "captureOutput");
        stdout = Redirect.PIPE;
        captureStderr = true;
        return this;
    }

    @Override
    public Pipeline timeout(Duration timeout) {
        requireUnset(this.timeout, "timeout");
        this.timeout = positive(timeout, "timeout");
        return this;
    }

    @Override
    public Pipeline gracePeriod(Duration grace) {
        requireUnset(this.grace, "gracePeriod");
        this.grace = nonNegative(grace, "grace");
        return this;
    }

    @Override
    public Pipeline check() {
        requireUnset(check, "check");
        check = true;
        return this;
    }

    @Override
    public Pipeline charset(Charset charset) {
        requireUnset(this.charset, "charset");
        this.charset = Objects.requireNonNull(charset, "charset");
        return this;
    }

    @Override
    public CompletedPipeline run() throws IOException, InterruptedException {
        Charset cs = charset == null ? StandardCharsets.UTF_8 : charset;
        List<ProcessBuilder> builders = builders();
        byte[] input = switch (stdin) {
            case byte[] bytes -> bytes;
            case String text -> TextInput.encode(text, cs);
            case null, default -> null;
        };
        Deadline deadline = timeout == null ? Deadline.none() : Deadline.after(timeout);
        // the JDK's open of a FIFO would block until the other end comes: the stage gets a pipe instead (FifoRelay)
        Path fifo = FifoRelay.fifoOf(builders.getFirst().redirectInput());
        if (fifo != null) {
            builders.getFirst().redirectInput(Redirect.PIPE);
        }
        Redirect stdoutFifo = FifoRelay.fifoOf(builders.getLast().redirectOutput()) != null
                ? builders.getLast().redirectOutput() : null;
        List<Redirect> stderrFifos = new ArrayList<>(); // by stage: its stderr's FIFO redirect, or null
        for (ProcessBuilder pb : builders) {
            Redirect err = pb.redirectErrorStream() ? null : pb.redirectError();
            stderrFifos.add(FifoRelay.fifoOf(err) != null ? err : null);
        }
        withPipesForFifos(builders, stdoutFifo, stderrFifos, true);
        List<Process> processes = start(builders);
        // back to the FIFOs: what follows reads the builders to choose what to collect and to describe the redirects
        withPipesForFifos(builders, stdoutFifo, stderrFifos, false);
        boolean finished = false;
        FifoRelay fifoInput = null;
        List<FifoRelay> fifoOutputs = new ArrayList<>();
        try {
            if (input != null) {
                InputFeeder.start(processes.getFirst().getOutputStream(), input, "stdin of pipeline " + display());
            }
            if (fifo != null) {
                fifoInput = FifoRelay.fromFifo(fifo, processes.getFirst().getOutputStream(),
                        "stdin of pipeline " + display());
            }
            if (stdoutFifo != null) {
                Process last = processes.getLast();
                fifoOutputs.add(FifoRelay.toFifo(stdoutFifo, last, last.getInputStream(),
                        "stdout of pipeline " + display()));
            }
            for (int i = 0; i < processes.size(); i++) {
                if (stderrFifos.get(i) != null) {
                    Process stage = processes.get(i);
                    fifoOutputs.add(FifoRelay.toFifo(stderrFifos.get(i), stage, stage.getErrorStream(),
                            "stderr of stage " + (i + 1)));
                }
            }
            OutputCollector out = builders.getLast().redirectOutput() == Redirect.PIPE
                    ? OutputCollector.start(processes.getLast().getInputStream(), "stdout of pipeline " + display())
                    : null;
            List<OutputCollector> errs = new ArrayList<>();
            for (int i = 0; i < processes.size(); i++) {
                ProcessBuilder pb = builders.get(i);
                errs.add(pb.redirectError() == Redirect.PIPE && !pb.redirectErrorStream()
                        ? OutputCollector.start(processes.get(i).getErrorStream(), "stderr of stage " + (i + 1))
                        : null);
            }
            List<OutputCollector> collectors = new ArrayList<>(errs);
            collectors.add(out);
            collectors.removeIf(Objects::isNull);
            // the output copied to a FIFO is at its reader when we return, as it would be with the FIFO as the redirect
            if (!Completion.awaitEnd(collectors, processes, deadline) || !FifoRelay.awaitEnd(fifoOutputs, deadline)) {
                List<Long> killed = Completion.killTrees(processes, collectors, grace == null ? Duration.ZERO : grace);
                finished = true;
                throw new TimeoutExpiredException("pipeline " + display(), flatArgs(), timeout, killed, false,
                        out == null ? null : out.snapshot(),
                        CapturedBytes.concatLines(errs.stream().map(c -> c == null ? null : c.snapshot()).toList(), cs),
                        false, cs); // the stages' stderr, which the message quotes, even if the last one merged its own
            }
            finished = true;
            return checked(collect(processes, builders, out, errs, cs));
        } catch (UncheckedIOException e) {
            throw e.getCause(); // reading an output pipe failed: run() declares IOException
        } finally {
            try {
                if (!finished) {
                    // interrupted, or an error: do not leave the stages running
                    Completion.killTrees(processes, List.of(), Duration.ZERO);
                }
            } finally {
                // their threads may wait for good for the FIFO's other end to open it, or to use it
                if (fifoInput != null) {
                    fifoInput.release();
                }
                FifoRelay.releaseAll(fifoOutputs);
            }
        }
    }

    /**
     * Sets a pipe in place of each FIFO the last stage's stdout ({@code stdoutFifo}) or a stage's stderr
     * ({@code stderrFifos}) goes to, for the start; or, with {@code pipes} false, puts the FIFOs back.
     */
    private static void withPipesForFifos(List<ProcessBuilder> builders, Redirect stdoutFifo, List<Redirect> stderrFifos,
            boolean pipes) {
        if (stdoutFifo != null) {
            builders.getLast().redirectOutput(pipes ? Redirect.PIPE : stdoutFifo);
        }
        for (int i = 0; i < builders.size(); i++) {
            if (stderrFifos.get(i) != null) {
                builders.get(i).redirectError(pipes ? Redirect.PIPE : stderrFifos.get(i));
            }
        }
    }

    private CompletedPipeline checked(CompletedPipeline result) {
        return check == null ? result : result.checkReturnCodes();
    }

    /** The stages' results, once every stage has exited and every pipe we read has ended. */
    private CompletedPipeline collect(List<Process> processes, List<ProcessBuilder> builders, OutputCollector out,
            List<OutputCollector> errs, Charset cs) {
        List<CompletedProcess> done = new ArrayList<>();
        for (int i = 0; i < processes.size(); i++) {
            boolean last = i == processes.size() - 1;
            ProcessBuilder pb = builders.get(i);
            OutputCollector err = errs.get(i);
            done.add(new CompletedProcess(stages.get(i).args(), processes.get(i).exitValue(),
                    last && out != null ? out.complete() : null, last ? Redirects.describe(pb.redirectOutput()) : "the next stage",
                    last ? LAST_STDOUT_HINT : STAGE_STDOUT_HINT,
                    err == null ? null : err.complete(), pb.redirectErrorStream() ? CompletedProcess.MERGED_INTO_STDOUT
                            : Redirects.describe(pb.redirectError()), STDERR_HINT, cs));
        }
        return new CompletedPipeline(done);
    }

    private List<ProcessBuilder> builders() throws IOException {
        int n = stages.size();
        List<ProcessBuilder> builders = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            SubprocessBuilder stage = stages.get(i);
            ProcessBuilder pb = stage.toStage(i, n);
            if (i == 0) {
                pb.redirectInput(Redirects.forStdin(stdin));
            }
            if (i == n - 1) {
                pb.redirectOutput(stdout == null ? Redirect.INHERIT : stdout);
                if (!pb.redirectErrorStream() && Redirects.sameOutputFile(pb.redirectError(), pb.redirectOutput())) {
                    pb.redirectErrorStream(true); // one open of the file for both, or each overwrites the other
                }
            }
            if (captureStderr != null && !stage.setsStderr()) {
                pb.redirectError(Redirect.PIPE);
            }
            builders.add(pb);
        }
        return builders;
    }

    private List<Process> start(List<ProcessBuilder> builders) throws IOException {
        // The JDK's startPipeline closes its end of a stage's output pipe only after the next stage has
        // started: a later stage that fails to start leaks that descriptor for good, one per run. And the
        // stages before it have run meanwhile: the JDK kills them, but not what they started. So the usual
        // causes (a missing executable, #! interpreter, working directory or redirect file) are looked for
        // before any stage starts; only a rarer failure (an argument list too long, a file removed
        // meanwhile) still leaks one.
        for (int i = 1; i < stages.size(); i++) {
            IOException cannotStart = StartFailure.diagnoseFailure(stages.get(i).args(), stages.get(i).cwd(),
                    stages.get(i).searchPath(), builders.get(i));
            if (cannotStart != null) {
                throw cannotStart;
            }
        }
        try {
            return ProcessBuilder.startPipeline(builders);
        } catch (IOException e) {
            for (int i = 0; i < stages.size(); i++) {
                IOException explained = StartFailure.diagnoseFailure(stages.get(i).args(), stages.get(i).cwd(),
                        stages.get(i).searchPath(), builders.get(i));
                if (explained != null) {
                    explained.initCause(e);
                    throw explained;
                }
            }
            throw e;
        }
    }

    private String display() {
        return String.join(" | ", stages.stream().map(s -> SubprocessException.display(s.args())).toList());
    }

    private List<String> flatArgs() {
        List<String> flat = new ArrayList<>();
        for (SubprocessBuilder s : stages) {
            if (!flat.isEmpty()) {
                flat.add("|");
            }
            flat.addAll(s.args());
        }
        return flat;
    }
}

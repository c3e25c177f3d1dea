package io.github.multiprocessing4j.subprocess;

import java.util.List;

/**
 * A pipeline that has finished: every stage's {@link CompletedProcess}, and the last stage's output.
 *
 * {@snippet :
 * CompletedPipeline p = Subprocess.pipeline(Subprocess.command("false"), Subprocess.command("cat"))
 *         .captureOutput().run();
 * p.returnCode();   // 0: the last stage's, as a shell reports it
 * p.returnCodes();  // [1, 0]
 * p.checkReturnCodes(); // throws CalledProcessException naming stage 1 ([false]), as `set -o pipefail`
 * }
 *
 * <p>A stage's {@link CompletedProcess#stdout()} can be read for the last stage only, when captured: the
 * other stages' stdout went down the pipe. Its {@link CompletedProcess#stderr()} can be read when the
 * pipeline captured it.
 *
 * <p><b>Thread-safety:</b> immutable.
 */
public final class CompletedPipeline {
    private final List<CompletedProcess> stages;

    CompletedPipeline(List<CompletedProcess> stages) {
        this.stages = List.copyOf(stages);
    }

    /** Every stage, first to last. */
    public List<CompletedProcess> stages() {
        return stages;
    }

    /** The last stage's exit status, which is what a shell reports for a pipeline. */
    public int returnCode() {
        return stages.getLast().returnCode();
    }

    /** Every stage's exit status, first to last (bash's {@code PIPESTATUS}). */
    public List<Integer> returnCodes() {
        return stages.stream().map(CompletedProcess::returnCode).toList();
    }

    /**
     * The last stage's stdout as text.
     *
     * @throws IllegalStateException if it was not captured
     */
    public String stdout() {
        return stages.getLast().stdout();
    }

    /**
     * The last stage's stdout as bytes, in a new array.
     *
     * @throws IllegalStateException if it was not captured
     */
    public byte[] stdoutBytes() {
        return stages.getLast().stdoutBytes();
    }

    /**
     * Returns this if every stage exited with 0 (the shell's {@code pipefail}).
     *
     * @throws CalledProcessException for the last stage that did not, as {@code pipefail} reports; the
     *                                message names the stage. A stage killed by SIGPIPE because a later
     *                                one stopped reading ({@code yes | head -1}) counts as failed.
     */
    public CompletedPipeline checkReturnCodes() {
        for (int i = stages.size() - 1; i >= 0; i--) {
            CompletedProcess stage = stages.get(i);
            if (stage.returnCode() != 0) {
                String what = "stage " + (i + 1) + " of " + stages.size() + " " + SubprocessException.display(stage.args())
                        + " of pipeline " + display();
                // not the hint for one command ("captureOutput() without stderrToStdout()"): a stage's builder
                // refuses captureOutput()
                String notCaptured = stage.stderrMerged() && i < stages.size() - 1
                        ? "its stderr went down the pipe to the next stage, with its stdout (stderrToStdout())"
                        : "stderr was not captured: call captureOutput() on the Pipeline, or stderr(Redirect.PIPE) on "
                                + "the stage's builder, to put its last lines in this message";
                throw new CalledProcessException(what, stage.args(), stage.returnCode(), stage.capturedStdout(),
                        stage.capturedStderr(), stage.stderrMerged(), stage.charset(), notCaptured);
            }
        }
        return this;
    }

    private String display() {
        return String.join(" | ", stages.stream().map(s -> SubprocessException.display(s.args())).toList());
    }

    @Override
    public String toString() {
        return "CompletedPipeline" + stages;
    }
}

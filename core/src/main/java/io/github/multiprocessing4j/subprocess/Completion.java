package io.github.multiprocessing4j.subprocess;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Waiting for commands to finish against one deadline, and the kill that follows a timeout; shared by
 * {@link SubprocessImpl} and {@link PipelineImpl}.
 */
final class Completion {
    private static final System.Logger LOG = System.getLogger(Completion.class.getName());
    /**
     * After the tree is killed, how long to wait for its output pipes to close. Every known writer is dead,
     * so they close at once, unless a process that escaped the tree kill holds them: then we give up after
     * this and report the output we have.
     */
    static final Duration ESCAPED_WRITER_GRACE = Duration.ofSeconds(1);

    private Completion() {
    }

    /**
     * Waits until every collector has reached the end of its stream and every process has exited.
     *
     * @return true if all ended, false if the deadline passed first
     * @throws InterruptedException if interrupted (the interrupt status is cleared)
     */
    static boolean awaitEnd(List<OutputCollector> collectors, List<Process> processes, Deadline deadline)
            throws InterruptedException {
        for (OutputCollector c : collectors) {
            if (!c.await(deadline)) {
                return false;
            }
        }
        for (Process p : processes) {
            if (!deadline.bounded()) {
                p.waitFor();
            } else if (!p.waitFor(deadline.remainingNanos(), TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Kills the process tree of every process still alive (see {@link ProcessTree}), then waits a little
     * for the output to end and the processes to be reaped.
     *
     * @return the pids that were signalled
     * @throws InterruptedException if interrupted during the grace period or the wait (the trees are
     *                              killed in any case)
     */
    static List<Long> killTrees(List<Process> processes, List<OutputCollector> collectors, Duration grace)
            throws InterruptedException {
        List<ProcessHandle> roots = processes.stream().filter(Process::isAlive).map(Process::toHandle).toList();
        List<Long> killed = roots.isEmpty() ? List.of() : ProcessTree.kill(roots, grace);
        if (!awaitEnd(collectors, processes, Deadline.after(ESCAPED_WRITER_GRACE))) {
            LOG.log(Level.DEBUG, () -> "output pipes still open " + ESCAPED_WRITER_GRACE.toMillis()
                    + " ms after killing process trees " + killed + ": a process that left the tree holds them");
        }
        return killed;
    }
}

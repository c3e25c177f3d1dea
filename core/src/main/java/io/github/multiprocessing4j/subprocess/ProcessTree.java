package io.github.multiprocessing4j.subprocess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/*
 * Overview
 *
 * Killing a process tree with nothing but ProcessHandle:
 *
 *   1. Snapshot: the root and root.descendants(), parents before children (the JDK lists them level by
 *      level). The snapshot must come first: once a parent dies its children are re-parented (to init or
 *      the nearest subreaper) and no longer appear among the root's descendants, but a ProcessHandle taken
 *      before still reaches them.
 *   2. Optionally SIGTERM every member, top-down, and give them `grace` to exit, so they can clean up. A
 *      stopped member (SIGSTOP, SIGTSTP) does not act on the SIGTERM until it is continued: it would sit out
 *      the grace and be SIGKILLed without having run its handler. So the stopped ones are then sent SIGCONT,
 *      as systemd does after its SIGTERM; the SIGTERM, pending meanwhile, is delivered as they resume.
 *   3. After a grace period, add the descendants of the members still running that the snapshot did not
 *      have: a SIGTERM handler may have started clean-up processes meanwhile.
 *   4. SIGKILL every member still alive, top-down: a parent killed first cannot react to its children's
 *      death by starting new ones.
 *
 * ProcessHandle.destroy/destroyForcibly check the process start time as well as the pid, so a pid reused
 * by an unrelated process after a member died is never signalled.
 *
 * Limits, documented on Subprocess: a process that a member starts between the last listing and the kill
 * and that is re-parented before the kill (its parent exited), or
 * one that double-forked away (setsid, daemonizing) before the snapshot, is no longer a descendant and
 * survives. Closing that gap needs an OS facility the JDK does not expose (a cgroup, or PR_SET_CHILD_SUBREAPER
 * on this JVM plus a process group kill). Another user's processes cannot be signalled.
 *
 * Rejected: SIGSTOP the tree before the snapshot (needs the kill command, costs a process launch per
 * signal and a stopped tree still races with the stop itself); kill(-pgid) (the JDK does not put the
 * child in a process group of its own, so the group would be ours).
 */

/** Finds and kills a process and all its descendants; see the overview above. */
final class ProcessTree {
    private static final System.Logger LOG = System.getLogger(ProcessTree.class.getName());
    private static final long POLL_MILLIS = 10;
    /** What {@link #state} says when {@code /proc} has no stat for the process. */
    private static final char UNKNOWN = 0;

    private ProcessTree() {
    }

    /**
     * Kills {@code root} and every process descending from it when this method is called. With a positive
     * {@code grace}, first asks them all to stop (SIGTERM) and waits up to {@code grace} for them to exit.
     * Returns without waiting for the SIGKILLed processes to be reaped.
     *
     * @return the pids of the processes found, root first; each was signalled unless it had exited by then
     * @throws InterruptedException if interrupted during the grace period; the survivors are then killed
     *                              before this method throws (the interrupt status is cleared)
     */
    static List<Long> kill(ProcessHandle root, Duration grace) throws InterruptedException {
        return kill(List.of(root), grace);
    }

    /**
     * Kills several trees as one: every root's descendants are found before any process is signalled, so
     * that the stages of a pipeline are all caught even if one would exit on its own once an earlier one
     * died (a {@code cat} whose input closes). The pids of processes that exited in between are listed too.
     */
    static List<Long> kill(List<ProcessHandle> roots, Duration grace) throws InterruptedException {
        List<ProcessHandle> members = new ArrayList<>();
        for (ProcessHandle root : roots) {
            members.add(root);
            members.addAll(root.descendants().toList());
        }
        try {
            if (grace.isPositive()) {
                members.forEach(ProcessHandle::destroy);
                continueStopped(members);
                awaitExit(members, Deadline.after(grace));
            }
        } finally {
            if (grace.isPositive()) {
                addDescendantsForkedSince(members); // e.g. by a SIGTERM handler's clean-up, during the grace
            }
            for (ProcessHandle p : members) {
                if (isRunning(p)) {
                    p.destroyForcibly();
                }
            }
        }
        List<Long> pids = members.stream().map(ProcessHandle::pid).toList();
        LOG.log(Level.DEBUG, () -> "killed process tree " + pids.stream().map(String::valueOf)
                .collect(Collectors.joining(", ", "[", "]")));
        return pids;
    }

    /**
     * Whether {@code p} still runs. {@link ProcessHandle#isAlive()} also says true of a zombie, a process
     * that has exited but has not been reaped; a re-parented grandchild stays one until init gets round to
     * it, which can take seconds. On Linux the state letter in {@code /proc/<pid>/stat} tells them apart.
     */
    static boolean isRunning(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        char state = state(p);
        if (state == UNKNOWN) {
            return p.isAlive(); // no procfs (macOS), or it has just been reaped
        }
        return state != 'Z' && state != 'X';
    }

    /**
     * The state letter of {@code p} in {@code /proc/<pid>/stat} (R, S, D, T for stopped, Z...), '?' if the line
     * cannot be parsed, or {@link #UNKNOWN} if it cannot be read. Read as bytes: the command name in it is
     * the executable's file name, which need not be UTF-8.
     */
    private static char state(ProcessHandle p) {
        try {
            String stat = new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "stat")),
                    StandardCharsets.ISO_8859_1);
            int afterName = stat.lastIndexOf(')');
            return afterName >= 0 && afterName + 2 < stat.length() ? stat.charAt(afterName + 2) : '?';
        } catch (IOException | UncheckedIOException e) {
            return UNKNOWN;
        }
    }

    /** Sends SIGCONT to the members that are stopped, so that they act on the SIGTERM just sent. */
    private static void continueStopped(List<ProcessHandle> members) throws InterruptedException {
        for (ProcessHandle p : members) {
            if (state(p) == 'T') {
                try {
                    Signal.CONT.sendTo(p);
                } catch (IOException e) { // it is SIGKILLed after the grace all the same
                    LOG.log(Level.DEBUG, () -> "could not continue stopped pid " + p.pid() + ": " + e.getMessage());
                }
            }
        }
    }

    /** Adds to {@code members} the descendants of its running processes that it does not list yet. */
    private static void addDescendantsForkedSince(List<ProcessHandle> members) {
        Set<ProcessHandle> known = new HashSet<>(members);
        for (ProcessHandle p : List.copyOf(members)) {
            if (isRunning(p)) {
                p.descendants().filter(known::add).forEach(members::add);
            }
        }
    }

    private static void awaitExit(List<ProcessHandle> members, Deadline deadline) throws InterruptedException {
        while (members.stream().anyMatch(ProcessTree::isRunning) && !deadline.expired()) {
            Thread.sleep(Math.min(POLL_MILLIS, Math.max(1, deadline.remainingNanos() / 1_000_000)));
        }
    }
}

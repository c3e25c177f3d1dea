package io.github.multiprocessing4j.testing;

import io.github.multiprocessing4j.internal.launch.SpareJvms;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The child processes of the test JVM, for tests that check nothing was left behind:
 * <pre>{@code
 * Set<Long> before = ChildProcesses.livePids();
 * ... // start and stop something
 * await().untilAsserted(() -> assertThat(before).containsAll(ChildProcesses.livePids()));
 * }</pre>
 */
public final class ChildProcesses {
    private ChildProcesses() {
    }

    /**
     * The pids of this JVM's direct children that are alive now, except the warm spare of
     * {@link io.github.multiprocessing4j.process.JvmProcess}: each start launches the next spare in the
     * background, so one that an earlier test's start launched may appear after a test took its {@code before}
     * set, and stay (idle) after the test. No test checks a spare this way: pools take none, and an interrupted
     * start launches none.
     */
    public static Set<Long> livePids() {
        long spare = SpareJvms.get().sparePid(); // -1 while a spare boots: a wait until it connects drops it
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .filter(pid -> pid != spare).collect(Collectors.toSet());
    }
}

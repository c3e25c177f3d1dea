package io.github.multiprocessing4j.testing;

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

    /** The pids of this JVM's direct children that are alive now. */
    public static Set<Long> livePids() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }
}

package io.github.multiprocessing4j.testing;

import io.github.multiprocessing4j.internal.launch.SpareJvms;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * Whether {@code pid} runs: it exists and is not a zombie. A process whose parent died is reaped by init,
     * which may take a second or more (seen here: exited within 35 ms, reaped after 1.0 to 1.7 s), and
     * {@link ProcessHandle#of} and {@link ProcessHandle#isAlive} count it as alive until then.
     */
    public static boolean running(long pid) {
        return ProcessHandle.of(pid).map(ChildProcesses::running).orElse(false);
    }

    /** Whether {@code process} runs: it is alive and not a zombie (without {@code /proc}: alive). */
    public static boolean running(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "stat")),
                    StandardCharsets.ISO_8859_1);
            int afterName = stat.lastIndexOf(')'); // the command name before it may hold anything
            char state = afterName >= 0 && afterName + 2 < stat.length() ? stat.charAt(afterName + 2) : '?';
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return !Files.isDirectory(Path.of("/proc/self")); // gone since, or no procfs
        }
    }
}

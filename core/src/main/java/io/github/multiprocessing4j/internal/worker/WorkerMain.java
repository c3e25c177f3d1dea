package io.github.multiprocessing4j.internal.worker;

import io.github.multiprocessing4j.internal.config.Settings;
import io.github.multiprocessing4j.internal.launch.BootRecord;
import io.github.multiprocessing4j.internal.session.Session;
import io.github.multiprocessing4j.internal.session.ThisProcess;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code main} of every child JVM.
 *
 * <pre>
 *  read the boot record on stdin  ->  join the parent's session  ->  connect back, handshake, HELLO
 *  ->  serve what the parent asks for (one task, or a pool's tasks), watching for the parent's death
 * </pre>
 *
 * A child whose boot record carries its task ({@link DirectStart}) signals its start on stdout instead of
 * connecting, runs the task and reports in a file.
 *
 * It loads as little as it can before the task arrives: no logging, no reflection, no thread pools.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        long mainNanos = System.nanoTime();
        Settings.leaveWarningsToParent(); // which read the same mp4j.* settings, and said once what is wrong with them
        InputStream stdin = System.in;
        BootRecord boot;
        try {
            boot = BootRecord.read(stdin);
        } catch (java.io.IOException e) {
            System.err.println("multiprocessing4j worker: " + e.getMessage());
            System.exit(2);
            return;
        }
        // Before the warm-up: a spare's rehearsal runs static initializers of the user's classes, which must find this
        // JVM a child, with its parent's pid (JvmProcess.current()), as they do when the task's own decode runs them.
        Session.join(boot.key(), boot.sessionDirectory());
        ThisProcess.parentPid(boot.parentPid());
        CountDownLatch rehearsed = new CountDownLatch(0);
        if (!boot.direct()) {
            // Linking the serialization and lambda machinery takes a cold JVM ~15 ms, and connecting a Unix-domain
            // socket ~30 ms (the JDK seeds a SecureRandom for it); do the first while the main thread does the second.
            // A child started with its task connects nowhere and decodes the task at once: a warm-up beside that only
            // competes for the CPU (back to back on 2 cores, 4 of 4 interleaved runs were 10-70 ms slower with it).
            rehearsed = Warmup.startInBackground(boot.rehearsal());
        }
        ParentWatch watch = ParentWatch.of(boot.parentPid());
        System.setIn(InputStream.nullInputStream());
        boolean succeeded = boot.direct()
                ? ChildSession.serveDirect(boot, mainNanos, watch, stdin)
                : ChildSession.serve(boot, mainNanos, watch, rehearsed);
        if (Boolean.getBoolean(AotTraining.PROPERTY)) {
            AotTraining.exit(succeeded);
        }
        if (!succeeded) {
            TaskFailedExit.installHandler(Thread.currentThread());
            throw new TaskFailedExit();
        }
    }
}

package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.internal.session.Session;
import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.process.JvmProcess;
import io.github.multiprocessing4j.testing.Delays;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool still in use as its JVM exits (a shutdown hook that runs a last task, a worker recycled meanwhile) cannot
 * start a replacement worker: the session refuses starts once the JVM's shutdown has closed it. Nothing is wrong then,
 * and an application that logs through a backend still active at exit (not JUL's default, which is reset at exit)
 * saw a WARNING "a replacement worker failed to start: this JVM is shutting down". It is logged at DEBUG.
 */
class ReplacementAtExitTest {

    private static final String FAILED = "a replacement worker failed to start";

    /** Held: a logger only weakly referenced may be collected, with its level and handler. */
    private static Logger library;

    @Test
    void aReplacementThatCannotStartAsTheJvmExits_isLoggedAtDebug(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("log.txt");
        String file = log.toString();
        try (JvmProcess app = JvmProcess.builder().name("exiting-app")
                .jvmOptions(List.of("-Djava.util.logging.manager=" + KeptLogManager.class.getName()))
                .task(() -> exitWhileTheWorkerIsRecycled(file)).start()) {
            assertThat(app.join(Delays.seconds(180))).as("the application exited").isTrue();
            assertThat(app.exitCode()).hasValue(0);
        }
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).as("the replacement's failure, logged at all").anyMatch(l -> l.contains(FAILED));
        assertThat(lines).filteredOn(l -> l.contains(FAILED)).allMatch(l -> l.startsWith("FINE "));
    }

    /**
     * In the child: a pool that recycles its worker after each task, and a shutdown hook that runs one last task once
     * the session is closed, then waits for the replacement's failure to be logged.
     */
    private static void exitWhileTheWorkerIsRecycled(String file) {
        Path log = Path.of(file);
        library = Logger.getLogger("io.github.multiprocessing4j");
        library.setLevel(Level.FINE);
        library.addHandler(new Handler() {
            @Override
            public synchronized void publish(LogRecord record) {
                String line = record.getLevel() + " " + record.getMessage() + System.lineSeparator();
                try {
                    Files.writeString(log, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        ProcessPool pool = ProcessPool.builder().processes(1).maxTasksPerChild(1).build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Session.isShutDown() && System.nanoTime() < end) {
                pause();
            }
            try {
                SerializableFunction<Integer, Integer> same = x -> x;
                pool.apply(same, 1); // the worker's last task: it is stopped, and a replacement is booted
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            while (!logged(log) && System.nanoTime() < end) {
                pause();
            }
        }));
        System.exit(0);
    }

    private static boolean logged(Path log) {
        try {
            return Files.exists(log) && Files.readString(log).contains(FAILED);
        } catch (IOException e) {
            return false;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** JUL's manager, without the reset at exit that drops every handler: the log goes on until the JVM ends. */
    public static final class KeptLogManager extends LogManager {
        @Override
        public void reset() {
        }
    }
}

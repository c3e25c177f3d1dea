package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.async.Event;
import io.github.multiprocessing4j.async.Task;
import io.github.multiprocessing4j.async.TaskGroup;
import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.pool.ResultIterator;
import io.github.multiprocessing4j.process.JvmProcess;
import io.github.multiprocessing4j.subprocess.CompletedProcess;
import io.github.multiprocessing4j.subprocess.Subprocess;
import io.github.multiprocessing4j.testing.Delays;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The examples of the public javadoc that a user meets first, copied as they are written there (each test
 * names its javadoc; keep the two in step), with stand-ins for the examples' made-up helpers such as
 * {@code resizeImages}. {@link ReadmeExamplesTest} checks the README's examples and the values that many
 * javadoc examples claim; this class checks that the examples themselves, as a user would copy them,
 * run and end.
 */
class JavadocExamplesTest {

    // ---- Pool ----

    @Test
    void poolJavadoc_applyMapApplyAsync_andImapInATryBlock() throws Exception {
        List<Integer> hugeLazyInput = List.of(7, 8, 9);
        List<Integer> consumed = new CopyOnWriteArrayList<>();
        // Pool's class javadoc, with 2 workers instead of 4 and consume(x) as consumed.add(x)
        int nine;
        List<Integer> squares;
        CompletableFuture<Integer> later;
        try (Pool pool = ProcessPool.create(2)) {
            SerializableFunction<Integer, Integer> square = x -> x * x;
            nine = pool.apply(square, 3);
            squares = pool.map(square, List.of(1, 2, 3, 4));          // [1, 4, 9, 16]
            later = pool.applyAsync(square, 5);
            try (ResultIterator<Integer> it = pool.imap(square, hugeLazyInput, 100)) {
                it.forEachRemaining(x -> consumed.add(x));             // in input order, lazily
            }
        }                                                              // close(): waits for queued work
        assertThat(nine).isEqualTo(9);
        assertThat(squares).containsExactly(1, 4, 9, 16);
        assertThat(later).isCompletedWithValue(25);
        assertThat(consumed).containsExactly(49, 64, 81);
    }

    // ---- JvmProcess ----

    /** Prints what the child sees; the child's stdout is copied to whatever {@code System.out} is here. */
    static void resizeImages() {
        System.out.println(System.getProperty("app.mode") + " " + System.getenv("TMPDIR") + " "
                + JvmProcess.current().name() + " " + JvmProcess.current().isChild());
    }

    @Test
    void jvmProcessBuilderJavadoc_startsTheChildInATryBlock_whichEndsIt() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        JvmProcess started;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            // JvmProcess.Builder's javadoc
            try (JvmProcess child = JvmProcess.builder()
                    .name("resize")
                    .task(() -> resizeImages())
                    .jvmOptions(List.of("-Xmx512m"))
                    .systemProperty("app.mode", "batch")
                    .environment("TMPDIR", "/scratch")
                    .daemon(true)
                    .start()) {
                child.join();
                started = child;
            }
        } finally {
            System.setOut(stdout);
        }
        assertThat(started.isAlive()).isFalse();
        assertThat(started.exitCode()).hasValue(0);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("batch /scratch resize true");
    }

    // ---- Subprocess ----

    @Test
    void subprocessBuilderJavadoc_sortUniqueWithInputCwdEnvCheck() throws Exception {
        // Subprocess.Builder's javadoc
        CompletedProcess sorted = Subprocess.command("sort", "-u")
                .input("pear\napple\npear\n")
                .captureOutput()
                .cwd(Path.of("/tmp"))
                .env("LC_ALL", "C")
                .check()
                .run();
        assertThat(sorted.returnCode()).isZero();
        assertThat(sorted.stdout()).isEqualTo("apple\npear\n");
    }

    // ---- TaskGroup ----

    record Price(int cents) {
    }

    static final class OutOfStockException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OutOfStockException(String item) {
            super(item + " is out of stock");
        }
    }

    static Price fetchPrice(String item) {
        return new Price(item.length() * 100);
    }

    static int audit(String item) throws InterruptedException {
        Thread.sleep(Delays.seconds(300));   // long enough that only a cancel ends it in time
        return 0;
    }

    record Stock(boolean any) {
        boolean has(String item) {
            return any;
        }
    }

    @Test
    void taskGroupRunJavadoc_aBodyThatThrows_cancelsBothTasks_andPropagates() {
        String item = "pear";
        Stock stock = new Stock(false);
        List<Task<?>> spawned = new CopyOnWriteArrayList<>();
        // TaskGroup.run's javadoc (the tasks also kept in spawned, to look at them afterwards)
        assertThatThrownBy(() -> {
            Task<Price> price = TaskGroup.run(group -> {
                Task<Price> p = group.spawn(() -> fetchPrice(item));
                spawned.add(p);
                spawned.add(group.spawn(() -> audit(item)));
                if (!stock.has(item)) {
                    throw new OutOfStockException(item);   // cancels both tasks, then propagates
                }
                return p;
            });                                            // both tasks ended here
            price.resultNow();
        }).isInstanceOf(OutOfStockException.class).hasMessage("pear is out of stock");
        assertThat(spawned).hasSize(2).allSatisfy(t -> assertThat(t.isDone()).isTrue());
        assertThat(spawned.get(1).state()).isEqualTo(Future.State.CANCELLED);
    }

    // ---- Event ----

    static int work() {
        return 7;
    }

    /** Event's class javadoc, with loadConfiguration given and the spawned tasks kept in {@code spawned}. */
    static void eventExample(Runnable loadConfiguration, List<Task<Integer>> spawned) throws Exception {
        Event ready = Event.create();
        TaskGroup.run(group -> {
            for (int i = 0; i < 3; i++) {
                spawned.add(group.spawn(() -> { ready.await(); return work(); }));
            }
            loadConfiguration.run();   // should it throw, run() cancels the three waiting tasks
            ready.set();               // releases all three
            return null;
        });
    }

    @Test
    void eventJavadoc_setReleasesAllThree() throws Exception {
        List<Task<Integer>> spawned = new CopyOnWriteArrayList<>();
        eventExample(() -> { }, spawned);
        assertThat(spawned).hasSize(3).allSatisfy(t -> assertThat(t.resultNow()).isEqualTo(7));
    }

    @Test
    void eventJavadoc_aLoadConfigurationThatThrows_cancelsTheWaitingTasks_insteadOfWaitingForGood() throws Exception {
        List<Task<Integer>> spawned = new CopyOnWriteArrayList<>();
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<?> example = runner.submit(() -> {
                eventExample(() -> {
                    throw new IllegalStateException("no configuration");
                }, spawned);
                return null;
            });
            try {
                example.get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS);
                throw new AssertionError("the example returned although loadConfiguration threw");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("no configuration");
            } catch (TimeoutException e) {
                throw new AssertionError("the example still waits 60 s after loadConfiguration threw: its tasks "
                        + "wait for an Event that nobody will set", e);
            }
            assertThat(spawned).hasSize(3)
                    .allSatisfy(t -> assertThat(t.state()).isEqualTo(Future.State.CANCELLED));
        } finally {
            runner.shutdownNow();
        }
    }
}

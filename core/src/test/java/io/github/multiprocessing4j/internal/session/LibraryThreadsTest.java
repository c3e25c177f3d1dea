package io.github.multiprocessing4j.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Delays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The library's threads keep nothing of the thread that happens to make them: neither its group nor its priority. */
class LibraryThreadsTest {

    @Test
    void aThreadMadeByALowPriorityThreadOfTheProgramsGroup_runsAtTheNormalPriority_inTheLibrarysGroup()
            throws Exception {
        // A platform thread takes the priority of the thread that makes it: one made by a background thread at the
        // lowest priority (the first to start a child, or to build a pool) ran at that priority for as long as it
        // lived, serving the program's other threads too
        assertThat(madeByALowPriorityThread(task -> LibraryThreads.daemon("mp4j-test").start(task)))
                .isEqualTo(Thread.NORM_PRIORITY + " mp4j mp4j-test");
        assertThat(madeByALowPriorityThread(task -> LibraryThreads.startWithCallersLoader("mp4j-test-loader", task)))
                .isEqualTo(Thread.NORM_PRIORITY + " mp4j mp4j-test-loader");
    }

    /** What the thread that {@code start} starts from a thread of a group of the program's at MIN_PRIORITY sees. */
    private static String madeByALowPriorityThread(Function<Runnable, Thread> start) throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        Runnable report = () -> {
            Thread t = Thread.currentThread();
            seen.complete(t.getPriority() + " " + t.getThreadGroup().getName() + " " + t.getName());
        };
        Thread.ofPlatform().group(new ThreadGroup("requests")).priority(Thread.MIN_PRIORITY)
                .start(() -> start.apply(report)).join();
        return seen.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS);
    }
}

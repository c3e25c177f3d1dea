package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.pool.ThreadPool;
import io.github.multiprocessing4j.pool.WorkerCrashedException;
import io.github.multiprocessing4j.testing.Delays;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The context class loader with which a pool timer's actions run. Their threads are shared by every pool of the
 * JVM (two web applications, each with its own loader and its own pool): an action runs with the loader of the
 * thread that built its pool, which the pool's first workers' readers get too.
 */
class TimedActionsLoaderTest {
    private static final OutOfMemoryError NO_THREAD = new OutOfMemoryError("unable to create native thread (a test's)");

    @Test
    void aReplacementBootedByARetryOnTheTimer_readsWithTheLoaderOfThePoolsBuilder() throws Exception {
        URLClassLoader loader = applicationLoader();
        ProcessPool pool = withContextLoader(loader, () -> ProcessPool.builder().processes(1).build());
        try {
            // The crashed worker's replacement: its boot's thread cannot be made, so it is tried again from a timed
            // action, whose thread had the system class loader; the boot and the reader of the worker it booted
            // got that loader, and decoded the results there, and ran their callbacks with it
            WorkerBoot.failThreads(NO_THREAD, 0, 1);
            Throwable crashed = catchThrowable(() -> pool.applyAsync(TimedActionsLoaderTest::halt, 3)
                    .get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS));
            assertThat(crashed).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(WorkerCrashedException.class);
            long pid = pool.applyAsync(TimedActionsLoaderTest::pid, 0).get(Delays.seconds(60).toSeconds(),
                    TimeUnit.SECONDS);
            Thread reader = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("mp4j-pool-reader-" + pid)).findFirst().orElseThrow();
            assertThat(reader.getContextClassLoader()).as("the replacement's reader's loader").isSameAs(loader);
        } finally {
            WorkerBoot.failThreads(null, 0, 0);
            pool.shutdownNow();
            loader.close();
        }
        assertThat(pool.awaitTermination(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void theCallbacksOfATaskThatTimedOut_runWithTheLoaderOfThePoolsBuilder_andTheirThreadKeepsItNoLonger()
            throws Exception {
        URLClassLoader loader = applicationLoader();
        ThreadPool pool = withContextLoader(loader,
                () -> ThreadPool.builder().threads(1).taskTimeout(Duration.ofSeconds(1)).build());
        try {
            CountDownLatch blockerGo = new CountDownLatch(1);
            // The pool's one thread runs this first, so that the task below starts (and its clock with it) only once
            // its callback is in place: the timeout completes the future, and runs the callback on its own thread
            pool.submit(() -> {
                blockerGo.await();
                return null;
            });
            CompletableFuture<Object> hangs = pool.submit(() -> {
                Thread.sleep(600_000);
                return null;
            });
            CompletableFuture<Thread> ranOn = new CompletableFuture<>();
            CompletableFuture<ClassLoader> ranWith = new CompletableFuture<>();
            hangs.whenComplete((result, failure) -> {
                ranWith.complete(Thread.currentThread().getContextClassLoader());
                ranOn.complete(Thread.currentThread());
            });
            blockerGo.countDown();
            // The thread had the system class loader: a callback that looks up the application's services through
            // its context loader (ServiceLoader, a JAXB context) found none
            assertThat(ranWith.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isSameAs(loader);
            Thread thread = ranOn.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS);
            assertThat(thread).isNotSameAs(Thread.currentThread());
            // Idle, and shared with every other pool's timeouts, it must not keep this pool's loader
            Awaitility.await().atMost(Delays.seconds(30)).alias("the action's thread gave the loader back")
                    .until(() -> thread.getContextClassLoader() != loader);
        } finally {
            pool.shutdownNow();
            loader.close();
        }
    }

    /** A loader of its own, as a web application has, that finds the application's classes through its parent. */
    private static URLClassLoader applicationLoader() {
        return new URLClassLoader("a web application's", new URL[0],
                Thread.currentThread().getContextClassLoader());
    }

    private static <T> T withContextLoader(ClassLoader loader, java.util.concurrent.Callable<T> build)
            throws Exception {
        Thread current = Thread.currentThread();
        ClassLoader was = current.getContextClassLoader();
        current.setContextClassLoader(loader);
        try {
            return build.call();
        } finally {
            current.setContextClassLoader(was);
        }
    }

    static int halt(int status) {
        Runtime.getRuntime().halt(status);
        return status;
    }

    static long pid(int ignored) {
        return ProcessHandle.current().pid();
    }
}

package io.github.multiprocessing4j.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.LogCapture;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The listener when its accept loop meets an Error (made through a seam: no test can run out of memory there). */
class ChildListenerLoopErrorTest {

    @Test
    void anErrorThatEndsTheAcceptLoop_isReportedOnce_notAgainAsAnUncaughtException() throws Exception {
        // It was logged at WARNING with its stack trace, then rethrown, and the thread's uncaught-exception handler
        // (the JVM's default: a print on stderr) gave the same stack trace a second time
        Session session = Session.get();
        Path socket = session.directory().resolve("loop-error-test.sock");
        AtomicReference<Thread> loop = new AtomicReference<>();
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (thread == loop.get()) {
                uncaught.add(e);
            } else if (previous != null) {
                previous.uncaughtException(thread, e);
            } else {
                e.printStackTrace();
            }
        });
        LogCapture log = LogCapture.of(ChildListener.class, null,
                LogCapture.saying("loop-error-test.sock").and(LogCapture.saying("stopped accepting")));
        StackOverflowError error = new StackOverflowError("a test's, in the accept loop");
        ChildListener.failNextAccept(error, () -> loop.set(Thread.currentThread()));
        try (ChildListener listener = new ChildListener(socket, session.key())) {
            // Awaitility's own handler, which it sets while it waits by default, would take the uncaught error
            await().dontCatchUncaughtExceptions().atMost(Delays.seconds(30)).alias("the loop met the error")
                    .until(() -> loop.get() != null);
            loop.get().join(Delays.seconds(30).toMillis());
            assertThat(loop.get().isAlive()).as("the accept loop ended").isFalse();
            assertThat(listener.isServing()).as("serving").isFalse();
            assertThat(log.records()).as("warnings that the listener stopped").hasSize(1);
            assertThat(log.records().getFirst().getThrown()).as("with the error's stack trace").isSameAs(error);
            assertThat(uncaught).as("the same error given to the uncaught-exception handler too").isEmpty();
        } finally {
            ChildListener.failNextAccept(null, null);
            log.close();
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }
}

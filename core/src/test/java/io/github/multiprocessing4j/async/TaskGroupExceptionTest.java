package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.multiprocessing4j.function.SerializableCallable;
import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.testing.Delays;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskGroupException#failures()} as its javadoc promises it (every failure, in order, the first the
 * cause), also after the exception was serialized, as it is when it comes back from a child JVM: the list
 * itself is not serialized (its length is), and is rebuilt from the cause and the suppressed exceptions.
 */
class TaskGroupExceptionTest {

    @Test
    void failures_areEveryFailureInOrder_theFirstTheCause_alsoAfterSerialization() throws Exception {
        IOException first = new IOException("first");
        IllegalStateException second = new IllegalStateException("second");
        IOException third = new IOException("third");
        TaskGroupException e = TaskGroupException.of(List.of(first, second, third), 5);

        TaskGroupException copy = roundTrip(e);

        for (TaskGroupException x : List.of(e, copy)) {
            assertThat(x.failures()).hasSize(3);
            assertThat(x.getCause()).isSameAs(x.failures().getFirst());
            assertThat(x.getSuppressed()).containsExactlyElementsOf(x.failures().subList(1, 3));
            assertThat(x.getMessage()).isEqualTo("3 of 5 tasks failed; first: java.io.IOException: first");
        }
        assertThat(copy.failures()).extracting(Throwable::getMessage).containsExactly("first", "second", "third");
    }

    @Test
    void failuresOfAGroupThatFailed_surviveSerialization() throws Exception {
        IOException boom = new IOException("boom");
        TaskGroupException e = catchThrowableOfType(TaskGroupException.class, () -> {
            try (TaskGroup group = TaskGroup.open()) {
                group.spawn(() -> {
                    throw boom;
                });
            }
        });

        TaskGroupException copy = roundTrip(e);

        assertThat(e.failures()).containsExactly(boom);
        assertThat(copy.failures()).singleElement().isInstanceOf(IOException.class)
                .extracting(Throwable::getMessage).isEqualTo("boom");
    }

    @Test
    void failuresOfATimeout_leaveOutItsTimeoutCause_alsoAfterSerialization() throws Exception {
        IOException late = new IOException("failed as the deadline passed");
        TaskGroupTimeoutException e = new TaskGroupTimeoutException("TaskGroup-9: timeout of PT1S", 2, List.of(late));

        TaskGroupException copy = roundTrip(e);

        assertThat(copy).isInstanceOf(TaskGroupTimeoutException.class)
                .hasMessage("TaskGroup-9: timeout of PT1S passed; 2 tasks were cancelled or refused");
        assertThat(copy.getCause()).isInstanceOf(TimeoutException.class).hasMessage("TaskGroup-9: timeout of PT1S passed");
        assertThat(e.failures()).containsExactly(late);
        assertThat(copy.failures()).singleElement().isInstanceOf(IOException.class)
                .extracting(Throwable::getMessage).isEqualTo("failed as the deadline passed");
    }

    @Test
    void failuresOfAGroupCutShortByItsDeadline_areEmpty_alsoAfterSerialization() throws Exception {
        TaskGroupTimeoutException e = catchThrowableOfType(TaskGroupTimeoutException.class, () -> {
            try (TaskGroup group = TaskGroup.withTimeout(Delays.millis(50))) {
                group.spawn(() -> {
                    Thread.sleep(Delays.seconds(60));
                    return null;
                });
            }
        });

        TaskGroupException copy = roundTrip(e);

        assertThat(e.failures()).isEmpty();
        assertThat(copy.failures()).isEmpty();
        assertThat(copy.getCause()).isInstanceOf(TimeoutException.class);
    }

    /**
     * A group closed before the next resource of its try-with-resources, whose close() then fails: Java adds that
     * failure to the group's exception as suppressed. It is no task's failure, and failures() leaves it out, also
     * once the exception has come back from a child JVM (it counted it as one there).
     */
    @Test
    void failures_leaveOutWhatWasSuppressedLater_byTheNextResourceOfItsBlock_alsoAfterSerialization() {
        IOException boom = new IOException("boom");
        IllegalStateException closing = new IllegalStateException("the connection failed to close");
        TaskGroupException e = catchThrowableOfType(TaskGroupException.class, () -> {
            try (AutoCloseable connection = () -> {
                throw closing;
            }; TaskGroup group = TaskGroup.open()) {
                group.spawn(() -> {
                    throw boom;
                });
            }
        });
        assertThat(e.getSuppressed()).containsExactly(closing);

        TaskGroupException copy = roundTrip(e);

        assertThat(e.failures()).containsExactly(boom);
        assertThat(copy.failures()).extracting(Throwable::getMessage).containsExactly("boom");
        assertThat(copy.getSuppressed()).extracting(Throwable::getMessage).containsExactly("the connection failed to close");
    }

    @Test
    void failures_leaveOutWhatWasSuppressedLater_whenTheExceptionComesBackFromAWorkerJvm() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            SerializableCallable<String> task = TaskGroupExceptionTest::failInAGroupClosedBeforeAFailingResource;
            ExecutionException e = catchThrowableOfType(ExecutionException.class,
                    () -> pool.submit(task).get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS));
            assertThat(e).isNotNull().cause().isInstanceOf(TaskGroupException.class);
            TaskGroupException back = (TaskGroupException) e.getCause();
            assertThat(back.failures()).extracting(Throwable::getMessage).containsExactly("boom");
            assertThat(back.getSuppressed()).extracting(Throwable::getMessage).containsExactly("the connection failed to close");
        }
    }

    private static String failInAGroupClosedBeforeAFailingResource() throws Exception {
        try (AutoCloseable connection = () -> {
            throw new IllegalStateException("the connection failed to close");
        }; TaskGroup group = TaskGroup.open()) {
            group.spawn(() -> {
                throw new IOException("boom");
            });
        }
        return "not reached";
    }

    @Test
    void failuresOfATimeout_leaveOutWhatWasSuppressedLater_alsoAfterSerialization() {
        IOException late = new IOException("failed as the deadline passed");
        TaskGroupTimeoutException e = new TaskGroupTimeoutException("TaskGroup-9: timeout of PT1S", 1, List.of(late));
        e.addSuppressed(new IllegalStateException("added by whoever caught it"));

        TaskGroupException copy = roundTrip(e);

        assertThat(e.failures()).containsExactly(late);
        assertThat(copy.failures()).extracting(Throwable::getMessage).containsExactly("failed as the deadline passed");
        assertThat(copy.getSuppressed()).hasSize(2);
    }

    private static TaskGroupException roundTrip(TaskGroupException e) {
        try {
            return roundTripOrThrow(e);
        } catch (IOException | ClassNotFoundException failure) {
            throw new AssertionError(failure);
        }
    }

    private static TaskGroupException roundTripOrThrow(TaskGroupException e) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(e);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (TaskGroupException) in.readObject();
        }
    }
}

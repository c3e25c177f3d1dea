package io.github.multiprocessing4j.async;

import io.github.multiprocessing4j.internal.codec.ThrowableCodec;
import java.io.Serial;
import java.util.ArrayList;
import java.util.List;

/**
 * Thrown by {@link TaskGroup#close()} (and by {@link Coroutines#gather}, {@link Coroutines#map}) when
 * tasks of the group failed: the first failure is the {@linkplain #getCause() cause}, every later one is
 * {@linkplain #getSuppressed() suppressed}, and {@link #failures()} lists them all in the order they
 * happened. Python's {@code ExceptionGroup} as raised by {@code asyncio.TaskGroup}; unchecked, like the
 * JDK's {@code StructuredTaskScope.FailedException}.
 *
 * {@snippet :
 * try (TaskGroup group = TaskGroup.open()) {
 *     group.spawn(() -> upload(report));
 *     group.spawn(() -> upload(archive));
 * } catch (TaskGroupException e) {                   // thrown by close(), once both have ended
 *     System.err.println(e.failures().size() + " upload(s) failed; first: " + e.getCause());
 * }
 * }
 */
public class TaskGroupException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Not serialized with the exception; after deserialization it is rebuilt from cause and suppressed. */
    private final transient List<Throwable> failures;

    TaskGroupException(String message, List<Throwable> failures) {
        super(message, failures.isEmpty() ? null : failures.getFirst());
        this.failures = List.copyOf(failures);
        for (int i = 1; i < failures.size(); i++) {
            addSuppressed(failures.get(i));
        }
    }

    /** A group cut short by its deadline: the cause is {@code cause}, and every failure is suppressed. */
    TaskGroupException(String message, Throwable cause, List<Throwable> failures) {
        super(message, cause);
        this.failures = List.copyOf(failures);
        for (Throwable f : failures) {
            addSuppressed(f);
        }
    }

    static TaskGroupException of(List<Throwable> failures, long spawned) {
        Throwable first = failures.getFirst();
        // not "+ first", which calls first.toString(): one that throws would lose every failure
        String message = failures.size() + " of " + spawned + (spawned == 1 ? " task" : " tasks") + " failed; first: "
                + ThrowableCodec.describe(first);
        return new TaskGroupException(message, failures);
    }

    /** Every failure, in the order the tasks failed; the first is the cause. */
    public List<Throwable> failures() {
        if (failures != null) {
            return failures;
        }
        // deserialized: rebuild from what Throwable serializes
        List<Throwable> all = new ArrayList<>();
        if (getCause() != null && !(this instanceof TaskGroupTimeoutException)) {
            all.add(getCause());
        }
        all.addAll(List.of(getSuppressed()));
        return List.copyOf(all);
    }
}

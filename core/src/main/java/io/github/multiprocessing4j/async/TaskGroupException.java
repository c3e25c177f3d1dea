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
    /**
     * How many failures there are, serialized: the suppressed exceptions after them are not failures, but were
     * added later, as Java's try-with-resources adds what the next resource's close() throws. Without the count,
     * the rebuilt list took those for failures.
     */
    private final int failureCount;

    TaskGroupException(String message, List<Throwable> failures) {
        super(message, failures.isEmpty() ? null : failures.getFirst());
        this.failures = List.copyOf(failures);
        this.failureCount = failures.size();
        for (int i = 1; i < failures.size(); i++) {
            addSuppressed(failures.get(i));
        }
    }

    /** A group cut short by its deadline: the cause is {@code cause}, and every failure is suppressed. */
    TaskGroupException(String message, Throwable cause, List<Throwable> failures) {
        super(message, cause);
        this.failures = List.copyOf(failures);
        this.failureCount = failures.size();
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

    /**
     * Every failure, in the order the tasks failed; the first is the cause. Exceptions suppressed after it was
     * thrown (by a try-with-resources whose next resource failed to close, say) are not among them, also once
     * the exception has been serialized (as it is back from a child JVM).
     */
    public List<Throwable> failures() {
        if (failures != null) {
            return failures;
        }
        // deserialized: rebuild from what Throwable serializes; the failures were suppressed first, in order
        List<Throwable> all = new ArrayList<>(failureCount);
        if (getCause() != null && !(this instanceof TaskGroupTimeoutException)) {
            all.add(getCause());
        }
        Throwable[] suppressed = getSuppressed();
        for (int i = 0; i < suppressed.length && all.size() < failureCount; i++) {
            all.add(suppressed[i]);
        }
        return List.copyOf(all);
    }
}

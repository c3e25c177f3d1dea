package io.github.multiprocessing4j.async;

import java.io.Serial;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Thrown by {@link TaskGroup#close()} when the group's deadline passed and cancelled at least one of its
 * tasks (or refused a spawn). The {@linkplain #getCause() cause} is a {@link TimeoutException} that says
 * which deadline. A task that failed before the deadline cancelled the group itself, and {@code close()} then
 * throws a plain {@link TaskGroupException} instead (what cancelled the group first decides); so
 * {@link #failures()}, each also {@linkplain #getSuppressed() suppressed}, holds only the tasks that failed
 * as the deadline passed, before its cancellation reached them, and is usually empty. Python's
 * {@code TimeoutError} from {@code asyncio.timeout}; unchecked, like the JDK's
 * {@code StructuredTaskScope.TimeoutException}, so that {@code close()} can throw it.
 *
 * {@snippet :
 * try (TaskGroup group = TaskGroup.withTimeout(Duration.ofSeconds(2))) {
 *     group.spawn(() -> fetch("/slow"));
 * } catch (TaskGroupTimeoutException e) {   // catch it before TaskGroupException, which it extends
 *     System.err.println(e.getMessage());   // "TaskGroup-1: timeout of PT2S passed; 1 task was cancelled or refused"
 * }
 * }
 */
public final class TaskGroupTimeoutException extends TaskGroupException {
    @Serial
    private static final long serialVersionUID = 1L;

    TaskGroupTimeoutException(String deadline, long cut, List<Throwable> failures) {
        super(deadline + " passed; " + cut + (cut == 1 ? " task was" : " tasks were") + " cancelled or refused",
                new TimeoutException(deadline + " passed"), failures);
    }
}

package io.github.multiprocessing4j.async;

import java.io.Serializable;
import java.util.Objects;

/**
 * How a call ended, as a value: what {@link Coroutines#gatherSettled} returns for each call, where
 * Python's {@code asyncio.gather(..., return_exceptions=True)} puts the value or the exception in the list.
 *
 * {@snippet :
 * for (Outcome<String> o : Coroutines.gatherSettled(calls)) {
 *     switch (o) {
 *         case Outcome.Success<String>(var page) -> System.out.println(page.length());
 *         case Outcome.Failure<String>(var e) -> System.out.println("failed: " + e);
 *     }
 * }
 * }
 *
 * <p>Instances are immutable; {@code equals} compares values (and exceptions by identity, as
 * {@link Throwable} does). They are {@link Serializable}, as Python's list of values and exceptions pickles, so
 * that a task in a worker JVM may return them: a value or an exception that is not serializable itself fails
 * there as any other result would.
 *
 * @param <T> the type of the value
 */
public sealed interface Outcome<T> extends Serializable {

    /**
     * The call returned {@code value}, which may be null.
     *
     * {@snippet :
     * Outcome<String> first = Coroutines.gatherSettled(calls).getFirst();
     * if (first instanceof Outcome.Success<String>(var page)) {
     *     System.out.println(page);
     * }
     * }
     */
    record Success<T>(T value) implements Outcome<T> {
    }

    /**
     * The call threw {@code exception}.
     *
     * {@snippet :
     * for (Outcome<String> o : Coroutines.gatherSettled(calls)) {
     *     if (o instanceof Outcome.Failure<String>(Throwable e)) {
     *         System.err.println("a call failed: " + e);
     *     }
     * }
     * }
     */
    record Failure<T>(Throwable exception) implements Outcome<T> {
        public Failure {
            Objects.requireNonNull(exception, "exception");
        }
    }
}

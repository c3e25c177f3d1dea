package io.github.multiprocessing4j.function;

import java.io.Serializable;
import java.util.function.Consumer;

/**
 * A {@link Consumer} that can be sent to another JVM.
 *
 * {@snippet :
 * SerializableConsumer<String> log = line -> System.err.println("[child] " + line);
 * }
 *
 * @param <T> the argument type
 */
@FunctionalInterface
public interface SerializableConsumer<T> extends Consumer<T>, Serializable {
}

package io.github.multiprocessing4j.function;

import java.io.Serializable;

/**
 * A {@link Runnable} that can be sent to another JVM.
 *
 * {@snippet :
 * SerializableRunnable hello = () -> System.out.println("hello from " + ProcessHandle.current().pid());
 * try (JvmProcess child = JvmProcess.start("hello", hello)) {
 *     child.join();
 * }
 * }
 */
@FunctionalInterface
public interface SerializableRunnable extends Runnable, Serializable {
}

/**
 * Serializable twins of the JDK's functional interfaces, so that a lambda can travel to another JVM.
 *
 * <p>A lambda is serializable only when its target type is: write {@code SerializableCallable<Integer> task
 * = () -> 6 * 7;} and the compiler emits a lambda that {@link java.io.ObjectOutputStream} can write. Every
 * value the lambda captures must be serializable too; {@link io.github.multiprocessing4j.codec.Codec} names
 * the offending class when one is not.
 *
 * <p>Each interface extends both its JDK counterpart and {@link java.io.Serializable}, so it can be passed
 * wherever the JDK type is expected.
 */
package io.github.multiprocessing4j.function;

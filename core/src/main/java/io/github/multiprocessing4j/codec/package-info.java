/**
 * How values cross between JVMs: the {@link io.github.multiprocessing4j.codec.Codec} interface and its
 * errors.
 *
 * <p>{@link io.github.multiprocessing4j.codec.Codec#standard()} is what every task, argument and result
 * travels with: a tagged fast path for {@code byte[]}, {@code String}, boxed primitives and primitive
 * arrays, serializable lambdas that capture only such values as their {@code SerializedLambda} form, and Java
 * serialization, behind a deserialization filter, for everything else.
 */
package io.github.multiprocessing4j.codec;

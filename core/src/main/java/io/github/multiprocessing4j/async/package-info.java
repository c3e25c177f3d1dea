/**
 * Structured coroutines on virtual threads: task groups, gather, timeouts, bounded concurrency.
 */
package io.github.multiprocessing4j.async;

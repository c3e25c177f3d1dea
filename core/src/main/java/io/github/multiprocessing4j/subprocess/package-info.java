/**
 * External commands with Python's {@code subprocess} ergonomics: run, capture, pipe, time out, check.
 */
package io.github.multiprocessing4j.subprocess;

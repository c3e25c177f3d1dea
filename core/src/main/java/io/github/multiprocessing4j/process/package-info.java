/**
 * Tasks in child JVMs: {@link io.github.multiprocessing4j.process.JvmProcess}, Python's
 * {@code multiprocessing.Process}.
 *
 * {@snippet :
 * try (JvmProcess child = JvmProcess.start("worker", () -> System.out.println("hello from a child JVM"))) {
 *     child.join();
 *     int status = child.exitCode().getAsInt();   // 0
 * }
 * }
 *
 * <h2 id="memory">Memory consistency effects across processes</h2>
 * A task handed to another JVM (by {@code JvmProcess.start}, or by a {@code ProcessPool}) runs on a
 * <em>copy</em> of everything it captures: the copy is made — the task serialized — in the calling thread
 * when the task is handed over, so actions of that thread before the hand-over are reflected in the copy,
 * and later changes to the originals are not. The task never sees this JVM's objects, and this JVM sees the
 * task's effects only through what comes back: its result or exception (a copy again, decoded before the
 * future completes or the call returns, so every action of the task happens-before the caller reads it),
 * its output, and whatever it does to the outside world (files, sockets), whose ordering is that of the
 * operating system. Nothing is shared between the processes' heaps. Static fields are no exception: a child
 * initializes its classes afresh, so a static field there starts as its initializer leaves it, whatever this
 * JVM has set it to since (as a spawned Python child does not see a global that the parent set under
 * {@code if __name__ == "__main__":}); in a pool worker, what its earlier tasks set stays. Hand such state to
 * the task (capture it, or pass it as the argument), or set it in a pool's
 * {@linkplain io.github.multiprocessing4j.pool.ProcessPool.Builder#initializer initializer}.
 *
 * <h2>Process death</h2>
 * A child exits when its parent dies, however the parent dies: its connection to the parent closes, which
 * it notices at once (a pool worker busy with a task notices within a fifth of a second). A child that dies
 * while it runs a task leaves the task's outcome unreported; its parent reports the exit code or signal
 * and the last lines of its stderr instead.
 */
package io.github.multiprocessing4j.process;

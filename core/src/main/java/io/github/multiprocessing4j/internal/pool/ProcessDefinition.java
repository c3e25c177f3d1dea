package io.github.multiprocessing4j.internal.pool;

/**
 * A function, callable or runnable of a process pool, serialized once. A worker receives the bytes in a
 * {@code DEFINE} before the first call that needs them and keeps the decoded object under {@link #id}
 * until told to forget it.
 *
 * <p>Three lifetimes: <em>cached</em> (a stateless target, i.e. one whose class has no instance fields,
 * such as a non-capturing lambda: defined once per worker for the pool's life), <em>reusable</em> (one
 * {@code map} or {@code imap} call: forgotten when it is closed) and <em>one-shot</em> (a capturing
 * target of a single call: the worker forgets it after that call).
 */
final class ProcessDefinition implements PoolEngine.Definition {
    final long id;
    final byte[] bytes;
    final boolean oneShot;
    final boolean cached;
    private final ProcessEngine engine;

    ProcessDefinition(ProcessEngine engine, long id, byte[] bytes, boolean oneShot, boolean cached) {
        this.engine = engine;
        this.id = id;
        this.bytes = bytes;
        this.oneShot = oneShot;
        this.cached = cached;
    }

    @Override
    public void close() {
        if (!oneShot && !cached) {
            engine.forget(this);
        }
    }
}

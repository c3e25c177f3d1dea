package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.pool.ProcessEngine.State;
import io.github.multiprocessing4j.internal.wire.FrameType;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Takes tasks sent ahead to a worker (prefetch) back from behind a task that turns out long, for idle workers
 * (see {@link ProcessEngine}): as an idle worker of Python's {@code Pool} takes the next task, rather than let
 * quick tasks wait out a long one.
 *
 * <p>When a worker goes idle with nothing waiting in the pool's queue while another holds tasks queued behind
 * its running one, {@link #armLocked()} schedules a check on the pool's timer for when that running task will
 * have run {@value #AFTER_MILLIS} ms (and four times the average run time). The check sends a {@code CANCEL}
 * for each queued task and marks it {@code reclaimRequested}; the worker's {@code SKIPPED} sends it back to the
 * front of the queue ({@link OutcomeReader}), and a task the worker had started meanwhile runs there. Nothing is
 * queued behind that running task again while it runs ({@code Worker.reclaimedFrom}).
 *
 * <pre>{@code
 * engine.lock.lock();
 * try {
 *     engine.dispatchLocked(touched);
 *     engine.reclaim.armLocked(); // a worker may have gone idle
 * } finally {
 *     engine.lock.unlock();
 * }
 * }</pre>
 *
 * <p>Guarded by the engine's lock, like the engine.
 */
final class TaskReclaim {
    private static final System.Logger LOG = System.getLogger(TaskReclaim.class.getName());
    /** The least a task must have run before the tasks queued behind it are taken back. */
    static final long AFTER_MILLIS = 20;
    /** And the least, in average task run times. */
    private static final int AFTER_AVERAGES = 4;

    private final ProcessEngine engine;
    /** A check is scheduled on the timer; guarded by the engine's lock. */
    private boolean armed;

    TaskReclaim(ProcessEngine engine) {
        this.engine = engine;
    }

    /**
     * A worker may have gone idle: if another holds tasks queued behind its running one and nothing waits in the
     * pool's queue, schedules the check for when that task will have run long enough. Cheap when there is
     * nothing to do: a look at each worker. Workers that cannot read their connection while a task runs
     * ({@code mp4j.pool.spinMicros=0}) would only answer after the long task: then nothing is taken back. Lock held.
     */
    void armLocked() {
        if (armed || engine.state != State.RUNNING || !engine.pending.isEmpty() || engine.config.prefetch() == 0
                || PoolProtocol.SPIN_NANOS == 0) {
            return;
        }
        boolean idle = false;
        long delay = Long.MAX_VALUE;
        long now = 0;
        for (Worker w : engine.workers) {
            if (w.inFlight.size() > 1) {
                if (hasQueueToTakeBack(w)) {
                    if (delay == Long.MAX_VALUE) {
                        now = System.nanoTime();
                    }
                    delay = Math.min(delay, Math.max(0, afterNanos() - (now - w.inFlight.peekFirst().startNanos)));
                }
            } else if (!idle && engine.isIdle(w)) {
                idle = true;
            }
        }
        if (idle && delay != Long.MAX_VALUE) {
            armed = true;
            engine.timer.schedule(this::check, delay);
        }
    }

    /** Whether tasks are queued behind the worker's running one, and not yet taken back from behind it. Lock held. */
    private static boolean hasQueueToTakeBack(Worker w) {
        return w.inFlight.size() > 1 && w.reclaimedFrom != w.inFlight.peekFirst() && !w.dead && !w.exited
                && w.protocolViolation == null;
    }

    private long afterNanos() {
        return Math.max(TimeUnit.MILLISECONDS.toNanos(AFTER_MILLIS), AFTER_AVERAGES * engine.averageRunNanos);
    }

    /**
     * While a worker is idle and nothing waits in the pool's queue, takes back the tasks queued behind each
     * running task that has run long enough, with a {@code CANCEL} each, and arms the check again for running
     * tasks not yet long enough.
     */
    private void check() {
        List<Worker> touched = new ArrayList<>(2);
        engine.lock.lock();
        try {
            armed = false;
            if (engine.state != State.RUNNING || !engine.pending.isEmpty()
                    || engine.workers.stream().noneMatch(engine::isIdle)) {
                return;
            }
            long now = System.nanoTime();
            long after = afterNanos();
            for (Worker w : engine.workers) {
                TaskRecord head = w.inFlight.peekFirst();
                if (!hasQueueToTakeBack(w) || now - head.startNanos < after) {
                    continue;
                }
                w.reclaimedFrom = head;
                int taken = 0;
                for (TaskRecord t : w.inFlight) {
                    if (t != head && !t.cancelRequested && !t.reclaimRequested && !t.future.isDone()) {
                        t.reclaimRequested = true;
                        w.post(FrameType.CANCEL, t.id, new byte[0]);
                        taken++;
                    }
                }
                if (taken > 0) {
                    touched.add(w);
                    LOG.log(Level.DEBUG, "{0} has run {1} for {2} ms: taking back the {3} tasks queued behind it",
                            w, head, TimeUnit.NANOSECONDS.toMillis(now - head.startNanos), taken);
                }
            }
            armLocked();
        } finally {
            engine.lock.unlock();
        }
        ProcessEngine.flush(touched);
    }
}

package io.github.multiprocessing4j.internal.pool;

import java.util.concurrent.ScheduledFuture;

/**
 * One queued call of a process pool: what to send, and where it is. Mutable fields are guarded by the
 * engine's lock.
 */
final class TaskRecord {
    final long id;
    final CallMode mode;
    final ProcessDefinition target;
    /** The encoded argument: a value for APPLY, a list for CHUNK, empty otherwise. */
    final byte[] argument;
    final TaskFuture<Object> future;
    /** The runnable given to execute() that the target was defined from, or null: see {@code shutdownNow()}. */
    final Runnable command;

    /** The worker it was sent to, or null while pending. */
    Worker worker;
    /** When it started running (became the head of its worker's queue); 0 if it has not. */
    long startNanos;
    ScheduledFuture<?> timeout;
    /** How many times it has started (become the head of a worker's queue): a timeout belongs to one start. */
    int starts;
    int attempts;
    /**
     * cancel(true) reached it while it was queued behind another task on its worker, and sent CANCEL: if the
     * worker had started it already (the CANCEL came too late), its worker is killed once it is the head.
     */
    boolean stopIfStarted;
    /**
     * A cancel reached it while it was queued on its worker (the engine is told before the future is
     * cancelled): if that worker dies before the future is, the task is not queued again elsewhere.
     */
    boolean cancelRequested;
    /**
     * The engine sent CANCEL to take it back from its worker, queued behind a task that runs long, for an idle
     * worker (TaskReclaim): the worker's SKIPPED sends it back to the pool's queue, unless it was
     * cancelled meanwhile. Cleared when it is sent to a worker.
     */
    boolean reclaimRequested;
    /**
     * It was the head of a worker that died (its run crashed, or the worker was killed for the task before it), or was
     * queued behind the head of one that the pool killed without reading its connection to the end (it broke the
     * protocol, say: Worker.leftUnread), and was queued again: it may have run, partly at least, so
     * {@code shutdownNow()} lists no {@link #command} for it.
     */
    boolean mayHaveRun;

    TaskRecord(long id, CallMode mode, ProcessDefinition target, byte[] argument, TaskFuture<Object> future,
               Runnable command) {
        this.id = id;
        this.mode = mode;
        this.target = target;
        this.argument = argument;
        this.future = future;
        this.command = command;
    }

    @Override
    public String toString() {
        return "task " + id + " (" + mode + (worker == null ? ", pending" : ", on " + worker) + ")";
    }
}

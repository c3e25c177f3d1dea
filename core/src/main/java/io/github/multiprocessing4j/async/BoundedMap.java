package io.github.multiprocessing4j.async;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link Coroutines#map}: a task per item, gated by a semaphore of {@code maxConcurrency} permits. The
 * owner takes a permit before it pulls the next item and spawns its task; the task gives the permit back
 * when it is done. So at most {@code maxConcurrency} calls of the function run at any moment, the input is
 * read only as fast as calls finish (a lazy or endless {@code Iterable} is never run ahead), and no more
 * than {@code maxConcurrency} threads wait on the semaphore: only the owner does.
 *
 * <p>The permit goes back exactly once: from the task's own thread when the function returns (so the owner,
 * blocked in {@code acquire}, lets the task threads run), or else from its completion listener: for a task
 * cancelled before its thread got to the function (without that, a failure that cancelled such a task left
 * the owner waiting for its permit forever), and for a function that threw. The listener runs only once the
 * group has heard of the failure, so the owner, woken by that permit, finds the group cancelled and reads no
 * further item.
 */
final class BoundedMap {
    private BoundedMap() {
    }

    static <T, R> List<R> map(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items, int maxConcurrency)
            throws InterruptedException {
        Semaphore permits = new Semaphore(maxConcurrency);
        TaskGroupImpl group = TaskGroupImpl.open(true, null);
        List<Task<R>> tasks = new ArrayList<>();
        try {
            Iterator<? extends T> it = items.iterator();
            for (;;) {
                permits.acquire(); // before pulling the item, so that no item waits for a permit in our hands
                if (group.isCancelled() || !it.hasNext()) {
                    break;
                }
                T item = it.next();
                AtomicBoolean released = new AtomicBoolean();
                Runnable releaseOnce = () -> {
                    if (released.compareAndSet(false, true)) {
                        permits.release();
                    }
                };
                TaskImpl<R> task = group.trySpawn(() -> {
                    R result = fn.apply(item);
                    releaseOnce.run();
                    return result;
                });
                if (task == null) {
                    break;
                }
                task.whenDone(releaseOnce); // for a function that threw, or a task cancelled before it ran it
                tasks.add(task);
            }
        } catch (Throwable e) {
            // Interrupted in acquire, or the Iterable failed: stop the tasks, wait for them, rethrow.
            group.cancel();
            Coroutines.closeAfter(group, e);
            throw e;
        }
        group.closeInterruptibly(true);
        List<R> results = new ArrayList<>(tasks.size());
        for (Task<R> t : tasks) {
            results.add(t.resultNow());
        }
        return Collections.unmodifiableList(results);
    }
}

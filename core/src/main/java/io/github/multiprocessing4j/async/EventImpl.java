package io.github.multiprocessing4j.async;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lock, a condition and a generation count: {@code set()} starts a new generation, and a waiter returns
 * when the flag is set or its generation has passed, so a {@code set(); clear();} pair still releases
 * everyone who was waiting (a plain {@code while (!flag) await()} would lose that wake-up).
 */
final class EventImpl implements Event {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by lock; written only under it, read without it by isSet(). */
    private volatile boolean flag;
    /** Guarded by lock. */
    private long generation;

    @Override
    public void set() {
        lock.lock();
        try {
            if (!flag) {
                flag = true;
                generation++;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void clear() {
        lock.lock();
        try {
            flag = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isSet() {
        return flag;
    }

    @Override
    public void await() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (flag) {
            return;
        }
        lock.lock();
        try {
            long g = generation;
            while (!flag && generation == g) {
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean await(Duration timeout) throws InterruptedException {
        long nanos = Deadline.saturatedNanos(Objects.requireNonNull(timeout, "timeout"));
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (flag) {
            return true;
        }
        lock.lock();
        try {
            long g = generation;
            while (!flag && generation == g) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Event[" + (flag ? "set" : "clear") + "]";
    }
}

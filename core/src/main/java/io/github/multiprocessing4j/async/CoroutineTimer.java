package io.github.multiprocessing4j.async;

import io.github.multiprocessing4j.internal.session.LibraryThreads;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The timer behind {@link Coroutines#sleep} and task-group deadlines: a hashed timing wheel with a 1 ms
 * tick, served by one platform thread.
 *
 * <pre>
 * Overview
 *
 * Why not Thread.sleep. A virtual thread in Thread.sleep registers a ScheduledForkJoinTask (72 bytes plus a
 * 16-byte lambda) in its ForkJoinPool's DelayScheduler: one thread that keeps every pending timer in a 4-ary
 * heap. Taking the minimum out of a heap of a million entries sifts down ~10 levels and reads the `when` of
 * up to 4 children per level; the children are objects scattered over a gigabyte of heap, so most reads
 * miss the cache. Measured on JDK 25 with 1M virtual threads sleeping 1 s: the DelayScheduler thread spent
 * ~1.5 s of CPU; this wheel's thread spends ~0.3 s for the same work.
 *
 * The wheel. `slots` buckets (4096), one per tick modulo slots. An entry's tick is
 * ceil((deadline - origin) / TICK); the sleeping thread itself pushes it (Treiber-stack CAS) onto bucket
 * tick & mask. The timer thread, at tick T, takes a whole bucket with one getAndSet and walks it: entries
 * due (tick <= T) fire, entries of a later round are pushed back, dead entries are dropped. Expiry is O(1)
 * per entry and walks a list built in arrival order, so a million expiries cost a million unparks and
 * little else. Resolution is one tick: an entry fires no earlier than its deadline and normally less than
 * a tick after it.
 *
 * Entry states: WAITING -> FIRED (by the timer, or by the adding thread, see below) or
 *               WAITING -> CANCELLED (by the owner: an interrupted sleeper, a closed group).
 * Exactly one CAS out of WAITING wins; only the winner touches the payload (thread or action).
 *
 * Races, and the two Dekker pairs that close them (all fields involved are volatile or CAS'd):
 *  1. Late push. The timer publishes currentTick = T before it drains the buckets of ticks <= T. An adder
 *     pushes, then reads currentTick; if that is >= its tick, the drain may have missed it, so the adder
 *     tries to fire the entry itself. Either the drain sees the push or the adder sees currentTick.
 *  2. Sleeping timer. Before parking until tick P the timer publishes plannedTick = P, then scans the
 *     buckets of the ticks before P again (or re-reads `pending` when it is about to park for good). An
 *     adder pushes (and counts itself in `pending` first), then reads plannedTick and unparks the timer if
 *     its tick is earlier. Either the rescan sees the push or the adder sees plannedTick.
 * The timer thread does not wake every tick: it parks until the next tick whose bucket is non-empty, and
 * indefinitely when no entry is pending.
 *
 * The JIT. When a million coroutines park before the first one wakes, C2 compiles the sleeping code while
 * the code after the park has never run: a branch never taken becomes an uncommon trap. Every frame frozen
 * in that compiled code then traps when it resumes, and each is deoptimized on its own (~10 us apiece).
 * With a plain `while (waiting) park();` loop, -Xlog:deoptimization=debug showed one "unstable_if"
 * deoptimization per sleeper; the JDK's own VirtualThread.sleepNanos shows ~50,000 for 1M sleepers (and see
 * JitWarmup for VirtualThread.run). awaitFired is written so that it has no such branch: measured, none.
 *
 * Rejected alternatives: a ScheduledThreadPoolExecutor or DelayQueue (same binary-heap cost, plus a lock);
 * a hierarchical wheel (Varghese and Lauck 1987, "Hashed and hierarchical timing wheels") - entries of a
 * later round are revisited once per round (4.096 s) here, which is cheap next to the work a sleeping
 * coroutine causes anyway; handing expired batches to a virtual thread so the unparks are local pushes on a
 * carrier - measured no better than unparking from the timer thread, and one more thread per tick.
 * </pre>
 */
final class CoroutineTimer {
    static final long TICK_NANOS = 1_000_000L;
    private static final int DEFAULT_SLOTS = 4096;
    private static final VarHandle BUCKET = MethodHandles.arrayElementVarHandle(Entry[].class);
    private static final System.Logger LOG = System.getLogger(CoroutineTimer.class.getName());

    /** An entry that has fired: see awaitFired. */
    private static final Entry ALREADY_FIRED = new Sleeper(0, null);

    static {
        ALREADY_FIRED.claim();
    }

    private final int slots;
    private final int mask;
    private final Entry[] buckets;
    private final long origin = System.nanoTime();
    /** Entries pushed and not yet dropped by the timer thread. */
    private final AtomicLong pending = new AtomicLong();
    /** Every bucket of a tick <= currentTick has been, or is being, drained. */
    private volatile long currentTick;
    /** The tick the timer thread sleeps until; MAX_VALUE when it sleeps until woken. */
    private volatile long plannedTick = Long.MAX_VALUE;
    private final Thread thread;

    private CoroutineTimer(int slots, String name) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of 2: " + slots);
        }
        this.slots = slots;
        this.mask = slots - 1;
        this.buckets = new Entry[slots];
        // Started by whichever thread sleeps first and kept for good: it must not inherit that thread's
        // inheritable thread-locals, nor its context class loader (a web application's, say) - not inheriting
        // the one leaves the other at the system class loader - nor its group and priority (a background
        // request's, the lowest), which every sleep and deadline of the JVM would get.
        this.thread = LibraryThreads.daemon(name).inheritInheritableThreadLocals(false).unstarted(this::run);
    }

    /** A timer of its own, for tests: a small wheel makes sleeps span several rounds quickly. */
    static CoroutineTimer start(int slots, String name) {
        CoroutineTimer timer = unstarted(slots, name);
        timer.startThread();
        return timer;
    }

    /** A timer whose thread is not started yet, for tests: entries may be added before it runs. */
    static CoroutineTimer unstarted(int slots, String name) {
        return new CoroutineTimer(slots, name);
    }

    void startThread() {
        thread.start();
    }

    private static final class Holder {
        static final CoroutineTimer INSTANCE = start();

        private static CoroutineTimer start() {
            return CoroutineTimer.start(DEFAULT_SLOTS, "mp4j-coroutine-timer");
        }
    }

    /**
     * The timer. Its users run the JIT warm-up first, each within its own time ({@code Coroutines.sleep},
     * {@code TaskGroupImpl.open}), so this does not.
     */
    static CoroutineTimer get() {
        return Holder.INSTANCE;
    }

    /**
     * Parks the current thread for at least {@code nanos} (> 0).
     *
     * @throws InterruptedException if the thread is interrupted before or while sleeping (status cleared)
     */
    void sleep(long nanos) throws InterruptedException {
        sleep(System.nanoTime(), nanos);
    }

    /**
     * Parks the current thread until at least {@code nanos} (> 0) after {@code since}, a reading of
     * {@link System#nanoTime()} that the caller took when it was called: the time it took to get here (the
     * first use of the timer starts it, after the JIT warm-up) is part of the sleep, not added to it.
     *
     * @throws InterruptedException if the thread is interrupted before or while sleeping (status cleared)
     */
    void sleep(long since, long nanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        Sleeper sleeper = new Sleeper(tickOf(since, nanos), Thread.currentThread());
        if (!add(sleeper)) {
            return;
        }
        awaitFired(ALREADY_FIRED);
        awaitFired(sleeper);
    }

    /**
     * Parks until {@code e} has fired. Every branch this takes after the real wake-up has been taken before
     * the thread first parks (see "The JIT" in the overview): the call with {@link #ALREADY_FIRED} takes
     * the loop's exit, and the self-unpark makes the first park return at once, so the code after the park
     * runs once before the thread really sleeps.
     */
    private void awaitFired(Entry e) throws InterruptedException {
        boolean primed = false;
        while (e.isWaiting()) {
            if (!primed) {
                primed = true;
                LockSupport.unpark(Thread.currentThread());
            }
            LockSupport.park(this);
            if (Thread.interrupted()) {
                e.cancel();
                throw new InterruptedException();
            }
        }
    }

    /**
     * Runs {@code action} once {@code nanos} have elapsed, unless cancelled first: on the timer thread, or on
     * the calling thread before this returns when the entry is already due as it is added (a delay of zero or
     * less, or a caller held up past its tick; see "Late push" in the overview). The action must be short
     * and must not block, since on the timer thread it delays every other timer; and since it may run inside
     * this call, the caller must not hold anything the action takes.
     */
    Entry schedule(long nanos, Runnable action) {
        return schedule(System.nanoTime(), nanos, action);
    }

    /**
     * {@link #schedule(long, Runnable)} counted from {@code since}, a reading of {@link System#nanoTime()}
     * taken when the wait was set: a deadline fires at its time however long it took to reach the timer
     * (whose first use starts it).
     */
    Entry schedule(long since, long nanos, Runnable action) {
        Action entry = new Action(tickOf(since, nanos), action);
        if (!add(entry)) {
            entry.run();
        }
        return entry;
    }

    /**
     * The tick {@code delayNanos} after {@code since}. {@code since} may come before the origin (a caller that
     * took the time and then started the timer); the sum saturates either way.
     */
    private long tickOf(long since, long delayNanos) {
        long elapsed = since - origin;
        long deadline = elapsed + delayNanos;
        if (((elapsed ^ deadline) & (delayNanos ^ deadline)) < 0) {
            deadline = delayNanos < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return Math.ceilDiv(deadline, TICK_NANOS);
    }

    private long tickNow() {
        return (System.nanoTime() - origin) / TICK_NANOS;
    }

    /** Adds an entry; false if it was already due and the caller has claimed it (it must act itself). */
    private boolean add(Entry entry) {
        pending.incrementAndGet();
        push(entry);
        if (entry.tick <= currentTick && entry.claim()) {
            return false;
        }
        if (entry.tick < plannedTick) {
            LockSupport.unpark(thread);
        }
        return true;
    }

    private void push(Entry entry) {
        int slot = (int) (entry.tick & mask);
        Entry head;
        do {
            head = (Entry) BUCKET.getVolatile(buckets, slot);
            entry.next = head;
        } while (!BUCKET.compareAndSet(buckets, slot, head, entry));
    }

    private void run() {
        // Every tick from the origin on is drained, the first ones too: entries may have been added before this
        // thread first ran (the first sleep starts it), and a slow thread start can put their ticks before
        // the thread's first now. Starting at now would leave them for the wheel's next turn, 4 s later.
        long last = 0;
        for (;;) {
            try {
                // An interrupt (someone interrupting every thread, say) means nothing here; left set, it made
                // every park return at once, and the thread spun for good.
                Thread.interrupted();
                long now = tickNow();
                if (now > last) {
                    currentTick = now;
                    for (long t = Math.max(last + 1, now - mask); t <= now; t++) {
                        drain((int) (t & mask), now);
                    }
                    last = now;
                }
                long next = plan(last);
                if (next == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else if (next > last) {
                    long wait = origin + next * TICK_NANOS - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(this, wait);
                    }
                }
            } catch (Throwable e) {
                // Nothing in the loop should throw; if something does (an Error), keep serving the others.
                LOG.log(System.Logger.Level.ERROR, "coroutine timer: unexpected failure, continuing", e);
            }
        }
    }

    private void drain(int slot, long now) {
        Entry e = (Entry) BUCKET.getAndSet(buckets, slot, null);
        long dropped = 0;
        while (e != null) {
            Entry next = e.next;
            e.next = null;
            if (!e.isWaiting()) {
                dropped++;
            } else if (e.tick <= now) {
                dropped++;
                if (e.claim()) {
                    fire(e);
                }
            } else {
                push(e);
            }
            e = next;
        }
        if (dropped > 0) {
            pending.addAndGet(-dropped);
        }
    }

    /**
     * Fires a claimed entry. Whatever gets out (an Error, or what logging an action's failure threw) is logged
     * if it can be and goes no further: it must not cost the entries after this one in the bucket being
     * walked, which would otherwise be dropped unfired, their sleepers sleeping for good.
     */
    private static void fire(Entry e) {
        try {
            e.fire();
        } catch (Throwable failure) {
            try {
                LOG.log(System.Logger.Level.ERROR, "coroutine timer: an entry failed as it fired", failure);
            } catch (Throwable unloggable) {
                // nothing more can be done about it here; the other entries come first
            }
        }
    }

    /** Publishes and returns the tick to sleep until; MAX_VALUE for "until woken", <= last for "do not sleep". */
    private long plan(long last) {
        if (pending.get() == 0) {
            plannedTick = Long.MAX_VALUE;
            if (pending.get() == 0) {
                return Long.MAX_VALUE;
            }
        }
        long next = firstNonEmpty(last + 1, last + slots);
        if (next < 0) {
            // An entry is counted but not pushed yet: look again at the next tick.
            next = last + 1;
        }
        plannedTick = next;
        if (firstNonEmpty(last + 1, next - 1) >= 0) {
            return last;
        }
        return next;
    }

    private long firstNonEmpty(long from, long to) {
        for (long t = from; t <= to; t++) {
            if (BUCKET.getVolatile(buckets, (int) (t & mask)) != null) {
                return t;
            }
        }
        return -1;
    }

    /** A timer entry; {@link #cancel()} is for its owner. */
    abstract static class Entry {
        private static final int WAITING = 0;
        private static final int FIRED = 1;
        private static final int CANCELLED = 2;
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Entry.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final long tick;
        /** Written before the entry is published by a CAS, read by the timer after it took the bucket. */
        Entry next;
        private volatile int state;

        Entry(long tick) {
            this.tick = tick;
        }

        final boolean isWaiting() {
            return state == WAITING;
        }

        final boolean claim() {
            return STATE.compareAndSet(this, WAITING, FIRED);
        }

        /** Stops the entry from firing; true if it had not fired. Idempotent. */
        final boolean cancel() {
            if (STATE.compareAndSet(this, WAITING, CANCELLED)) {
                release();
                return true;
            }
            return false;
        }

        /** Called on the timer thread by the thread that claimed the entry. */
        abstract void fire();

        /** Drops the payload of a cancelled entry so that the wheel does not keep it reachable. */
        abstract void release();
    }

    private static final class Sleeper extends Entry {
        private Thread thread;

        Sleeper(long tick, Thread thread) {
            super(tick);
            this.thread = thread;
        }

        @Override
        void fire() {
            LockSupport.unpark(thread);
        }

        @Override
        void release() {
            thread = null;
        }
    }

    private static final class Action extends Entry {
        private Runnable action;

        Action(long tick, Runnable action) {
            super(tick);
            this.action = action;
        }

        @Override
        void fire() {
            run();
        }

        void run() {
            Runnable a = action;
            action = null;
            try {
                a.run();
            } catch (Throwable e) {
                LOG.log(System.Logger.Level.ERROR, "coroutine timer: a scheduled action failed", e);
            }
        }

        @Override
        void release() {
            action = null;
        }
    }
}

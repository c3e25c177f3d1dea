package io.github.multiprocessing4j.async;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jetbrains.lincheck.Lincheck;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link Event} under Lincheck's model checker, which runs small concurrent scenarios in every interleaving it
 * can reach (bounded) and reports the first bad one with its trace.
 *
 * <p>Two checks: the non-blocking operations are linearizable against a plain boolean ({@link Flag}); and an
 * untimed {@code await()} returns in every interleaving with a {@code set(); clear();} pair, the wake-up that a
 * plain {@code while (!flag) await()} loop loses. A timed {@code await} with a positive timeout is left out:
 * the model checker does not let time pass, so it never times out and Lincheck reports it as hung.
 */
@Tag("lincheck")
class EventLincheckTest {

    /** The operations Lincheck runs; public, as Lincheck calls them reflectively. */
    public static final class Operations {
        private final Event event = Event.create();

        public Operations() {
        }

        @Operation
        public void set() {
            event.set();
        }

        @Operation
        public void clear() {
            event.clear();
        }

        @Operation
        public boolean isSet() {
            return event.isSet();
        }

        /** {@code await(Duration.ZERO)}: looks at the flag, takes no lock. */
        @Operation
        public boolean poll() throws InterruptedException {
            return event.await(Duration.ZERO);
        }
    }

    /** The sequential specification: what each operation does to and answers about a boolean. */
    public static final class Flag {
        private boolean flag;

        public Flag() {
        }

        public void set() {
            flag = true;
        }

        public void clear() {
            flag = false;
        }

        public boolean isSet() {
            return flag;
        }

        public boolean poll() {
            return flag;
        }
    }

    @Test
    void setClearIsSetAndPoll_areLinearizable_againstABoolean() {
        // Scenarios of 3 threads x 2 operations (after a few in the main thread); the bounds keep the run near
        // 10 s on a busy 2-core machine, Lincheck's start included.
        new ModelCheckingOptions()
                .sequentialSpecification(Flag.class)
                .iterations(10)
                .invocationsPerIteration(200)
                .threads(3)
                .actorsPerThread(2)
                .check(Operations.class);
    }

    @Test
    void await_returns_inEveryInterleaving_withASetThenClear() {
        Lincheck.runConcurrentTest(1_000, () -> {
            EventImpl e = new EventImpl();
            AtomicBoolean returned = new AtomicBoolean();
            Thread waiter = new Thread(() -> {
                try {
                    e.await();
                    returned.set(true);
                } catch (InterruptedException interrupted) {
                    throw new AssertionError(interrupted);
                }
            });
            waiter.start();
            // Only a thread waiting before the set() must be released by it; one that comes after the clear()
            // rightly waits for the next set(). So set only once the waiter is in the condition's queue.
            awaitWaiter(e);
            e.set();
            e.clear();
            try {
                waiter.join();
            } catch (InterruptedException interrupted) {
                throw new AssertionError(interrupted);
            }
            // Plain checks: Lincheck records the objects a test makes, and an AssertJ assertion refuses equals().
            if (!returned.get() || e.isSet()) {
                throw new AssertionError("returned " + returned.get() + ", set " + e.isSet());
            }
        });
    }

    /** Spins until a thread waits on the event's condition; the model checker runs the others meanwhile. */
    private static void awaitWaiter(EventImpl e) {
        ReentrantLock lock = (ReentrantLock) read(LOCK, e);
        Condition changed = (Condition) read(CHANGED, e);
        for (;;) {
            lock.lock();
            try {
                if (lock.hasWaiters(changed)) {
                    return;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private static final Field LOCK = field("lock");
    private static final Field CHANGED = field("changed");

    private static Field field(String name) {
        try {
            Field f = EventImpl.class.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            throw new AssertionError(e);
        }
    }

    private static Object read(Field f, Object o) {
        try {
            return f.get(o);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}

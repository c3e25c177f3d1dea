package io.github.multiprocessing4j.cli.demo;

import java.io.PrintStream;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The seed's {@code threading} examples, in Java: a named thread, the {@code balance} race without and
 * with a lock, and {@code threading.local}. Beside each, what CPython does and what the JVM does.
 */
public final class ThreadsDemo implements Demo {
    private static final int LOOPS = 2_000_000;

    /** Shared by the racing threads. Volatile so that every read and write really happens (the JIT may
     *  otherwise fold {@code +n -n} away); volatile does not make {@code balance + n} atomic. */
    private static volatile int balance;
    private static final ThreadLocal<String> STUDENT = new ThreadLocal<>();

    @Override
    public String name() {
        return "threads";
    }

    @Override
    public String summary() {
        return "a named thread, a data race fixed by a Lock, ThreadLocal (threading)";
    }

    @Override
    public void run(PrintStream out) throws InterruptedException {
        namedThread(out);
        out.println();
        race(out);
        out.println();
        threadLocal(out);
    }

    private static void namedThread(PrintStream out) throws InterruptedException {
        out.println("thread " + Thread.currentThread().getName() + " is running...");
        Thread loop = Thread.ofPlatform().name("LoopThread").start(() -> {
            out.println("thread " + Thread.currentThread().getName() + " is running...");
            for (int n = 1; n <= 5; n++) {
                out.println("thread " + Thread.currentThread().getName() + " >>> " + n);
                sleep(100);
            }
            out.println("thread " + Thread.currentThread().getName() + " ended.");
        });
        loop.join();
        out.println("thread " + Thread.currentThread().getName() + " ended.");
        out.println("  CPython: one thread at a time runs Python code (the GIL); JVM: threads run in parallel.");
    }

    private static void race(PrintStream out) throws InterruptedException {
        balance = 0;
        runTwice(() -> {
            for (int i = 0; i < LOOPS; i++) {
                changeIt(5);
                changeIt(8);
            }
        });
        out.println("balance without a lock: " + balance + (balance == 0 ? " (lucky this time)" : " (updates were lost)"));
        balance = 0;
        Lock lock = new ReentrantLock();
        runTwice(() -> {
            for (int i = 0; i < LOOPS; i++) {
                lock.lock();
                try {
                    changeIt(5);
                    changeIt(8);
                } finally {
                    lock.unlock();
                }
            }
        });
        out.println("balance with a lock:    " + balance + " (always 0)");
        out.println("  CPython: balance = balance + n is several bytecodes, and the GIL can switch threads between them,");
        out.println("  so updates get lost there too. JVM: the two threads really run at once, and += on a field is a");
        out.println("  read, an add and a write: lost updates are frequent. A Lock (or an AtomicInteger) fixes both.");
    }

    private static void changeIt(int n) {
        balance = balance + n;
        balance = balance - n;
    }

    private static void runTwice(Runnable work) throws InterruptedException {
        Thread a = Thread.ofPlatform().start(work);
        Thread b = Thread.ofPlatform().start(work);
        a.join();
        b.join();
    }

    private static void threadLocal(PrintStream out) throws InterruptedException {
        Thread a = Thread.ofPlatform().name("Thread-A").start(() -> processThread(out, "Alice"));
        Thread b = Thread.ofPlatform().name("Thread-B").start(() -> processThread(out, "Bob"));
        a.join();
        b.join();
        out.println("  CPython: threading.local(); JVM: ThreadLocal (and ScopedValue, for values bound to a call).");
    }

    private static void processThread(PrintStream out, String name) {
        STUDENT.set(name);
        processStudent(out);
    }

    private static void processStudent(PrintStream out) {
        out.println("Hello, " + STUDENT.get() + " (in " + Thread.currentThread().getName() + ")");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

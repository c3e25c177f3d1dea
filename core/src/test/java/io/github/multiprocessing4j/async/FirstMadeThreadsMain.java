package io.github.multiprocessing4j.async;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Run in a JVM of its own by {@link LongLivedThreadsTest}: the first deadline of the JVM is set, and passes, in a
 * thread of a group of the program's at the lowest priority (a background request's, say), which so starts the timer
 * thread and the deadline thread, both kept for the life of the JVM. Prints {@code TIMER <priority> <group>}, then
 * {@code DEADLINES <priority> <group>}.
 */
public final class FirstMadeThreadsMain {

    private FirstMadeThreadsMain() {
    }

    public static void main(String[] args) throws Exception {
        // The virtual-thread scheduler and the JIT warm-up come first, in the main thread: they start no timer
        TaskGroup.open().close();
        Thread.ofPlatform().group(new ThreadGroup("requests")).priority(Thread.MIN_PRIORITY).start(() -> {
            // A deadline already passed as it is set (a thread held up for a second on a loaded machine) starts no
            // timer: such a round is tried again with a longer timeout
            for (long millis = 1000; millis <= 10_000 && describe("mp4j-taskgroup-deadlines").equals("none");
                 millis *= 10) {
                deadlinePasses(Duration.ofMillis(millis));
            }
        }).join();
        System.out.println("TIMER " + describe("mp4j-coroutine-timer"));
        System.out.println("DEADLINES " + describe("mp4j-taskgroup-deadlines"));
    }

    private static void deadlinePasses(Duration timeout) {
        try (TaskGroup group = TaskGroup.withTimeout(timeout)) {
            group.spawn(() -> {
                new CountDownLatch(1).await(); // ended by the deadline, through the timer and the deadline thread
                return null;
            });
        } catch (TaskGroupTimeoutException expected) {
            // the deadline passed: the deadline thread cancelled the task (or, had it not started, close() saw it)
        } catch (Exception e) {
            // a group cancelled as it opened, its deadline passed already: tried again; a real failure shows as "none"
            e.printStackTrace();
        }
    }

    private static String describe(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name))
                .map(t -> t.getPriority() + " " + t.getThreadGroup().getName()).findFirst().orElse("none");
    }
}

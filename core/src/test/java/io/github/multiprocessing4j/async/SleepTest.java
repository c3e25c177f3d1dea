package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.Delays;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Coroutines.sleep and the timing wheel behind it. */
class SleepTest {

    @Test
    void sleep_neverWakesEarly_andWakesSoonAfter() throws Exception {
        for (long ms : new long[] {1, 3, 20, 120}) {
            long t0 = System.nanoTime();
            Coroutines.sleep(Duration.ofMillis(ms));
            Duration slept = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(slept).isGreaterThanOrEqualTo(Duration.ofMillis(ms))
                    .isLessThan(Duration.ofMillis(ms).plus(Delays.millis(500)));
        }
    }

    @Test
    void sleep_ofThousandsOfCoroutinesWithRandomDurations_wakesEveryOneOnTime() throws Exception {
        int n = 20_000;
        AtomicLong early = new AtomicLong();
        List<Callable<Long>> sleepers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long ms = ThreadLocalRandom.current().nextLong(0, 40);
            sleepers.add(() -> {
                long t0 = System.nanoTime();
                Coroutines.sleep(Duration.ofMillis(ms));
                long late = System.nanoTime() - t0 - ms * 1_000_000;
                if (late < 0) {
                    early.incrementAndGet();
                }
                return late;
            });
        }
        long t0 = System.nanoTime();
        List<Long> lateness = Coroutines.gather(sleepers);
        assertThat(lateness).hasSize(n);
        assertThat(early).as("sleepers that woke before their time").hasValue(0);
        long latest = lateness.stream().mapToLong(Long::longValue).max().orElseThrow();
        // Not a measure of speed: 20,000 threads wake on two loaded cores (0.66 s seen during a full build). A
        // sleeper that the wheel missed would wake a whole round (4.096 s) late, or never.
        assertThat(Duration.ofNanos(latest)).as("the latest sleeper's lateness").isLessThan(Delays.seconds(3));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("no sleeper was lost").isLessThan(Delays.seconds(20));
    }

    @Test
    void sleep_longerThanOneTurnOfTheWheel_firesInALaterRound() throws Exception {
        CoroutineTimer timer = CoroutineTimer.start(8, "test-timer-8-slots"); // one round = 8 ms
        List<Callable<Long>> sleepers = new ArrayList<>();
        for (long ms : new long[] {3, 9, 17, 30, 55}) {
            sleepers.add(() -> {
                long t0 = System.nanoTime();
                timer.sleep(ms * 1_000_000);
                return (System.nanoTime() - t0) / 1_000_000 - ms;
            });
        }
        assertThat(Coroutines.gather(sleepers)).allSatisfy(late -> assertThat(late).isBetween(0L,
                Delays.millis(500).toMillis()));
    }

    @Test
    void anEntryAddedBeforeTheTimerThreadFirstRuns_firesOnTime_notATurnOfTheWheelLater() throws Exception {
        // The first sleep of a program starts the timer thread, and may push its entry before that thread has
        // run at all. Starting a thread can take longer than a 1 ms sleep; the thread then began its rounds
        // after the entry's tick, and the entry waited a whole turn of the wheel (4.096 s) for its slot.
        CoroutineTimer timer = CoroutineTimer.unstarted(4096, "test-timer-started-late"); // one round = 4.096 s
        CountDownLatch fired = new CountDownLatch(1);
        timer.schedule(Duration.ofMillis(1).toNanos(), fired::countDown);
        Thread.sleep(30); // the entry's tick passes before the thread starts, as on a busy machine
        timer.startThread();
        assertThat(fired.await(2, TimeUnit.SECONDS)).as("fired within 2 s, not a turn of the wheel later").isTrue();
    }

    @Test
    void theFirstSleepOfTheJvm_countsFromTheCall_notFromWhenTheTimerHadStarted() throws Exception {
        assertThat(SlowTimerStartProbe.lateness("sleep")).as("how late the first sleep woke, in ms")
                .isLessThan(SlowTimerStartProbeMain.SLOW_START_MS);
    }

    @Test
    void theFirstSleepOfTheJvm_waitsForTheJitWarmUpWithinItsTime() throws Exception {
        // The warm-up waited its longest (made 1 s here) whatever the sleep's length, so a first sleep of 200 ms
        // woke ~800 ms late; it now waits half the sleep at most, as a group's deadline lets it.
        assertThat(WarmUpWithinTheWaitProbe.lateness("sleep")).as("how late the first sleep woke, in ms")
                .isLessThan(WarmUpWithinTheWaitProbeMain.WARM_UP_MS / 2);
    }

    @Test
    void anEntryAlreadyDueAsItIsAdded_runsAtOnceOnTheAddingThread() {
        // Its tick is behind every tick the timer has published, so the timer may have drained its slot already:
        // the adder claims it and runs it itself, before schedule returns, rather than leaving it to the wheel's
        // next turn (4.096 s). A timer whose thread never starts shows that nothing else ran it.
        CoroutineTimer timer = CoroutineTimer.unstarted(4096, "test-timer-due-as-added");
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        CoroutineTimer.Entry entry = timer.schedule(-Duration.ofSeconds(1).toNanos(),
                () -> ranOn.set(Thread.currentThread()));
        assertThat(ranOn).as("the thread the action ran on").hasValue(Thread.currentThread());
        assertThat(entry.cancel()).as("an entry that ran cannot be cancelled").isFalse();
    }

    @Test
    void anActionWhoseFailureCannotEvenBeLogged_doesNotCostTheOtherEntriesOfItsBucket() throws Exception {
        // The timer logs an action's failure; a failure whose printing throws an Error (the logging backends
        // catch Exceptions only) got out of the timer's walk of a bucket, and the entries after it in that
        // bucket were dropped unfired: sleepers among them would have slept for good.
        CoroutineTimer timer = CoroutineTimer.unstarted(1, "test-timer-unloggable-failure"); // one bucket
        CountDownLatch fired = new CountDownLatch(1);
        Runnable unloggable = () -> {
            throw new IllegalStateException() {
                @Override
                public String toString() {
                    throw new AssertionError("toString() is broken");
                }
            };
        };
        timer.schedule(Duration.ofMillis(1).toNanos(), fired::countDown);
        timer.schedule(Duration.ofMillis(1).toNanos(), unloggable); // pushed last: walked first
        Thread.sleep(30); // both due by the time the thread first drains the bucket
        timer.startThread();
        assertThat(fired.await(Delays.seconds(10).toMillis(), TimeUnit.MILLISECONDS))
                .as("the other entry of the bucket fired").isTrue();
    }

    @Test
    void sleep_whenInterrupted_throwsAtOnceAndClearsTheStatus() {
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> Coroutines.sleep(Duration.ofSeconds(10))).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> Coroutines.sleep(Duration.ZERO)).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
    }

    @Test
    void interruptedSleepers_endWithInterruptedException_andTheWheelDropsTheirEntries() throws Exception {
        // An 8-slot wheel (one round = 8 ms): sleepers of many rounds, up to the longest sleep there is. Half are
        // interrupted mid-sleep: each ends with InterruptedException, the others wake as usual, and once a
        // round has passed no entry is left (the interrupted ones must not stay in the wheel for good).
        CoroutineTimer timer = CoroutineTimer.start(8, "test-timer-interrupted-sleepers");
        Field field = CoroutineTimer.class.getDeclaredField("pending");
        field.setAccessible(true);
        AtomicLong pending = (AtomicLong) field.get(timer);
        Random random = new Random(20_261_126L);
        int n = 200;
        CountDownLatch started = new CountDownLatch(n);
        List<Thread> sleepers = new ArrayList<>();
        List<AtomicReference<String>> outcomes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long nanos = i % 2 == 0 ? Duration.ofMillis(1 + random.nextInt(40)).toNanos()
                    : i % 10 == 1 ? Long.MAX_VALUE : Duration.ofMinutes(1 + random.nextInt(100_000)).toNanos();
            AtomicReference<String> outcome = new AtomicReference<>();
            outcomes.add(outcome);
            sleepers.add(Thread.ofVirtual().start(() -> {
                started.countDown();
                try {
                    timer.sleep(nanos);
                    outcome.set("woke");
                } catch (InterruptedException e) {
                    outcome.set("interrupted, status " + Thread.currentThread().isInterrupted());
                }
            }));
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i < n; i += 2) {
            Thread sleeper = sleepers.get(i);
            Awaitility.await().atMost(Delays.seconds(10)).until(() -> sleeper.getState() == Thread.State.WAITING);
            sleeper.interrupt();
        }
        for (int i = 0; i < n; i++) {
            assertThat(sleepers.get(i).join(Delays.seconds(20))).as("sleeper %d ended", i).isTrue();
            assertThat(outcomes.get(i)).as("sleeper %d", i).hasValue(i % 2 == 0 ? "woke" : "interrupted, status false");
        }
        Awaitility.await().atMost(Delays.seconds(10)).untilAsserted(() -> assertThat(pending).as("entries in the wheel")
                .hasValue(0));
    }

    @Test
    void sleep_asLongAsADurationGoes_onAPlatformOrAVirtualThread_endsWithInterruptedExceptionAtAnInterrupt()
            throws Exception {
        for (Thread.Builder builder : List.of(Thread.ofPlatform(), Thread.ofVirtual())) {
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread sleeper = builder.start(() -> {
                try {
                    Coroutines.sleep(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999));
                    outcome.set(new AssertionError("woke up"));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> sleeper.getState() == Thread.State.WAITING);
            sleeper.interrupt();
            sleeper.join(Delays.seconds(30));
            assertThat(sleeper.isAlive()).isFalse();
            assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        }
    }

    @Test
    void sleep_negative_returnsAtOnce() throws Exception {
        long t0 = System.nanoTime();
        Coroutines.sleep(Duration.ofSeconds(-5));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Delays.seconds(1));
    }

    @Test
    void sleep_negative_stillTakesAPendingInterrupt_soATaskBehindItsScheduleSeesItsCancellation() throws Exception {
        // A negative duration returned at once without looking at the interrupt status (Thread.sleep(Duration)
        // does so): a task pacing itself with sleep(nextTick - now), once behind its schedule, never saw its
        // cancellation and its group's close() waited for it. asyncio.sleep(-1) lets a pending cancel in too.
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> Coroutines.sleep(Duration.ofSeconds(-5))).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();

        AtomicBoolean sawCancellation = new AtomicBoolean();
        CountDownLatch pacing = new CountDownLatch(1);
        long giveUp = System.nanoTime() + Delays.seconds(10).toNanos();
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> pacer = group.spawn(() -> {
                try {
                    while (System.nanoTime() < giveUp) {
                        pacing.countDown();
                        Coroutines.sleep(Duration.ofMillis(-1)); // behind schedule: nothing left to wait
                    }
                    return "never saw its cancellation";
                } catch (InterruptedException e) {
                    sawCancellation.set(true);
                    throw e;
                }
            });
            assertThat(pacing.await(10, TimeUnit.SECONDS)).isTrue();
            pacer.cancel(true);
        }
        assertThat(sawCancellation).isTrue();
    }

    @Test
    void timerSchedule_runsTheActionOnce_unlessCancelled() throws Exception {
        CoroutineTimer timer = CoroutineTimer.get();
        AtomicLong fired = new AtomicLong();
        CoroutineTimer.Entry kept = timer.schedule(Delays.millis(20).toNanos(), fired::incrementAndGet);
        AtomicBoolean cancelledRan;
        for (;;) {
            // A stall of the test thread longer than the delay lets the entry fire before cancel(): then it
            // rightly cannot be cancelled, and that round proves nothing.
            AtomicBoolean ran = new AtomicBoolean();
            CoroutineTimer.Entry cancelled = timer.schedule(Delays.millis(20).toNanos(), () -> ran.set(true));
            if (cancelled.cancel()) {
                cancelledRan = ran;
                break;
            }
        }
        Awaitility.await().atMost(Delays.seconds(10)).until(() -> fired.get() > 0);
        Thread.sleep(Delays.millis(100)); // past the cancelled entry's tick too
        assertThat(fired).hasValue(1);
        assertThat(cancelledRan).as("a cancelled entry never runs").isFalse();
        assertThat(kept.cancel()).as("an entry that fired cannot be cancelled").isFalse();
    }

    @Test
    void theTimerThread_whenInterrupted_goesOnParking_insteadOfSpinning() throws Exception {
        CoroutineTimer timer = CoroutineTimer.start(8, "test-timer-interrupted");
        Field field = CoroutineTimer.class.getDeclaredField("thread");
        field.setAccessible(true);
        Thread thread = (Thread) field.get(timer);
        // by reflection: the tests compile inside the library's module, which does not read java.management
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        Method cpuTime = Class.forName("java.lang.management.ThreadMXBean").getMethod("getThreadCpuTime", long.class);
        Awaitility.await().atMost(Delays.seconds(10)).until(() -> thread.getState() == Thread.State.WAITING);

        thread.interrupt(); // someone interrupting every thread at shutdown, say
        timer.sleep(Delays.millis(5).toNanos()); // still served
        long cpu0 = (long) cpuTime.invoke(threads, thread.threadId());
        Thread.sleep(Delays.millis(500));
        long cpu = (long) cpuTime.invoke(threads, thread.threadId()) - cpu0;

        // Before the fix park() returned at once, the interrupt status never being cleared: the thread spun
        // with nothing to do (about as much CPU as the time that passed). Idle and parked, it uses none.
        assertThat(Duration.ofNanos(cpu)).as("CPU time of the idle timer thread in 500 ms")
                .isLessThan(Duration.ofMillis(50));
    }
}

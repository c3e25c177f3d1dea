package io.github.multiprocessing4j.pool;

import static io.github.multiprocessing4j.pool.ProcessPoolTest.append;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.function.SerializableBiFunction;
import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.testing.Delays;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded chaos for the promise of {@link ProcessPool}: a random mix of quick tasks, tasks that throw, exit, halt,
 * SIGKILL their own JVM, hang past the timeout, run out of memory or return what cannot be encoded — one at a
 * time and in {@code map}, {@code imap}, {@code imapUnordered} and {@code starmap} chunks — with random
 * {@code cancel}s and SIGKILLs of random workers from outside. After each seed: every future ended, with the
 * outcome its task deserves (a SIGKILL from outside may fail any task it hit); no task ran more often than the
 * retries allow (a run on a worker that the pool killed for another task, as it moved on, does not count: that
 * task runs again); the pool still serves; a close() with work of the same mix queued returns in bounded time with
 * every future done; and no child process is left. Every task appends "id pid" to a log (O_APPEND) as it starts,
 * which counts its runs.
 *
 * <p>A failure names its seed: run the test with just that value to replay the same operations (the timing of
 * the processes differs from run to run, so a rare interleaving may need a few runs).
 */
class ProcessPoolChaosTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final int OPERATIONS = 90;
    private static final Pattern TIMEOUT_PID = Pattern.compile("its worker pid (\\d+) was killed");
    private static final Pattern MAP_INDEX = Pattern.compile("^(?:item (\\d+)|the chunk starting at item (\\d+)) failed");
    private static final Pattern IMAP_INDEX = Pattern.compile("^(?:item (\\d+)|the chunk of items (\\d+)\\.\\.\\d+) failed");

    @TempDir
    Path tmp;

    /** What a task does once it has logged its start. */
    enum Kind { QUICK, THROW, EXIT, HALT, SELF_KILL, HANG, OOM, UNENCODABLE }

    static int value(int id) {
        return id * 31 + 7;
    }

    static int exitCode(int id) {
        return 10 + id % 80; // never 3 (an OutOfMemoryError's) nor above 128 (read as a signal)
    }

    /** The body of every task: logs "id pid", then does what its kind says. */
    static Object act(String log, Kind kind, int id) {
        long pid = ProcessHandle.current().pid();
        append(log, id + " " + pid);
        switch (kind) {
            case QUICK -> {
                return value(id);
            }
            case THROW -> throw new IllegalArgumentException("chaos " + id);
            case EXIT -> System.exit(exitCode(id));
            case HALT -> Runtime.getRuntime().halt(exitCode(id));
            case SELF_KILL -> {
                try {
                    new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor();
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            case HANG -> {
                // until killed at the timeout
            }
            case OOM -> {
                List<long[]> hog = new ArrayList<>();
                while (true) {
                    hog.add(new long[1 << 20]);
                }
            }
            case UNENCODABLE -> {
                return new Object();
            }
        }
        while (true) {
            LockSupport.parkNanos(1_000_000_000L); // a task that killed its JVM waits here for the end
        }
    }

    /** An argument of a map: the item's id and kind in one int. */
    static int code(int id, Kind kind) {
        return id * 16 + kind.ordinal();
    }

    static SerializableFunction<Integer, Object> single(String log, Kind kind) {
        return x -> act(log, kind, x);
    }

    static SerializableFunction<Integer, Object> coded(String log) {
        return c -> act(log, Kind.values()[c % 16], c / 16);
    }

    static SerializableBiFunction<Integer, Integer, Object> paired(String log) {
        return (id, k) -> act(log, Kind.values()[k], id);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {20261126L, 7L, 424242L})
    void aPoolUnderChaos_endsEveryFutureAsItsTaskDeserves_andSurvives(long seed) throws Exception {
        new Run(seed).go();
    }

    /** One seed's run: the pool, the operations and what they observed. */
    private final class Run {
        final long seed;
        final Random random;
        final int processes;
        final int retries;
        final int maxTasksPerChild;
        final String log;
        final List<Op> ops = new ArrayList<>();
        final List<Single> singles = new ArrayList<>();
        final Set<Long> killedFromOutside = ConcurrentHashMap.newKeySet();
        final Map<Integer, Kind> kinds = new HashMap<>();
        int nextId = 1;
        Map<Integer, List<Long>> runs;
        Set<Long> killedByThePool;

        Run(long seed) {
            this.seed = seed;
            this.random = new Random(seed);
            this.processes = 2 + random.nextInt(2);
            this.retries = random.nextInt(2);
            this.maxTasksPerChild = 10 + random.nextInt(21);
            this.log = tmp.resolve("runs-" + seed).toString();
        }

        String where() {
            return "seed " + seed + " (processes " + processes + ", retries " + retries + ", maxTasksPerChild "
                    + maxTasksPerChild + ")";
        }

        void go() throws Exception {
            Set<Long> before = descendants();
            ProcessPool pool = ProcessPool.builder().processes(processes).taskTimeout(TIMEOUT).retries(retries)
                    .maxTasksPerChild(maxTasksPerChild).jvmOptions(List.of("-Xmx64m", "-XX:TieredStopAtLevel=1",
                            "-XX:ErrorFile=" + tmp.resolve("hs_err_%p.log")))
                    .build();
            ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
            boolean closed = false;
            try {
                for (int i = 0; i < OPERATIONS; i++) {
                    step(pool, callers);
                    Thread.sleep(random.nextInt(40)); // lets the pool work between operations
                }
                long deadline = System.nanoTime() + Delays.seconds(60).toNanos();
                for (Op op : ops) {
                    try {
                        op.done().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    } catch (ExecutionException | CancellationException ended) {
                        // ended: checked below
                    } catch (TimeoutException e) {
                        throw new AssertionError(where() + ": " + op + " did not end within 60 s: a hang", e);
                    }
                }
                assertThat(pool.isShutdown()).as("%s: the pool gave up", where()).isFalse();
                List<Integer> last = new ArrayList<>();
                List<Object> expected = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    int id = nextId++;
                    last.add(code(id, Kind.QUICK));
                    expected.add(value(id));
                }
                assertThat(pool.mapAsync(coded(log), last, 3).get(60, TimeUnit.SECONDS))
                        .as("%s: a map after the chaos", where()).isEqualTo(expected);

                // close() with work queued and running, some of it ending its worker: it waits for all of it
                int beforeClose = ops.size();
                for (int i = 0; i < 12; i++) {
                    Kind kind = singleKind();
                    kind = kind == Kind.HANG ? Kind.QUICK : kind; // timeouts when closing: ProcessPoolLifecycleTest
                    int id = newItem(kind);
                    add(new Single(id, kind, pool.applyAsync(single(log, kind), id)));
                }
                List<Integer> items = items();
                add(new Mapped(items, 2, "mapAsync", false, pool.mapAsync(coded(log), codes(items), 2)));
                CompletableFuture<Void> closing = CompletableFuture.runAsync(pool::close, callers);
                try {
                    closing.get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    throw new AssertionError(where() + ": close() did not return within 60 s", e);
                }
                closed = true;
                for (Op op : ops.subList(beforeClose, ops.size())) {
                    assertThat(op.done().isDone()).as("%s: %s, submitted before close(), once it returned", where(), op)
                            .isTrue();
                }
                assertThat(pool.isTerminated()).as("%s: terminated after close()", where()).isTrue();

                learnRuns();
                for (Op op : ops) {
                    op.verify();
                }
            } finally {
                if (!closed) {
                    pool.terminate(); // a failure above: end the pool without hiding the failure
                }
                callers.shutdownNow();
            }
            Awaitility.await(where() + ": no child process of the pool left").atMost(Delays.seconds(15))
                    .untilAsserted(() -> assertThat(before).containsAll(descendants()));
        }

        private Set<Long> descendants() {
            return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                    .collect(Collectors.toSet());
        }

        /** One random operation. */
        private void step(ProcessPool pool, ExecutorService callers) throws InterruptedException {
            int dice = random.nextInt(100);
            if (dice < 52) {
                Kind kind = singleKind();
                int id = newItem(kind);
                singles.add(add(new Single(id, kind, pool.applyAsync(single(log, kind), id))));
            } else if (dice < 58) {
                Kind kind = singleKind();
                int id = newItem(kind);
                add(new Single(id, kind, CompletableFuture.supplyAsync(() -> {
                    try {
                        return pool.apply(single(log, kind), id);
                    } catch (ExecutionException e) {
                        throw new CompletionException(e.getCause());
                    } catch (InterruptedException e) {
                        throw new CompletionException(e);
                    }
                }, callers)));
            } else if (dice < 74) {
                List<Integer> items = items();
                List<Integer> codes = codes(items);
                List<Map.Entry<Integer, Integer>> pairs = items.stream()
                        .map(id -> Map.entry(id, kinds.get(id).ordinal())).toList();
                int chunk = 1 + random.nextInt(4);
                switch (random.nextInt(4)) {
                    case 0 -> add(new Mapped(items, chunk, "map", true, CompletableFuture.supplyAsync(() -> {
                        try {
                            return pool.map(coded(log), codes, chunk);
                        } catch (ExecutionException e) {
                            throw new CompletionException(e);
                        } catch (InterruptedException e) {
                            throw new CompletionException(e);
                        }
                    }, callers)));
                    case 1 -> add(new Mapped(items, chunk, "starmap", true, CompletableFuture.supplyAsync(() -> {
                        try {
                            return pool.starmap(paired(log), pairs, chunk);
                        } catch (ExecutionException e) {
                            throw new CompletionException(e);
                        } catch (InterruptedException e) {
                            throw new CompletionException(e);
                        }
                    }, callers)));
                    default -> add(new Mapped(items, chunk, "mapAsync", false, pool.mapAsync(coded(log), codes, chunk)));
                }
            } else if (dice < 82) {
                List<Integer> items = items();
                List<Integer> codes = codes(items);
                int chunk = 1 + random.nextInt(3);
                boolean ordered = random.nextBoolean();
                add(new Imapped(items, chunk, ordered, CompletableFuture.supplyAsync(() -> {
                    List<Object> outcomes = new ArrayList<>();
                    try (ResultIterator<Object> it = ordered ? pool.imap(coded(log), codes, chunk)
                            : pool.imapUnordered(coded(log), codes, chunk)) {
                        while (it.hasNext()) {
                            try {
                                outcomes.add(it.next());
                            } catch (CompletionException e) {
                                outcomes.add(e);
                            }
                        }
                    }
                    return outcomes;
                }, callers)));
            } else if (dice < 93) {
                List<Single> running = singles.stream().filter(s -> !s.future.isDone()).toList();
                if (!running.isEmpty()) {
                    Single victim = running.get(random.nextInt(running.size()));
                    boolean interrupt = random.nextInt(10) < 7;
                    victim.cancelled = victim.future.cancel(interrupt);
                    victim.interrupted = victim.cancelled && interrupt;
                }
            } else {
                List<Long> pids = new ArrayList<>(pool.workerPids());
                for (int wait = 0; pids.isEmpty() && wait < 200; wait++) { // every worker died: wait for a replacement
                    Thread.sleep(10);
                    pids = new ArrayList<>(pool.workerPids());
                }
                if (!pids.isEmpty()) {
                    long pid = pids.get(random.nextInt(pids.size()));
                    killedFromOutside.add(pid);
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }

        private Kind singleKind() {
            int dice = random.nextInt(100);
            return dice < 60 ? Kind.QUICK : dice < 72 ? Kind.THROW : dice < 76 ? Kind.EXIT : dice < 80 ? Kind.HALT
                    : dice < 82 ? Kind.SELF_KILL : dice < 85 ? Kind.HANG : dice < 87 ? Kind.OOM : Kind.UNENCODABLE;
        }

        private Kind itemKind() {
            int dice = random.nextInt(100);
            return dice < 82 ? Kind.QUICK : dice < 90 ? Kind.THROW : dice < 96 ? Kind.UNENCODABLE : dice < 97
                    ? Kind.EXIT : dice < 98 ? Kind.HALT : dice < 99 ? Kind.SELF_KILL : random.nextBoolean() ? Kind.OOM : Kind.HANG;
        }

        private List<Integer> items() {
            int n = 1 + random.nextInt(8);
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ids.add(newItem(itemKind()));
            }
            return ids;
        }

        private List<Integer> codes(List<Integer> ids) {
            return ids.stream().map(id -> code(id, kinds.get(id))).toList();
        }

        private int newItem(Kind kind) {
            int id = nextId++;
            kinds.put(id, kind);
            return id;
        }

        private <T extends Op> T add(T op) {
            ops.add(op);
            return op;
        }

        /** Reads the log of runs, and which workers the pool itself killed (for a timeout or a cancel). */
        private void learnRuns() throws IOException {
            runs = new HashMap<>();
            if (Files.exists(Path.of(log))) {
                for (String line : Files.readAllLines(Path.of(log))) {
                    String[] parts = line.split(" ");
                    runs.computeIfAbsent(Integer.parseInt(parts[0]), k -> new ArrayList<>()).add(Long.parseLong(parts[1]));
                }
            }
            killedByThePool = new HashSet<>();
            runs.forEach((id, pids) -> {
                if (kinds.get(id) == Kind.HANG) {
                    killedByThePool.addAll(pids); // killed at its timeout, even if a failed map no longer waits for it
                }
            });
            for (Single s : singles) {
                if (s.interrupted) {
                    killedByThePool.addAll(runs.getOrDefault(s.id, List.of())); // cancel(true) kills a running task
                }
            }
            for (Op op : ops) {
                Throwable failure = op.failure();
                for (Throwable t = failure; t != null; t = t.getCause()) {
                    if (t instanceof TaskTimeoutException && t.getMessage() != null) {
                        Matcher m = TIMEOUT_PID.matcher(t.getMessage());
                        if (m.find()) {
                            killedByThePool.add(Long.parseLong(m.group(1)));
                        }
                    }
                }
            }
        }

        private List<Long> runsOf(int id) {
            return runs.getOrDefault(id, List.of());
        }

        /**
         * Runs beyond those the retries allow: a task runs once, and again up to {@code retries} times when its
         * worker dies; a run on a worker that the pool killed for another task (whose outcome came just before the
         * kill) does not count: that task goes back to the queue, as it is not to blame.
         */
        private void checkRuns(int id, Op op) {
            long counted = runsOf(id).stream().filter(p -> !killedByThePool.contains(p)).count();
            assertThat(counted).as("%s: runs of item %d (%s) in %s, on pids %s (killed by the pool: %s)", where(), id,
                    kinds.get(id), op, runsOf(id), killedByThePool).isLessThanOrEqualTo(1 + retries);
        }

        /** Whether {@code failure} is a SIGKILL that this test sent to a worker. */
        private boolean killedFromOutside(Throwable failure) {
            return failure instanceof WorkerCrashedException crash && crash.signal().orElse(0) == 9
                    && killedFromOutside.contains(crash.pid());
        }

        /**
         * Whether {@code failure} is what a task (or chunk) whose first failing item is {@code id} deserves: its
         * exception, its exit, its timeout; or a SIGKILL from this test.
         */
        private boolean deserved(int id, Throwable failure) {
            if (killedFromOutside(failure)) {
                return true;
            }
            Kind kind = kinds.get(id);
            return switch (kind) {
                case QUICK -> false;
                case THROW -> failure instanceof IllegalArgumentException e && ("chaos " + id).equals(e.getMessage());
                case EXIT, HALT -> failure instanceof WorkerCrashedException c && c.exitCode() == exitCode(id)
                        && c.signal().isEmpty() && runsOf(id).contains(c.pid());
                case SELF_KILL -> failure instanceof WorkerCrashedException c && c.signal().orElse(0) == 9
                        && runsOf(id).contains(c.pid());
                case OOM -> failure instanceof WorkerCrashedException c && c.exitCode() == 3
                        && c.stderrTail().contains("OutOfMemoryError") && runsOf(id).contains(c.pid());
                case HANG -> failure instanceof TaskTimeoutException t && t.timeout().equals(TIMEOUT);
                case UNENCODABLE -> failure instanceof EncodingException;
            };
        }

        /**
         * Whether the failure of {@code id} in a chunk names the item (a task that throws, a result that cannot travel
         * back), not the chunk (a worker's death).
         */
        private boolean namesItsItem(int id) {
            return kinds.get(id) == Kind.THROW || kinds.get(id) == Kind.UNENCODABLE;
        }

        /** The item whose failure ends a chunk (the first that fails when run), or -1 if the chunk deserves success. */
        private int failingItem(List<Integer> chunk) {
            int unencodable = -1;
            for (int id : chunk) {
                Kind kind = kinds.get(id);
                if (kind == Kind.UNENCODABLE) {
                    unencodable = unencodable < 0 ? id : unencodable; // the list of results fails to encode at the end
                } else if (kind != Kind.QUICK) {
                    return id;
                }
            }
            return unencodable;
        }

        private List<List<Integer>> chunks(List<Integer> items, int size) {
            List<List<Integer>> chunks = new ArrayList<>();
            for (int from = 0; from < items.size(); from += size) {
                chunks.add(items.subList(from, Math.min(items.size(), from + size)));
            }
            return chunks;
        }

        /** One operation and its check. */
        abstract class Op {
            abstract CompletableFuture<?> done();

            abstract void verify();

            /** The failure it ended with, or null. */
            Throwable failure() {
                try {
                    done().getNow(null);
                    return null;
                } catch (CompletionException e) {
                    return e.getCause();
                } catch (CancellationException e) {
                    return e;
                }
            }
        }

        /** One task: applyAsync, or apply on a thread of its own. */
        final class Single extends Op {
            final int id;
            final Kind kind;
            final CompletableFuture<Object> future;
            boolean cancelled;
            /** Cancelled with {@code cancel(true)}. */
            boolean interrupted;

            Single(int id, Kind kind, CompletableFuture<Object> future) {
                this.id = id;
                this.kind = kind;
                this.future = future;
            }

            @Override
            CompletableFuture<?> done() {
                return future;
            }

            @Override
            void verify() {
                checkRuns(id, this);
                if (cancelled) {
                    assertThat(future.isCancelled()).as("%s: %s, whose cancel() returned true", where(), this).isTrue();
                    return;
                }
                Throwable failure = failure();
                if (failure == null) {
                    assertThat(future.getNow(null)).as("%s: the result of %s", where(), this).isEqualTo(value(id));
                    assertThat(kind).as("%s: %s succeeded", where(), this).isEqualTo(Kind.QUICK);
                    assertThat(runsOf(id)).as("%s: runs of %s", where(), this).isNotEmpty();
                    return;
                }
                assertThat(deserved(id, failure)).as("%s: %s failed with %s (killed from outside: %s)", where(), this,
                        describe(failure), killedFromOutside).isTrue();
            }

            @Override
            public String toString() {
                return "task " + id + " (" + kind + (cancelled ? ", cancelled" : "") + ")";
            }
        }

        /** map, starmap (blocking, on a thread of their own) or mapAsync. */
        final class Mapped extends Op {
            final List<Integer> items;
            final int chunkSize;
            final String how;
            final boolean inOrder;
            final CompletableFuture<List<Object>> future;

            @SuppressWarnings("unchecked")
            Mapped(List<Integer> items, int chunkSize, String how, boolean inOrder, CompletableFuture<?> future) {
                this.items = items;
                this.chunkSize = chunkSize;
                this.how = how;
                this.inOrder = inOrder;
                this.future = (CompletableFuture<List<Object>>) future;
            }

            @Override
            CompletableFuture<?> done() {
                return future;
            }

            @Override
            void verify() {
                items.forEach(id -> checkRuns(id, this));
                List<List<Integer>> chunks = chunks(items, chunkSize);
                int firstFailing = -1;
                for (int c = 0; c < chunks.size() && firstFailing < 0; c++) {
                    if (failingItem(chunks.get(c)) >= 0) {
                        firstFailing = c;
                    }
                }
                Throwable failure = failure();
                if (failure == null) {
                    assertThat(firstFailing).as("%s: %s succeeded", where(), this).isEqualTo(-1);
                    assertThat(future.getNow(null)).as("%s: results of %s", where(), this)
                            .isEqualTo(items.stream().map(id -> (Object) value(id)).toList());
                    return;
                }
                if (!inOrder) {
                    // mapAsync fails with whichever chunk failed first
                    boolean some = false;
                    for (List<Integer> chunk : chunks) {
                        int failing = failingItem(chunk);
                        some |= failing >= 0 ? deserved(failing, failure) : killedFromOutside(failure);
                    }
                    assertThat(some).as("%s: %s failed with %s", where(), this, describe(failure)).isTrue();
                    return;
                }
                assertThat(failure).as("%s: %s", where(), this).isInstanceOf(ExecutionException.class);
                Matcher m = MAP_INDEX.matcher(String.valueOf(failure.getMessage()));
                assertThat(m.find()).as("%s: %s failed naming no item: %s", where(), this, failure).isTrue();
                int index = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
                int c = index / chunkSize;
                Throwable cause = failure.getCause();
                int failing = failingItem(chunks.get(c));
                boolean ok;
                if (killedFromOutside(cause)) {
                    ok = (firstFailing < 0 || c <= firstFailing) && m.group(2) != null && index == c * chunkSize;
                } else {
                    ok = c == firstFailing && deserved(failing, cause)
                            && (namesItsItem(failing) ? index == items.indexOf(failing)
                                    : m.group(2) != null && index == c * chunkSize);
                }
                assertThat(ok).as("%s: %s failed with %s (killed from outside: %s)", where(), this, describe(failure),
                        killedFromOutside).isTrue();
            }

            @Override
            public String toString() {
                return how + " of " + items.stream().map(id -> id + ":" + kinds.get(id)).toList() + " in chunks of "
                        + chunkSize;
            }
        }

        /** imap or imapUnordered, consumed to the end on a thread of its own. */
        final class Imapped extends Op {
            final List<Integer> items;
            final int chunkSize;
            final boolean ordered;
            final CompletableFuture<List<Object>> future;

            Imapped(List<Integer> items, int chunkSize, boolean ordered, CompletableFuture<List<Object>> future) {
                this.items = items;
                this.chunkSize = chunkSize;
                this.ordered = ordered;
                this.future = future;
            }

            @Override
            CompletableFuture<?> done() {
                return future;
            }

            @Override
            void verify() {
                items.forEach(id -> checkRuns(id, this));
                assertThat(failure()).as("%s: %s", where(), this).isNull();
                List<Object> outcomes = future.getNow(null);
                List<List<Integer>> chunks = chunks(items, chunkSize);
                // the outcomes of each chunk: its values, or one failure
                Map<Integer, List<Object>> byChunk = new HashMap<>();
                List<Integer> order = new ArrayList<>();
                for (Object outcome : outcomes) {
                    int c;
                    if (outcome instanceof CompletionException e) {
                        Matcher m = IMAP_INDEX.matcher(String.valueOf(e.getMessage()));
                        assertThat(m.find()).as("%s: %s failed naming no item: %s", where(), this, e).isTrue();
                        c = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2)) / chunkSize;
                    } else {
                        int id = ((Integer) outcome - 7) / 31;
                        assertThat(items).as("%s: %s gave %s", where(), this, outcome).contains(id);
                        c = items.indexOf(id) / chunkSize;
                    }
                    if (order.isEmpty() || order.getLast() != c) {
                        order.add(c);
                    }
                    byChunk.computeIfAbsent(c, k -> new ArrayList<>()).add(outcome);
                }
                if (ordered) {
                    assertThat(order).as("%s: the chunks in the outcomes %s of %s", where(), outcomes, this)
                            .isSorted().doesNotHaveDuplicates();
                }
                assertThat(byChunk.keySet()).as("%s: chunks with outcomes %s of %s", where(), outcomes, this)
                        .hasSize(chunks.size());
                for (int c = 0; c < chunks.size(); c++) {
                    List<Integer> chunk = chunks.get(c);
                    List<Object> got = byChunk.get(c);
                    int failing = failingItem(chunk);
                    String what = "chunk " + c + " " + chunk + " of " + this + ", outcomes " + outcomes;
                    if (got.size() == 1 && got.getFirst() instanceof CompletionException e) {
                        Throwable cause = e.getCause();
                        boolean named;
                        int start = c * chunkSize;
                        String slot = chunk.size() == 1 ? "item " + start
                                : "the chunk of items " + start + ".." + (start + chunk.size() - 1);
                        if (chunkSize > 1 && !killedFromOutside(cause) && namesItsItem(failing)) {
                            named = e.getMessage().startsWith("item " + items.indexOf(failing) + " failed");
                        } else {
                            named = e.getMessage().startsWith(slot + " failed");
                        }
                        assertThat(named && (failing >= 0 ? deserved(failing, cause) : killedFromOutside(cause)))
                                .as("%s: %s failed with %s (killed from outside: %s)", where(), what, describe(cause),
                                        killedFromOutside).isTrue();
                    } else {
                        assertThat(failing).as("%s: %s succeeded", where(), what).isEqualTo(-1);
                        assertThat(got).as("%s: %s", where(), what)
                                .isEqualTo(chunk.stream().map(id -> (Object) value(id)).toList());
                    }
                }
            }

            @Override
            public String toString() {
                return (ordered ? "imap" : "imapUnordered") + " of " + items.stream().map(id -> id + ":" + kinds.get(id))
                        .toList() + " in chunks of " + chunkSize;
            }
        }
    }

    private static String describe(Throwable t) {
        return t + (t instanceof WorkerCrashedException c ? " [pid " + c.pid() + ", exit " + c.exitCode() + "]" : "");
    }
}

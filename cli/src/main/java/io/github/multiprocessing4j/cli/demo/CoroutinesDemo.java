package io.github.multiprocessing4j.cli.demo;

import io.github.multiprocessing4j.async.TaskGroup;
import io.github.multiprocessing4j.pool.ProcessPool;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The seed's crawler claim, made real: a crawl of 10,000 pages of a local site with at most 200 requests in
 * flight, on coroutines — a {@link TaskGroup} whose tasks spawn a task per new link, a
 * {@link Semaphore} of 200 around each fetch — and the same crawl on a pool of 8 platform threads, each
 * with its time and memory. Python would write the first with {@code asyncio.TaskGroup} and an
 * {@code asyncio.Semaphore(200)} around {@code aiohttp} calls.
 *
 * <p>The site ({@link CrawlSite}) runs in this JVM on 127.0.0.1 and answers each page after 10 ms, standing
 * in for the network round trip. The pages form a tree (page i links to pages 10i+1 ... 10i+10), so the
 * crawler discovers them as it goes.
 *
 * <p>Each crawl runs in a fresh JVM of its own (a one-worker {@link ProcessPool}), warms its own JIT up there
 * and reports back a {@link CrawlResult}: run one after the other in one JVM, the second crawl found the heap
 * the first had grown, and its RSS growth showed the order of the crawls more than the crawl (296/233 MB in
 * one run, 37/196 MB in the next).
 */
public final class CoroutinesDemo implements Demo {
    private static final int PAGES = 10_000;
    private static final int FANOUT = 10;
    private static final long LATENCY_MILLIS = 10;
    private static final int IN_FLIGHT = 200;
    private static final int POOL_THREADS = 8;
    private static final Pattern LINK = Pattern.compile("href=\"/page/(\\d+)\"");

    @Override
    public String name() {
        return "coroutines";
    }

    @Override
    public String summary() {
        return "crawl 10,000 local pages with 200 in flight on coroutines, beside 8 platform threads (asyncio)";
    }

    @Override
    public void run(PrintStream out) throws Exception {
        try (CrawlSite site = CrawlSite.start(PAGES, FANOUT, LATENCY_MILLIS)) {
            out.printf(Locale.ROOT,
                    "Serving %,d pages on http://127.0.0.1:%d/page/0 (each answers after %d ms, standing in "
                    + "for the network).%n", PAGES, site.port(), LATENCY_MILLIS);
            out.println("Each crawl runs in a fresh JVM of its own (a one-worker ProcessPool), after a short warm-up "
                    + "crawl there:");
            out.println("in one JVM, the second crawl would find the heap the first one grew, and its memory would "
                    + "show the order of the crawls, not the crawl.");
            try (CrawlSite warmUp = CrawlSite.start(1_000, FANOUT, 1)) {
                out.printf(Locale.ROOT, "Crawling on a pool of %d platform threads...%n", POOL_THREADS);
                CrawlResult pool = crawlInOwnJvm(new CrawlJob(Kind.POOL, warmUp.port(), site.port(), POOL_THREADS));
                out.printf(Locale.ROOT, "Crawling on coroutines, at most %d requests in flight...%n", IN_FLIGHT);
                CrawlResult coroutines = crawlInOwnJvm(new CrawlJob(Kind.COROUTINES, warmUp.port(), site.port(),
                        IN_FLIGHT));

                report(out, coroutines, pool, PAGES);
            }
        }
    }

    /** How a crawl fetches: tasks on coroutines, or jobs on a pool of platform threads. */
    enum Kind {
        COROUTINES, POOL
    }

    /**
     * One crawl as sent to the JVM that runs it: the sites are in the CLI's JVM, so the job carries their
     * ports only.
     *
     * @param kind       coroutines or a pool of threads
     * @param warmUpPort the port of the small site crawled first, to warm that JVM's JIT up
     * @param port       the port of the site crawled and measured
     * @param bound      requests in flight at most (coroutines), or threads of the pool
     */
    record CrawlJob(Kind kind, int warmUpPort, int port, int bound) implements Serializable {

        /** Runs in the crawl's JVM: the warm-up crawl, of the same kind, then the crawl measured. */
        CrawlResult run() {
            try {
                crawl(warmUpPort);
                return crawl(port);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("the crawl was interrupted", e);
            } catch (Exception e) {
                throw new IllegalStateException("the " + kind + " crawl failed", e);
            }
        }

        private CrawlResult crawl(int sitePort) throws Exception {
            return kind == Kind.COROUTINES ? crawlOnCoroutines(sitePort, bound) : crawlOnPool(sitePort, bound);
        }
    }

    /**
     * Runs {@code job} in a fresh JVM of its own, so that its memory is measured from that JVM's start and
     * not on a heap that another crawl grew; the JVM ends with the pool.
     */
    static CrawlResult crawlInOwnJvm(CrawlJob job) throws InterruptedException, ExecutionException {
        // Default options for both crawls (the library's Serial GC among them): their heaps grow by the same rules.
        try (ProcessPool pool = ProcessPool.create(1)) {
            return pool.apply(CrawlJob::run, job);
        }
    }

    /** The table of both crawls, and what it shows. */
    static void report(PrintStream out, CrawlResult coroutines, CrawlResult pool, int pages) {
        table(out, coroutines, pool);
        // Before any verdict: a crawl that missed pages did less work, and its time compares with nothing.
        if (coroutines.pages() != pages || pool.pages() != pages) {
            throw new IllegalStateException("a crawl missed pages (" + pages + " expected): " + coroutines + " / "
                    + pool);
        }
        long coroutinesMillis = Math.max(1, coroutines.millis());
        long poolMillis = Math.max(1, pool.millis());
        if (coroutinesMillis < poolMillis) {
            out.printf(Locale.ROOT,
                    "%nCoroutines were %.1fx faster: %d requests waited on the network at once where %d threads "
                    + "can only wait on %d.%n", (double) poolMillis / coroutinesMillis, coroutines.maxInFlight(),
                    pool.threads(), pool.threads());
        } else {
            // Not expected (200 waits against 8), but a loaded machine decides: say what was measured.
            out.printf(Locale.ROOT, "%nThe %d threads were %.1fx faster in this run, although the coroutines had up to "
                    + "%d requests in flight.%n", pool.threads(), (double) coroutinesMillis / poolMillis,
                    coroutines.maxInFlight());
        }
        out.println("The RSS growth is mostly the HTTP client's garbage between collections, not the threads: a "
                + "parked coroutine holds about a kilobyte (mp4j bench coroutines), a platform thread reserves "
                + "a stack of its own.");
    }

    /** Every page on coroutines: one task per page, spawned by the task that found the link. */
    static CrawlResult crawlOnCoroutines(CrawlSite site, int inFlight) throws Exception {
        return crawlOnCoroutines(site.port(), inFlight);
    }

    /** {@link #crawlOnCoroutines(CrawlSite, int)} of the site on port {@code site} of 127.0.0.1. */
    static CrawlResult crawlOnCoroutines(int site, int inFlight) throws Exception {
        try (ExecutorService clientWork = Executors.newVirtualThreadPerTaskExecutor();
                HttpClient client = client(clientWork)) {
            Meter meter = new Meter();
            Semaphore slots = new Semaphore(inFlight);
            Set<Integer> seen = ConcurrentHashMap.newKeySet();
            AtomicLong tasks = new AtomicLong();
            long t0 = System.nanoTime();
            meter.resetPeakRss();
            try (TaskGroup group = TaskGroup.open()) {
                seen.add(0);
                tasks.incrementAndGet();
                group.spawn(() -> visit(group, site, client, 0, slots, seen, meter, tasks));
            }
            return meter.result(System.nanoTime() - t0, tasks.get());
        }
    }

    private static Void visit(TaskGroup group, int site, HttpClient client, int page, Semaphore slots,
            Set<Integer> seen, Meter meter, AtomicLong tasks) throws Exception {
        String html;
        slots.acquire();
        try {
            html = meter.fetch(client, site, page);
        } finally {
            slots.release();
        }
        for (int link : links(html)) {
            if (seen.add(link)) {
                tasks.incrementAndGet();
                group.spawn(() -> visit(group, site, client, link, slots, seen, meter, tasks));
            }
        }
        return null;
    }

    /** Every page on a fixed pool: a job per page, submitted by the job that found the link. */
    static CrawlResult crawlOnPool(CrawlSite site, int threads) throws Exception {
        return crawlOnPool(site.port(), threads);
    }

    /** {@link #crawlOnPool(CrawlSite, int)} of the site on port {@code site} of 127.0.0.1. */
    static CrawlResult crawlOnPool(int site, int threads) throws Exception {
        try (ExecutorService clientWork = Executors.newVirtualThreadPerTaskExecutor();
                HttpClient client = client(clientWork); ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            Meter meter = new Meter();
            Set<Integer> seen = ConcurrentHashMap.newKeySet();
            AtomicInteger pending = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long t0 = System.nanoTime();
            meter.resetPeakRss();
            seen.add(0);
            submit(pool, site, client, 0, seen, meter, pending, done, failure);
            done.await();
            if (failure.get() != null) {
                throw new IllegalStateException("the pool crawl failed", failure.get());
            }
            return meter.result(System.nanoTime() - t0, threads);
        }
    }

    private static void submit(ExecutorService pool, int site, HttpClient client, int page, Set<Integer> seen,
            Meter meter, AtomicInteger pending, CountDownLatch done, AtomicReference<Throwable> failure) {
        pending.incrementAndGet();
        pool.execute(() -> {
            try {
                for (int link : links(meter.fetch(client, site, page))) {
                    if (seen.add(link)) {
                        submit(pool, site, client, link, seen, meter, pending, done, failure);
                    }
                }
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            } finally {
                if (pending.decrementAndGet() == 0) {
                    done.countDown();
                }
            }
        });
    }

    /**
     * The client's own work (completing responses) runs on {@code work}: its default is a cached pool of
     * platform threads that would grow with the requests in flight, for both crawls alike.
     */
    private static HttpClient client(ExecutorService work) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(work).build();
    }

    private static List<Integer> links(String html) {
        List<Integer> links = new ArrayList<>();
        Matcher m = LINK.matcher(html);
        while (m.find()) {
            links.add(Integer.parseInt(m.group(1)));
        }
        return links;
    }

    /** Counts pages, bytes and requests in flight (with the high-water mark) of one crawl. */
    private static final class Meter {
        final AtomicInteger pages = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        long rssBefore = -1;

        String fetch(HttpClient client, int site, int page) throws IOException, InterruptedException {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                URI uri = CrawlSite.page(site, page);
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IOException("GET " + uri + " answered " + r.statusCode());
                }
                pages.incrementAndGet();
                bytes.addAndGet(r.body().length());
                return r.body();
            } finally {
                inFlight.decrementAndGet();
            }
        }

        /** Linux: writing 5 to clear_refs resets VmHWM, so the peak measured is this crawl's. */
        void resetPeakRss() {
            try {
                Files.writeString(Path.of("/proc/self/clear_refs"), "5");
                rssBefore = status("VmRSS");
            } catch (IOException | RuntimeException e) {
                rssBefore = -1;
            }
        }

        CrawlResult result(long nanos, long threads) {
            long growth = -1;
            if (rssBefore >= 0) {
                try {
                    growth = status("VmHWM") - rssBefore;
                } catch (IOException e) {
                    growth = -1;
                }
            }
            return new CrawlResult(pages.get(), bytes.get(), nanos / 1_000_000, maxInFlight.get(), growth, threads,
                    ProcessHandle.current().pid());
        }

        private static long status(String field) throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
                }
            }
            throw new IOException(field + " not in /proc/self/status");
        }
    }

    /** The table of both crawls' figures. */
    static void table(PrintStream out, CrawlResult coroutines, CrawlResult pool) {
        out.println();
        out.printf(Locale.ROOT, "%-34s %14s %14s%n", "", "coroutines", POOL_THREADS + " threads");
        row(out, "pages crawled", "%,d", coroutines.pages(), pool.pages());
        row(out, "HTML received (KB)", "%,d", coroutines.bytes() / 1024, pool.bytes() / 1024);
        row(out, "wall time (ms)", "%,d", coroutines.millis(), pool.millis());
        row(out, "pages per second", "%,d", perSecond(coroutines), perSecond(pool));
        row(out, "most requests in flight at once", "%,d", coroutines.maxInFlight(), pool.maxInFlight());
        row(out, "threads that fetched", "%,d", coroutines.threads(), pool.threads());
        row(out, "pid of the JVM that crawled", "%d", coroutines.pid(), pool.pid());
        out.printf(Locale.ROOT, "%-34s %14s %14s%n", "peak RSS growth during crawl (MB)",
                mb(coroutines.rssGrowth()), mb(pool.rssGrowth()));
    }

    private static void row(PrintStream out, String label, String format, long coroutines, long pool) {
        out.printf(Locale.ROOT,
                "%-34s %14s %14s%n", label, String.format(Locale.ROOT, format, coroutines), String.format(Locale.ROOT, format, pool));
    }

    private static long perSecond(CrawlResult r) {
        return r.pages() * 1000L / Math.max(1, r.millis());
    }

    /** Megabytes, or {@code n/a} where the growth could not be read (-1: no /proc, say). */
    private static String mb(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", Math.round(bytes / (1024.0 * 1024)));
    }
}

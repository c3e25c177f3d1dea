package io.github.multiprocessing4j.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CoroutinesDemoTest {

    /**
     * The crawls themselves, on a small site: both fetch every page once, and the coroutines crawl, which
     * spawns a task per link as it finds it, never has more requests in flight than its bound; the table of
     * the demo shows that high-water mark as measured.
     */
    @Test
    void bothCrawls_fetchEveryPage_andTheCoroutinesNeverHaveMoreInFlightThanTheirBound() throws Exception {
        try (CrawlSite site = CrawlSite.start(1_000, 10, 2)) {
            CrawlResult coroutines = CoroutinesDemo.crawlOnCoroutines(site, 20);
            CrawlResult pool = CoroutinesDemo.crawlOnPool(site, 4);

            assertThat(coroutines.pages()).isEqualTo(1_000);
            assertThat(coroutines.threads()).as("a task per page").isEqualTo(1_000);
            assertThat(coroutines.maxInFlight()).isBetween(2, 20);
            assertThat(pool.pages()).isEqualTo(1_000);
            assertThat(pool.maxInFlight()).isBetween(1, 4);
            assertThat(coroutines.bytes()).isEqualTo(pool.bytes()).isPositive();
        }
    }

    /**
     * Both crawls ran in the CLI's JVM one after the other, and the second found the heap the first had grown
     * (peak RSS growth 296/233 MB in one run, 37/196 MB in the next, coroutines/threads): each runs in a
     * fresh JVM of its own now, neither the CLI's nor the other crawl's, and still fetches every page.
     */
    @Test
    void eachCrawl_runsInAFreshJvmOfItsOwn_soThatItsMemoryIsMeasuredOnEqualTerms() throws Exception {
        try (CrawlSite warmUp = CrawlSite.start(100, 10, 1); CrawlSite site = CrawlSite.start(1_000, 10, 2)) {
            CrawlResult pool = CoroutinesDemo.crawlInOwnJvm(
                    new CoroutinesDemo.CrawlJob(CoroutinesDemo.Kind.POOL, warmUp.port(), site.port(), 4));
            CrawlResult coroutines = CoroutinesDemo.crawlInOwnJvm(
                    new CoroutinesDemo.CrawlJob(CoroutinesDemo.Kind.COROUTINES, warmUp.port(), site.port(), 20));

            long cli = ProcessHandle.current().pid();
            assertThat(pool.pid()).as("the pool crawl's JVM").isNotEqualTo(cli);
            assertThat(coroutines.pid()).as("the coroutines crawl's JVM").isNotEqualTo(cli).isNotEqualTo(pool.pid());
            assertThat(pool.pages()).isEqualTo(1_000);
            assertThat(coroutines.pages()).isEqualTo(1_000);
            assertThat(coroutines.maxInFlight()).isBetween(2, 20);
            assertThat(pool.maxInFlight()).isBetween(1, 4);
        }
    }

    /**
     * Where the peak RSS cannot be read (no /proc, as on macOS, or a clear_refs the process may not write),
     * a crawl's rssGrowth is -1: the table says so, instead of printing a growth of -1 MB.
     */
    @Test
    void anUnreadablePeakRss_isShownAsNotAvailable_notAsMinusOneMegabyte() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        CrawlResult coroutines = new CrawlResult(10_000, 806_000, 2_000, 200, -1, 10_000);
        CrawlResult pool = new CrawlResult(10_000, 806_000, 15_000, 8, 3L << 20, 8);

        CoroutinesDemo.table(out, coroutines, pool);

        String rss = printed.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.startsWith("peak RSS growth")).findFirst().orElseThrow();
        assertThat(rss).doesNotContain("-1").matches(".*\\bn/a\\s+3$");
    }

    /**
     * The demo printed "Coroutines were 1.5x faster" from the times of crawls that had missed pages (a crawl
     * that fetched fewer pages is quicker), and only then failed for the missing pages. It fails first now,
     * and claims no speed-up.
     */
    @Test
    void aCrawlThatMissedPages_failsTheDemo_beforeAnySpeedUpIsClaimed() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        CrawlResult coroutines = new CrawlResult(6_000, 480_000, 1_000, 200, 1L << 20, 6_000);
        CrawlResult pool = new CrawlResult(10_000, 806_000, 1_500, 8, 1L << 20, 8);

        assertThatThrownBy(() -> CoroutinesDemo.report(out, coroutines, pool, 10_000))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("missed pages");

        assertThat(printed.toString(StandardCharsets.UTF_8)).doesNotContain("faster");
    }

    /**
     * The verdict said "Coroutines were 0.5x faster" when the pool of threads had been the faster (a loaded
     * machine can make it so): it says which crawl was faster, by how much, as measured.
     */
    @Test
    void aFasterPoolCrawl_isSaidToBeFaster_notCalledASpeedUpOfTheCoroutines() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        CrawlResult coroutines = new CrawlResult(10_000, 806_000, 4_000, 200, 1L << 20, 10_000);
        CrawlResult pool = new CrawlResult(10_000, 806_000, 2_000, 8, 1L << 20, 8);

        CoroutinesDemo.report(out, coroutines, pool, 10_000);

        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("Coroutines were").contains("The 8 threads were 2.0x faster");
    }
}

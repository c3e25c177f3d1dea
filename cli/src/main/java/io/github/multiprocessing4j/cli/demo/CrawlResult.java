package io.github.multiprocessing4j.cli.demo;

import java.io.Serializable;

/**
 * What one crawl of the coroutines demo measured, sent back from the JVM that crawled.
 *
 * @param pages       pages fetched
 * @param bytes       bytes of HTML received
 * @param millis      wall time
 * @param maxInFlight the most requests that were ever in flight at once
 * @param rssGrowth   how much the peak RSS grew during the crawl (bytes), or -1 where it cannot be read
 * @param threads     how many threads fetched: virtual threads started, or the pool's platform threads
 * @param pid         the pid of the JVM that crawled (and whose RSS was measured)
 */
record CrawlResult(int pages, long bytes, long millis, int maxInFlight, long rssGrowth, long threads, long pid)
        implements Serializable {

    /** A crawl measured in this JVM. */
    CrawlResult(int pages, long bytes, long millis, int maxInFlight, long rssGrowth, long threads) {
        this(pages, bytes, millis, maxInFlight, rssGrowth, threads, ProcessHandle.current().pid());
    }
}

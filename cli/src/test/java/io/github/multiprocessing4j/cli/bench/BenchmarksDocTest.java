package io.github.multiprocessing4j.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarksDocTest {

    @TempDir
    Path tmp;

    @Test
    void aTopicsSection_isReplacedOnTheNextRun_andOtherTopicsAreKept() throws Exception {
        Path doc = tmp.resolve("docs/benchmarks.md");
        BenchmarksDoc.write(doc, new Report("process", "Process").add(Row.time("start", "ms", 90, 80, "<= 100 ms", true)));
        BenchmarksDoc.write(doc, new Report("pool", "Pool").add(Row.rate("map", "items/s", 3e6, 1e6, ">= 3x", true)));
        BenchmarksDoc.write(doc, new Report("process", "Process").add(Row.time("start", "ms", 70, 80, "<= 100 ms", true)));
        String text = Files.readString(doc);
        assertThat(text).startsWith("# Benchmarks");
        assertThat(text).contains("| start | 70.0 ms | 80.0 ms | 1.14x faster | <= 100 ms (met) |");
        assertThat(text).doesNotContain("| start | 90.0 ms");
        assertThat(text).contains("| map | 3,000,000 items/s | 1,000,000 items/s | 3.00x faster | >= 3x (met) |");
        assertThat(text.indexOf("<!-- bench:process -->")).isLessThan(text.indexOf("<!-- bench:pool -->"));
    }

    @Test
    void aSideThatWasNotMeasured_showsADash_inBothColumns() throws Exception {
        Path doc = tmp.resolve("docs/benchmarks.md");
        Report report = new Report("process", "Process")
                .add(Row.time("  CPython fork, back to back", "ms", Double.NaN, 17.8, "", null))
                .add(Row.time("cold start", "ms", 174, Double.NaN, "", null));
        BenchmarksDoc.write(doc, report);
        String text = Files.readString(doc);
        assertThat(text).contains("|   CPython fork, back to back | - | 17.8 ms | - |  |")
                .contains("| cold start | 174 ms | - | - |  |")
                .doesNotContain("n/a");
        var printed = new java.io.ByteArrayOutputStream();
        report.print(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("n/a");
    }

    @Test
    void comparisons_sayFasterOrSlower_inTheRightDirection() {
        assertThat(Row.time("t", "ms", 50, 100, "", null).comparison()).isEqualTo("2.00x faster");
        assertThat(Row.time("t", "ms", 200, 100, "", null).comparison()).isEqualTo("2.00x slower");
        assertThat(Row.rate("r", "/s", 300, 100, "", null).comparison()).isEqualTo("3.00x faster");
        assertThat(Row.rate("r", "/s", 100, Double.NaN, "", null).comparison()).isEqualTo("-");
    }
}

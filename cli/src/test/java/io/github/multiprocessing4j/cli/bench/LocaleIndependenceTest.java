package io.github.multiprocessing4j.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The figures a probe prints are parsed by the bench with {@link Double#parseDouble}, and the tables go into
 * docs/benchmarks.md: both must read the same whatever the default locale, here one with a decimal comma.
 */
class LocaleIndependenceTest {
    private Locale before;

    @BeforeEach
    void decimalComma() {
        before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
    }

    @AfterEach
    void restore() {
        Locale.setDefault(before);
    }

    @Test
    void aProbesFigures_parse_underALocaleWithADecimalComma() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            CoroutinesBenchChild.main(new String[] {"ours", "10", "1"});
        } finally {
            System.setOut(out);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed).containsPattern("(?m)^wall_ms \\d+\\.\\d$").containsPattern("(?m)^cpu_ms \\d+\\.\\d$");
    }

    @Test
    void tableCells_useADecimalPoint_underALocaleWithADecimalComma() {
        assertThat(Row.format(1.5)).isEqualTo("1.50");
        assertThat(Row.format(12.34)).isEqualTo("12.3");
        assertThat(Row.format(1_234_567)).isEqualTo("1,234,567");
        assertThat(Row.time("t", "ms", 10, 25, "", null).comparison()).isEqualTo("2.50x faster");
    }
}

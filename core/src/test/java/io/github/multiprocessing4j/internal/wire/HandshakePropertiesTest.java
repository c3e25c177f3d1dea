package io.github.multiprocessing4j.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class HandshakePropertiesTest {

    @Provide
    Arbitrary<String> reasons() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(260),
                Arbitraries.strings().withCharRange('\u0000', '\u00a0').withChars('\u2028', '\u2029', '\u202e', '\u200b',
                        '\ufeff', '\ud83d', '\ude00').ofMaxLength(260),
                Arbitraries.strings().ascii().ofMinLength(195).ofMaxLength(205),
                // around 200 code points, many of them outside the BMP (two chars each)
                Arbitraries.oneOf(Arbitraries.integers().between(0x20, 0x7e),
                                Arbitraries.integers().between(0x1f600, 0x1f64f),
                                Arbitraries.integers().between(0xd800, 0xdfff))
                        .list().ofMinSize(190).ofMaxSize(210)
                        .map(cps -> cps.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint,
                                StringBuilder::append).toString()));
    }

    /**
     * A peer's refusal reason, once printable: no control, format or line/paragraph separator character is
     * left (each became '?'), at most 200 code points of it are kept (and '…' says so), and a surrogate
     * pair of the text is never cut in half.
     */
    @Property(tries = 1000)
    void printable_leavesNoControlCharacters_andAtMost200CodePoints(@ForAll("reasons") String text) {
        String shown = Handshake.printable(text);
        int count = text.codePointCount(0, text.length());
        String kept = count > 200 ? shown.substring(0, shown.length() - 1) : shown;
        if (count > 200) {
            assertThat(shown).endsWith("…");
        }
        assertThat(kept.codePointCount(0, kept.length())).isEqualTo(Math.min(count, 200));
        kept.codePoints().forEach(c -> {
            int type = Character.getType(c);
            assertThat(Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR).as("U+%04X in %s", c, kept).isFalse();
        });
        int[] in = text.codePoints().limit(200).toArray();
        int[] out = kept.codePoints().toArray();
        for (int i = 0; i < out.length; i++) {
            assertThat(out[i] == in[i] || out[i] == '?').isTrue();
        }
    }
}

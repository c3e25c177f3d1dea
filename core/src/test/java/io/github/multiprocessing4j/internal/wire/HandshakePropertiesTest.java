package io.github.multiprocessing4j.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Gen;
import io.github.multiprocessing4j.testing.Tries;
import org.junit.jupiter.api.Test;

class HandshakePropertiesTest {

    /**
     * A refusal reason: any text, controls and separators among Latin-1, some 200 ASCII characters, or
     * around 200 code points, many of them outside the BMP (two chars each) or lone surrogates.
     */
    static String reason(Gen g) {
        return switch (g.choose(4)) {
            case 0 -> g.string(260);
            case 1 -> g.string(0, 260, () -> g.oneIn(4)
                    ? g.pick('\u2028', '\u2029', '\u202e', '\u200b', '\ufeff', '\ud83d', '\ude00')
                    : g.charBetween('\u0000', '\u00a0'));
            case 2 -> g.string(195, 205, () -> g.charBetween('\u0000', '\u007f'));
            default -> {
                StringBuilder s = new StringBuilder();
                for (int n = g.size(190, 210), i = 0; i < n; i++) {
                    s.appendCodePoint(switch (g.choose(3)) {
                        case 0 -> g.intBetween(0x20, 0x7e);
                        case 1 -> g.intBetween(0x1f600, 0x1f64f);
                        default -> g.intBetween(0xd800, 0xdfff);
                    });
                }
                yield s.toString();
            }
        };
    }

    /**
     * A peer's refusal reason, once printable: no control, format or line/paragraph separator character is
     * left (each became '?'), at most 200 code points of it are kept (and '…' says so), and a surrogate
     * pair of the text is never cut in half.
     */
    @Test
    void printable_leavesNoControlCharacters_andAtMost200CodePoints() {
        Tries.forAll(1000, HandshakePropertiesTest::reason, HandshakePropertiesTest::printableIsPrintable);
    }

    private static void printableIsPrintable(String text) {
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

package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StderrTailTest {

    private static void append(StderrTail tail, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        tail.append(bytes, 0, bytes.length);
    }

    @Test
    void aCharacterCutInTwoByTheStartOfTheTail_isDropped_notShownAsAReplacementCharacter() {
        StderrTail tail = new StderrTail(8);
        append(tail, "x\u20ac\u20ac\u20ac"); // 1 + 3 * 3 bytes: the tail starts inside the first euro sign
        assertThat(tail.lastLines(5)).isEqualTo("\u20ac\u20ac");

        StderrTail emoji = new StderrTail(6);
        append(emoji, "\uD83D\uDE00\uD83D\uDE00"); // 2 * 4 bytes: the tail keeps the last 2 bytes of the first
        assertThat(emoji.lastLines(5)).isEqualTo("\uD83D\uDE00");
    }

    @Test
    void aTailThatWrapped_dropsItsLeadingPartialLine_andKeepsTheLastLines() {
        StderrTail tail = new StderrTail(16);
        append(tail, "first line\nsecond\nthird\n");
        assertThat(tail.lastLines(5)).isEqualTo("second\nthird");
        assertThat(tail.lastLines(1)).isEqualTo("third");
    }

    @Test
    void aLastLineLongerThanTheTail_isKeptCut_notDroppedAsALeadingPartialLine() {
        // The tail dropped the cut first line of a wrapped ring even when nothing followed it, and came out
        // empty: a child whose last words were one long line (a long message) "wrote nothing to stderr".
        StderrTail tail = new StderrTail(16);
        append(tail, "short\n" + "y".repeat(40) + "\n");
        assertThat(tail.lastLines(5)).isEqualTo("y".repeat(15));

        StderrTail noNewline = new StderrTail(16);
        append(noNewline, "short\n" + "z".repeat(40));
        assertThat(noNewline.lastLines(5)).isEqualTo("z".repeat(16));
    }

    @Test
    void linesKeepTheirIndentation_andLoseTheirCarriageReturns() {
        StderrTail tail = new StderrTail(1024);
        append(tail, "\n\tat a.B.c(B.java:1)\r\n\tat a.B.main(B.java:2)\r\n\n");
        assertThat(tail.lastLines(20)).isEqualTo("\tat a.B.c(B.java:1)\n\tat a.B.main(B.java:2)");
        assertThat(tail.lastLines(1)).isEqualTo("\tat a.B.main(B.java:2)");
    }
}

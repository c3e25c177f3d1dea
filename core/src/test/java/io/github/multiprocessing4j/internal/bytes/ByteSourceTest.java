package io.github.multiprocessing4j.internal.bytes;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteSourceTest {

    @Test
    void aRangeWhoseEndOverflows_isRefused() {
        // offset + length wraps around to a negative int, which passed for "inside the array"
        assertThatThrownBy(() -> new ByteSource(new byte[0], Integer.MAX_VALUE, 1))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("offset=2147483647, length=1, array=0");
        assertThatThrownBy(() -> new ByteSource(new byte[3], 2, Integer.MAX_VALUE))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("offset=2, length=2147483647, array=3");
    }
}

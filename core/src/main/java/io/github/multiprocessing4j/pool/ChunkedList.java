package io.github.multiprocessing4j.pool;

import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The result of a {@code map}: an unmodifiable list that reads through the chunks' results, in order,
 * without copying them into one list. Every chunk but the last holds {@code chunkSize} elements.
 */
final class ChunkedList<R> extends AbstractList<R> implements RandomAccess {
    private final List<List<Object>> chunks;
    private final int chunkSize;
    private final int size;

    ChunkedList(List<List<Object>> chunks, int chunkSize, int size) {
        this.chunks = chunks;
        this.chunkSize = chunkSize;
        this.size = size;
    }

    @Override
    @SuppressWarnings("unchecked")
    public R get(int index) {
        Objects.checkIndex(index, size);
        return (R) chunks.get(index / chunkSize).get(index % chunkSize);
    }

    @Override
    public int size() {
        return size;
    }
}

package io.github.multiprocessing4j.pool;

import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The result of a {@code map}: an unmodifiable list that reads through the chunks' results, in order,
 * without copying them into one list. Every chunk but the last holds {@code chunkSize} elements.
 *
 * <p>Serializable, as the JDK's lists are, so that a result can go on to a process pool (as an argument,
 * captured by a task, or as a worker's result): it travels as an unmodifiable copy.
 */
final class ChunkedList<R> extends AbstractList<R> implements RandomAccess, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

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

    @Serial
    private Object writeReplace() {
        return Collections.unmodifiableList(new ArrayList<>(this)); // may hold nulls, which List.copyOf refuses
    }
}

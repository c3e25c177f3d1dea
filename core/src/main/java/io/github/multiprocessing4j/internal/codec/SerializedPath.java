package io.github.multiprocessing4j.internal.codec;

import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * A {@link Path} of the default file system on its way to another JVM (see
 * {@link TravellingObjectOutputStream}): its text, turned back into a {@code Path} when read.
 *
 * <p>Only the text travels, so a file name whose bytes are not valid in the platform's encoding arrives
 * changed (the JDK's {@code Path} offers no way to read its raw bytes).
 *
 * @param path the path's {@link Path#toString()}
 */
record SerializedPath(String path) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    @Serial
    private Object readResolve() {
        return Path.of(path);
    }
}

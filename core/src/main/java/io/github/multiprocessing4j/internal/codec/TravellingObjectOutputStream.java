package io.github.multiprocessing4j.internal.codec;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Path;

/**
 * Java serialization with one addition: a {@link Path} of the default file system travels, although the
 * JDK's {@code Path} classes are not {@code Serializable}. Tasks capture paths all the time, and Python's
 * {@code pathlib.Path} pickles, so {@code pool.apply(p -> Files.size(p), Path.of("data.csv"))} should just
 * work. The path is written as its text ({@link SerializedPath}) and read back with {@link Path#of}; a
 * relative path stays relative, and resolves against the receiving JVM's working directory (a child's is
 * its parent's). A path of another file system (a zip file system, say) is left alone, and so still fails
 * with the usual "not Serializable" message.
 */
final class TravellingObjectOutputStream extends ObjectOutputStream {

    TravellingObjectOutputStream(OutputStream out) throws IOException {
        super(out);
        enableReplaceObject(true);
    }

    @Override
    protected Object replaceObject(Object obj) {
        if (obj instanceof Path path && path.getFileSystem() == FileSystems.getDefault()) {
            return new SerializedPath(path.toString());
        }
        return obj;
    }
}

package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.internal.launch.ChildClassPath;
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
 *
 * <p>A stream bound for a child JVM also refuses a class that the child cannot load (see
 * {@link ChildClassPath}) with an {@link EncodingException} that names it, rather than let the child fail
 * with a {@code ClassNotFoundException} once it has booted.
 */
final class TravellingObjectOutputStream extends ObjectOutputStream {
    private final boolean toChild;
    private final Object root;

    /**
     * @param toChild true if a child JVM started by this one will read what is written
     * @param root    the value written, named in the message about a class a child cannot load
     */
    TravellingObjectOutputStream(OutputStream out, boolean toChild, Object root) throws IOException {
        super(out);
        this.toChild = toChild;
        this.root = root;
        enableReplaceObject(true);
    }

    @Override
    protected void annotateClass(Class<?> type) {
        if (toChild && !ChildClassPath.reaches(type)) {
            throw new EncodingException(ChildClassPath.unreachableMessage(type, StandardCodec.describe(root)),
                    type.getName(), null);
        }
    }

    @Override
    protected Object replaceObject(Object obj) {
        if (obj instanceof Path path && path.getFileSystem() == FileSystems.getDefault()) {
            return new SerializedPath(path.toString());
        }
        return obj;
    }
}

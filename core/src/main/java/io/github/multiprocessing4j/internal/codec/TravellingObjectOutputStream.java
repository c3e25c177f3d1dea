package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.internal.launch.ChildClassPath;
import java.io.IOException;
import java.io.ObjectInputFilter;
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
 * <p>Every stream refuses, with an {@link EncodingException} that names it, an object that no JVM could read back
 * because its class cannot be created by deserialization (see {@link Instantiability}), which Java serialization
 * would write without complaint.
 *
 * <p>A stream bound for a child JVM also refuses, with an {@link EncodingException} that names it, a class
 * that the child cannot load (see {@link ChildClassPath}) or that the child's deserialization filter would
 * refuse (the child gets this JVM's {@code mp4j.serialFilter}, so the same {@link SerialFilter} judges), rather
 * than let the value fail in the child once it has booted. A child given a {@code mp4j.serialFilter} of its own,
 * or a JVM whose property has changed since its filter was made, leaves the judging to the child.
 */
final class TravellingObjectOutputStream extends ObjectOutputStream {
    private final boolean toChild;
    /** The child's filter, or null if it is not known here (or no child reads what is written). */
    private final SerialFilter childFilter;
    private final Object root;

    /**
     * @param toChild     true if a child JVM started by this one will read what is written
     * @param childFilter the filter that child will read it with, or null if it is not known here. A child gets
     *                    this JVM's {@code mp4j.serialFilter} as it is at the child's launch, which may no longer be
     *                    the one {@code childFilter} was made from: then it is not used either
     * @param root        the value written, named in the message about a class a child cannot take
     */
    TravellingObjectOutputStream(OutputStream out, boolean toChild, SerialFilter childFilter, Object root)
            throws IOException {
        super(out);
        this.toChild = toChild;
        this.childFilter = childFilter != null && childFilter.isTheOneChildrenGet() ? childFilter : null;
        this.root = root;
        enableReplaceObject(true);
    }

    @Override
    protected void annotateClass(Class<?> type) {
        if (!toChild) {
            return;
        }
        if (!ChildClassPath.reaches(type)) {
            throw new EncodingException(ChildClassPath.unreachableMessage(type, StandardCodec.describe(root)),
                    type.getName(), null);
        }
        if (childFilter != null && childFilter.judge(type) == ObjectInputFilter.Status.REJECTED) {
            throw new EncodingException("cannot send " + StandardCodec.describe(root) + " to a child JVM: its "
                    + "deserialization filter refuses " + type.getName() + ". If this class is meant to travel between "
                    + "JVMs, allow it with -D" + SerialFilter.PROPERTY + "=<pattern> (a java.io.ObjectInputFilter pattern, "
                    + "e.g. '" + type.getName() + ";com.acme.**'), set in this JVM; or send a plain value instead",
                    type.getName(), null);
        }
    }

    @Override
    protected Object replaceObject(Object obj) {
        // Called for every object written (after its own writeReplace), but not for a Class, which travels as
        // its descriptor alone and needs no constructor on the other side
        String problem = obj instanceof String ? null : Instantiability.problem(obj.getClass());
        if (problem != null) {
            throw new EncodingException("cannot send " + StandardCodec.describe(root) + " to another JVM: "
                    + problem, obj.getClass().getName(), null);
        }
        if (obj instanceof Path path && path.getFileSystem() == FileSystems.getDefault()) {
            return new SerializedPath(path.toString());
        }
        return obj;
    }
}

package io.github.multiprocessing4j.internal.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;

/**
 * An {@link ObjectInputStream} with a per-stream filter that resolves classes through the thread's
 * context class loader first, so that values decode inside containers with their own loaders too.
 */
final class FilteringObjectInputStream extends ObjectInputStream {

    FilteringObjectInputStream(InputStream in, ObjectInputFilter filter) throws IOException {
        super(in);
        setObjectInputFilter(filter);
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            try {
                return Class.forName(desc.getName(), false, context);
            } catch (ClassNotFoundException e) {
                // fall through to the default: the latest user-defined loader on the stack
            }
        }
        return super.resolveClass(desc);
    }
}

package io.github.multiprocessing4j.internal.codec;

import java.io.ObjectInputFilter;
import java.nio.file.Path;
import java.util.Set;

/**
 * The allow-list that every Java-serialized value passes on its way in.
 *
 * <p>Rules, in order, for each class in the stream (arrays are judged by their element class):
 * <ol>
 *   <li>primitives pass;</li>
 *   <li>if {@code mp4j.serialFilter} is set, its verdict wins when it has one;</li>
 *   <li>a class of the JDK passes only if it is a value type from an allowed package (collections,
 *       {@code java.time}, {@code java.math}, boxed types, {@code SerializedLambda}, the {@code Path} a
 *       {@link SerializedPath} resolves to) or an exception from a
 *       package whose exceptions are plain data; everything else of the JDK ({@code javax.management},
 *       {@code java.rmi}, {@code java.net.URL} and the like, which gadget chains are built from) is refused;</li>
 *   <li>this library's classes pass;</li>
 *   <li>an application class passes unless it is in a package known to host deserialization gadgets, or
 *       {@code mp4j.serialFilter} is set, in which case application classes must be allowed by it.</li>
 * </ol>
 * Then the limits of {@code mp4j.serialFilter} ({@code maxdepth=}, {@code maxrefs=}, {@code maxarray=},
 * {@code maxbytes=}) and the JVM-wide filter ({@code jdk.serialFilter}) have a veto.
 * The connection that carries the bytes is authenticated first (HMAC with the session key), so the filter
 * is a second wall, not the only one.
 */
final class SerialFilter {
    static final String PROPERTY = "mp4j.serialFilter";

    private static final Set<String> JDK_VALUE_PACKAGES = Set.of(
            "java.lang", "java.util", "java.util.concurrent", "java.util.concurrent.atomic",
            "java.util.concurrent.locks", "java.util.regex", "java.time", "java.time.chrono",
            "java.time.temporal", "java.time.zone", "java.time.format", "java.math");

    /** Packages whose exceptions may travel; their other classes may not. */
    private static final Set<String> JDK_EXCEPTION_PACKAGES = Set.of(
            "java.io", "java.net", "java.nio", "java.nio.charset", "java.nio.file", "java.util.zip",
            "java.lang.invoke", "java.lang.reflect");

    private static final Set<String> JDK_SINGLE_CLASSES = Set.of(
            "java.lang.invoke.SerializedLambda", "java.net.URI", "java.io.File");

    /** Application packages that published gadget chains run through (ysoserial and successors). */
    private static final String[] GADGET_PACKAGES = {
        "org.apache.commons.collections.functors.", "org.apache.commons.collections4.functors.",
        "org.apache.commons.beanutils.", "org.codehaus.groovy.runtime.", "org.springframework.beans.factory.",
        "org.springframework.aop.", "com.mchange.v2.c3p0.", "org.apache.xalan.", "bsh.", "org.python.core.",
        "org.mozilla.javascript.", "com.sun.rowset.", "org.hibernate.engine.spi.", "clojure.lang.",
        "org.apache.myfaces.", "net.sf.json.", "com.alibaba.fastjson.", "org.jboss.interceptor.",
    };

    private static final String OWN_PACKAGE = "io.github.multiprocessing4j.";

    private final ObjectInputFilter userFilter;
    private final String userPattern;

    private SerialFilter(String userPattern) {
        this.userPattern = userPattern;
        this.userFilter = userPattern == null || userPattern.isBlank() ? null : ObjectInputFilter.Config.createFilter(userPattern);
    }

    static SerialFilter fromSystemProperties() {
        return new SerialFilter(System.getProperty(PROPERTY));
    }

    static SerialFilter withPattern(String pattern) {
        return new SerialFilter(pattern);
    }

    /**
     * A filter for one stream of {@code streamBytes} bytes, which remembers the first class it refused. An
     * array (or a collection's backing array, which ArrayList and HashMap check the same way) longer than
     * that cannot be honest, since every element takes at least one byte, and is refused before the JDK
     * allocates it.
     */
    Check newCheck(long streamBytes) {
        return new Check(streamBytes);
    }

    String userPattern() {
        return userPattern;
    }

    ObjectInputFilter.Status judge(Class<?> type) {
        Class<?> c = type;
        while (c.isArray()) {
            c = c.getComponentType();
        }
        if (c.isPrimitive()) {
            return ObjectInputFilter.Status.ALLOWED;
        }
        if (userFilter != null) {
            ObjectInputFilter.Status verdict = userFilter.checkInput(new ClassOnly(c));
            if (verdict != ObjectInputFilter.Status.UNDECIDED) {
                return verdict;
            }
        }
        if (isJdk(c)) {
            return jdkAllows(c) ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
        }
        String name = c.getName();
        if (name.startsWith(OWN_PACKAGE)) {
            return ObjectInputFilter.Status.ALLOWED;
        }
        for (String gadget : GADGET_PACKAGES) {
            if (name.startsWith(gadget)) {
                return ObjectInputFilter.Status.REJECTED;
            }
        }
        return userFilter == null ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
    }

    private static boolean isJdk(Class<?> c) {
        ClassLoader loader = c.getClassLoader();
        return loader == null || loader == ClassLoader.getPlatformClassLoader();
    }

    private static boolean jdkAllows(Class<?> c) {
        String pkg = c.getPackageName();
        if (JDK_SINGLE_CLASSES.contains(c.getName())) {
            return true;
        }
        if (Path.class.isAssignableFrom(c)) {
            // What a SerializedPath resolves to; a JDK Path is not Serializable, so no stream can carry one itself.
            return true;
        }
        if (JDK_VALUE_PACKAGES.contains(pkg)) {
            return true;
        }
        return JDK_EXCEPTION_PACKAGES.contains(pkg) && Throwable.class.isAssignableFrom(c);
    }

    /**
     * The per-stream filter. Classes are judged by {@link #judge}; the limits of the user's pattern
     * ({@code maxdepth}, {@code maxrefs}, {@code maxarray}, {@code maxbytes}) and the JVM-wide filter
     * ({@code jdk.serialFilter}, which a stream's own filter would otherwise replace) see the real stream
     * figures on every call, including those for no class.
     */
    final class Check implements ObjectInputFilter {
        private final long maxArrayLength;
        private String rejected;
        private String limit;

        private Check(long maxArrayLength) {
            this.maxArrayLength = maxArrayLength;
        }

        @Override
        public Status checkInput(FilterInfo info) {
            if (info.arrayLength() > maxArrayLength) {
                if (limit == null) {
                    limit = "an array of " + info.arrayLength() + " elements in a value of " + maxArrayLength
                            + " bytes";
                }
                return Status.REJECTED;
            }
            Class<?> c = info.serialClass();
            Status verdict = c == null ? Status.UNDECIDED : judge(c);
            if (verdict == Status.REJECTED) {
                if (rejected == null) {
                    rejected = c.getName();
                }
                return verdict;
            }
            if (rejectedBy(userFilter, info) || rejectedBy(ObjectInputFilter.Config.getSerialFilter(), info)) {
                if (limit == null) {
                    limit = "at depth " + info.depth() + ", " + info.references() + " references, "
                            + info.streamBytes() + " bytes" + (info.arrayLength() >= 0 ? ", an array of "
                            + info.arrayLength() : "") + (c == null ? "" : ", class " + c.getName());
                }
                return Status.REJECTED;
            }
            return verdict;
        }

        private static boolean rejectedBy(ObjectInputFilter filter, FilterInfo info) {
            return filter != null && filter.checkInput(info) == Status.REJECTED;
        }

        /** The first class refused, or null. */
        String rejected() {
            return rejected;
        }

        /** Where the stream went past a limit (or the JVM-wide filter refused it), or null. */
        String limit() {
            return limit;
        }
    }

    /** Presents a bare class to a user pattern filter. */
    private record ClassOnly(Class<?> serialClass) implements ObjectInputFilter.FilterInfo {
        @Override
        public long arrayLength() {
            return -1;
        }

        @Override
        public long depth() {
            return 1;
        }

        @Override
        public long references() {
            return 0;
        }

        @Override
        public long streamBytes() {
            return 0;
        }
    }
}

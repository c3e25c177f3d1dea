package io.github.multiprocessing4j.internal.codec;

import java.io.ObjectInputFilter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;

/**
 * The allow-list that every Java-serialized value passes on its way in.
 *
 * <p>Rules, in order, for each class in the stream (arrays are judged by their element class):
 * <ol>
 *   <li>primitives pass;</li>
 *   <li>if {@code mp4j.serialFilter} is set, its class patterns decide first: a class they allow passes,
 *       and a class they refuse is refused unless the next two rules allow it (so the usual
 *       {@code com.acme.**;!*} narrows the application's classes without refusing the lambdas, collections
 *       and paths that every task needs; to refuse one of those, use {@code jdk.serialFilter});</li>
 *   <li>a class of the JDK passes only if it is a value type from an allowed package (collections,
 *       {@code java.time}, {@code java.math}, {@code java.sql}, boxed types, {@code SerializedLambda}, the {@code Path} a
 *       {@link SerializedPath} resolves to, the JDK's own {@code TimeZone} and {@code Calendar} classes), an enum
 *       (it travels as its name) or an exception from a
 *       package whose exceptions are plain data; everything else of the JDK ({@code javax.management},
 *       {@code java.rmi}, {@code java.net.URL} and the like, which gadget chains are built from) is refused;</li>
 *   <li>this library's classes pass;</li>
 *   <li>an application class passes unless it is in a package known to host deserialization gadgets, or
 *       {@code mp4j.serialFilter} has class patterns, in which case application classes must be allowed by
 *       them.</li>
 * </ol>
 * Then the limits of {@code mp4j.serialFilter} ({@code maxdepth=}, {@code maxrefs=}, {@code maxarray=},
 * {@code maxbytes=}) and the JVM-wide filter ({@code jdk.serialFilter}) have a veto.
 *
 * <p>The limits also judge the values of the codec's fast path ({@link StandardCodec#isFastPath}, and a lambda's
 * form, see {@link LambdaCodec}), which no Java serialization stream carries, as the stream of the same value would
 * show them to a filter, the class descriptors left out (they do not travel): for a value the limits refuse, the same
 * {@code DecodingException} as for a stream, before the value is made.
 * <ul>
 *   <li>{@code maxarray=}: the length of a {@code byte[]} or primitive array, whether a value of its own, a lambda's
 *       captured value or one of a list's elements; and a lambda's count of captured values, which a stream holds in
 *       an {@code Object[]}. A {@code String} is not an array (a stream does not judge its length either).</li>
 *   <li>{@code maxbytes=}: the size of the value as the codec writes it (its tag included), a lambda's with its
 *       captured values. Stricter than a stream, which counts only the bytes it read before it asks the filter, so
 *       that the elements of an array, or a string, that comes last escape it.</li>
 *   <li>{@code maxdepth=}, {@code maxrefs=}: a value is one reference at depth 1; a lambda's form is the lambda at
 *       depth 1, its array of captured values at depth 2 and the values at depth 3, so two references and one per
 *       captured value (a stream counts its class descriptors and the form's strings too). Each element of a list of
 *       such values, a chunk of arguments or results ({@link ListCodec}), is a value of its own, as it is sent as
 *       one: the list is no array of the user's, and its length is not judged.</li>
 * </ul>
 * A chunk of other values travels as one stream of an {@code Object[]} (class descriptors written once per chunk),
 * whose limits judge each item as if it were sent alone ({@link #newChunkCheck}): the chunk's own array, at depth 1
 * and of the list's length, is the library's framing, and its length is not judged; an item is at the depth it would
 * have alone, one less than in the chunk. The references and bytes, though, are counted over the whole chunk, as the
 * one stream counts them: per item, they would take a stream per item (the class descriptors again for each, which
 * the form exists to avoid) whenever the receiver has limits, which a sender does not always know (a worker does not
 * know its parent's). A refusal by them says that they judged a chunk of N items, and that a smaller
 * {@code chunkSize}, or {@code apply}, sends fewer at once. The filter that a filter factory makes
 * ({@code jdk.serialFilterFactory}) sees the chunk's stream as it is, its array too, and a refusal by it says so.
 * With no limit set, no JVM-wide filter and no filter factory, a value of the fast path costs a few field reads.
 * The connection that carries the bytes is authenticated first (HMAC with the session key), so the filter
 * is a second wall, not the only one.
 */
final class SerialFilter {
    static final String PROPERTY = "mp4j.serialFilter";

    private static final Set<String> JDK_VALUE_PACKAGES = Set.of(
            "java.lang", "java.util", "java.util.concurrent", "java.util.concurrent.atomic",
            "java.util.concurrent.locks", "java.util.regex", "java.time", "java.time.chrono",
            "java.time.temporal", "java.time.zone", "java.time.format", "java.math",
            // a JDBC task's rows (Timestamp, Date, Time) and failures (SQLException and its chain): plain data; the
            // rowset implementations that gadget chains use live in javax.sql.rowset and com.sun.rowset, not here
            "java.sql");

    /** Packages whose exceptions may travel; their other classes may not. */
    private static final Set<String> JDK_EXCEPTION_PACKAGES = Set.of(
            "java.io", "java.net", "java.nio", "java.nio.channels", "java.nio.charset", "java.nio.file",
            "java.nio.file.attribute", "java.util.zip",
            "java.lang.invoke", "java.lang.reflect");

    /**
     * Single classes of other packages. {@code sun.util.calendar.ZoneInfo} is the class of every {@code TimeZone}
     * the JDK hands out ({@code TimeZone.getTimeZone}, {@code getDefault}, the zone of {@code Calendar.getInstance()}),
     * and {@code sun.util.BuddhistCalendar} that of {@code Calendar.getInstance()} in a Thai locale: plain data
     * (offsets and transitions, calendar fields), without which no {@code TimeZone} or {@code Calendar} of java.util
     * travels.
     */
    private static final Set<String> JDK_SINGLE_CLASSES = Set.of(
            "java.lang.invoke.SerializedLambda", "java.net.URI", "java.io.File", "sun.util.calendar.ZoneInfo",
            "sun.util.BuddhistCalendar");

    /** Application packages that published gadget chains run through (ysoserial and successors). */
    private static final String[] GADGET_PACKAGES = {
        "org.apache.commons.collections.functors.", "org.apache.commons.collections4.functors.",
        "org.apache.commons.beanutils.", "org.codehaus.groovy.runtime.", "org.springframework.beans.factory.",
        "org.springframework.aop.", "com.mchange.v2.c3p0.", "org.apache.xalan.", "bsh.", "org.python.core.",
        "org.mozilla.javascript.", "com.sun.rowset.", "org.hibernate.engine.spi.", "clojure.lang.",
        "org.apache.myfaces.", "net.sf.json.", "com.alibaba.fastjson.", "org.jboss.interceptor.",
    };

    private static final String OWN_PACKAGE = "io.github.multiprocessing4j.";

    /** The class of the JDK's own filter factory, which gives a stream its own filter: no filter of the factory's. */
    private static final String BUILT_IN_FACTORY = "java.io.ObjectInputFilter$Config$BuiltinFilterFactory";
    /** The JDK's own filter factory, once seen. */
    private static volatile BinaryOperator<ObjectInputFilter> builtInFactory;

    /** Load factor clamped to 0.25 by the JDK's readObject, then a power of two: at most 8 slots per entry. */
    static final int HASH_TABLE_SLOTS_PER_ENTRY = 8;

    /** The class patterns of the user's pattern, or null if it has none. */
    private final ObjectInputFilter userFilter;
    /** The limits of the user's pattern ({@code maxdepth=}...), or null if it has none. */
    private final ObjectInputFilter userLimits;
    private final String userPattern;

    /** The JVM-wide filter ({@code jdk.serialFilter}), asked on every call: it may be set after this one is made. */
    private final Supplier<ObjectInputFilter> jvmWide;
    /** Whether the JVM's filter factory ({@code jdk.serialFilterFactory}) may apply: not for {@link #withoutJvmWide}. */
    private final boolean factoryMayApply;

    /** Why {@link #userPattern} cannot be used, or null: then every use of this filter throws it anew. */
    private final IllegalArgumentException invalid;

    private SerialFilter(String userPattern, Supplier<ObjectInputFilter> jvmWide) {
        this.userPattern = userPattern;
        this.jvmWide = jvmWide;
        this.userFilter = filterOf(userPattern, false);
        this.userLimits = filterOf(userPattern, true);
        this.invalid = null;
        this.factoryMayApply = true;
    }

    private SerialFilter(String userPattern, Supplier<ObjectInputFilter> jvmWide, IllegalArgumentException invalid) {
        this.userPattern = userPattern;
        this.jvmWide = jvmWide;
        this.userFilter = null;
        this.userLimits = null;
        this.invalid = invalid;
        this.factoryMayApply = true;
    }

    private SerialFilter(SerialFilter base, Supplier<ObjectInputFilter> jvmWide) {
        this.userPattern = base.userPattern;
        this.jvmWide = jvmWide;
        this.userFilter = base.userFilter;
        this.userLimits = base.userLimits;
        this.invalid = base.invalid;
        this.factoryMayApply = false;
    }

    /**
     * The class patterns, or the limits, of a JDK filter pattern: kept apart, so that a catch-all such as
     * {@code !*} judges classes only (and cannot pass for a limit), and a pattern of limits alone does not
     * count as a list of allowed classes.
     */
    private static ObjectInputFilter filterOf(String pattern, boolean limits) {
        if (pattern == null) {
            return null;
        }
        StringBuilder kept = new StringBuilder();
        for (String part : pattern.split(";")) {
            String p = part.trim();
            if (!p.isEmpty() && p.contains("=") == limits) {
                kept.append(kept.isEmpty() ? "" : ";").append(p);
            }
        }
        if (kept.isEmpty()) {
            return null;
        }
        try {
            return ObjectInputFilter.Config.createFilter(kept.toString());
        } catch (IllegalArgumentException e) { // a NumberFormatException of "maxdepth=ten" too
            throw new IllegalArgumentException("invalid -D" + PROPERTY + "=" + pattern + " (a java.io.ObjectInputFilter"
                    + " pattern such as 'com.acme.**;!*' or 'maxdepth=100'): " + e.getMessage(), e);
        }
    }

    static SerialFilter fromSystemProperties() {
        return fromProperty(System.getProperty(PROPERTY));
    }

    /**
     * The filter of the property's value {@code pattern}. An invalid one gives a filter that refuses to work: every
     * decode, and every encode for a child, throws an {@link IllegalArgumentException} that names the property
     * (thrown here instead, it would fail the codec's class initialization, once with that message and then with a
     * bare {@code NoClassDefFoundError} at every later use).
     */
    static SerialFilter fromProperty(String pattern) {
        try {
            return new SerialFilter(pattern, ObjectInputFilter.Config::getSerialFilter);
        } catch (IllegalArgumentException e) {
            return new SerialFilter(pattern, ObjectInputFilter.Config::getSerialFilter, e);
        }
    }

    /** @throws IllegalArgumentException if the pattern this filter was made from is invalid (see {@link #fromProperty}) */
    void requireValid() {
        if (invalid != null) {
            throw new IllegalArgumentException(invalid.getMessage(), invalid);
        }
    }

    /** This filter without the JVM-wide one: for a JVM that is known to have none (see {@link StandardCodec}). */
    SerialFilter withoutJvmWide() {
        return new SerialFilter(this, () -> null);
    }

    static SerialFilter withPattern(String pattern) {
        return new SerialFilter(pattern, ObjectInputFilter.Config::getSerialFilter);
    }

    /** For tests: {@code jvmWide} stands for {@code jdk.serialFilter}, which a JVM can set only once. */
    static SerialFilter withPattern(String pattern, ObjectInputFilter jvmWide) {
        return new SerialFilter(pattern, () -> jvmWide);
    }

    /**
     * A filter for one stream of {@code streamBytes} bytes, which remembers the first class it refused. An
     * array (or a collection's backing array, which ArrayList checks the same way) longer than that cannot be
     * honest, since every element takes at least one byte (an element of a primitive array its width: a
     * {@code long[]} may have an eighth as many), and is refused before the JDK allocates it. The
     * table of a hash map or set ({@code HashMap}, {@code HashSet}, {@code Hashtable}, checked as a
     * {@code Map.Entry[]}) is sized for its load factor, which may be as low as 0.25, and rounded up to a power
     * of two, so it may have up to {@value #HASH_TABLE_SLOTS_PER_ENTRY} slots per entry.
     */
    Check newCheck(long streamBytes) {
        requireValid();
        return new Check(streamBytes, -1);
    }

    /**
     * {@link #newCheck} for the stream of a chunk of {@code items} values that {@link ListCodec} sends as one
     * {@code Object[]} (see the class comment): the limits judge each item as if it were sent alone, but for the
     * references and bytes, which they count over the chunk.
     */
    Check newChunkCheck(long streamBytes, int items) {
        requireValid();
        return new Check(streamBytes, items);
    }

    /**
     * Judges a value of the fast path by the limits (see the class comment), if {@link #limitsValues()}: null if they
     * allow it, else the check that refused it, whose {@link Check#limit()} (or {@link Check#rejected()}) says why.
     *
     * @param arrayClass the class of the array the value is, or holds as a stream would ({@code Object[]} for a
     *     lambda's captured values), or null
     * @param arrayLength the length of that array, or -1
     * @param bytes the size of the value as the codec wrote it
     * @throws IllegalArgumentException if the pattern this filter was made from is invalid
     */
    Check refusalOfValue(Class<?> arrayClass, long arrayLength, long depth, long references, long bytes) {
        Check check = newCheck(bytes);
        return check.allowsValue(new ValueInfo(arrayClass, arrayLength, depth, references, bytes)) ? null : check;
    }

    /**
     * Whether anything might refuse a value of the fast path for its size: a limit, the JVM-wide filter, a filter
     * factory; if not, {@link #refusalOfValue} need not be asked. A few field reads, for every such value.
     */
    boolean limitsValues() {
        return userLimits != null || invalid != null || jvmWideMayLimit();
    }

    private boolean jvmWideMayLimit() {
        try {
            if (jvmWide.get() != null) {
                return true;
            }
            return factoryMayApply && usersFactoryIsSet();
        } catch (IllegalStateException e) { // an invalid jdk.serialFilter: the check says so
            return true;
        }
    }

    /** Whether the JVM's filter factory is not the JDK's own: one of {@code jdk.serialFilterFactory}, or the program's. */
    static boolean usersFactoryIsSet() {
        BinaryOperator<ObjectInputFilter> factory = ObjectInputFilter.Config.getSerialFilterFactory();
        return factory != builtInFactory && isUsersFactory(factory);
    }

    private static boolean isUsersFactory(BinaryOperator<ObjectInputFilter> factory) {
        if (factory.getClass().getName().equals(BUILT_IN_FACTORY)) {
            builtInFactory = factory; // then known by identity
            return false;
        }
        return true;
    }

    /** The bytes a stream takes for each element of an array of {@code type}: a primitive's width, else one. */
    private static int elementBytes(Class<?> type) {
        Class<?> element = type == null ? null : type.getComponentType();
        if (element == null || !element.isPrimitive()) {
            return 1;
        }
        return element == long.class || element == double.class ? 8
                : element == int.class || element == float.class ? 4
                : element == short.class || element == char.class ? 2 : 1;
    }

    String userPattern() {
        return userPattern;
    }

    /**
     * Whether a child launched now gets this filter: children are given this JVM's {@code mp4j.serialFilter} as it is
     * at their launch, which may have changed since this filter was made.
     */
    boolean isTheOneChildrenGet() {
        return Objects.equals(System.getProperty(PROPERTY), userPattern);
    }

    ObjectInputFilter.Status judge(Class<?> type) {
        requireValid();
        Class<?> c = type;
        while (c.isArray()) {
            c = c.getComponentType();
        }
        if (c.isPrimitive()) {
            return ObjectInputFilter.Status.ALLOWED;
        }
        boolean builtIn = isJdk(c) ? jdkAllows(c) : c.getName().startsWith(OWN_PACKAGE);
        if (userFilter != null) {
            ObjectInputFilter.Status verdict = userFilter.checkInput(new ClassOnly(c));
            // The user's pattern may allow anything, but refuses only what the built-in list does not allow:
            // the usual 'com.acme.**;!*' must not refuse the lambdas, collections and paths every task needs.
            if (verdict == ObjectInputFilter.Status.ALLOWED || (verdict == ObjectInputFilter.Status.REJECTED && !builtIn)) {
                return verdict;
            }
        }
        if (builtIn) {
            return ObjectInputFilter.Status.ALLOWED;
        }
        if (isJdk(c)) {
            return ObjectInputFilter.Status.REJECTED;
        }
        String name = c.getName();
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
        if (c.isEnum()) {
            // An enum travels as its name, read back with valueOf: no readObject or readResolve of its runs
            // (StandardOpenOption, PosixFilePermission, TimeUnit and the like).
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
        /** The count of items of the chunk this check judges (see {@link #newChunkCheck}), or -1 if none. */
        private final int chunkItems;
        private String rejected;
        private boolean rejectedByJvmWide;
        private boolean rejectedByFactory;
        private String limit;
        /** What an ObjectInputStream given this check would filter with (see {@link #allows}), once asked. */
        private ObjectInputFilter inStream;

        private Check(long maxArrayLength, int chunkItems) {
            this.maxArrayLength = maxArrayLength;
            this.chunkItems = chunkItems;
        }

        @Override
        public Status checkInput(FilterInfo info) {
            long bound = info.serialClass() == Map.Entry[].class ? HASH_TABLE_SLOTS_PER_ENTRY * maxArrayLength
                    : maxArrayLength / elementBytes(info.serialClass());
            if (info.arrayLength() > bound) {
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
            ObjectInputFilter jvm = jvmWide.get();
            if (c != null && rejectedBy(jvm, new ClassOnly(c))) { // a class pattern of jdk.serialFilter, not a limit
                if (rejected == null) {
                    rejected = c.getName();
                    rejectedByJvmWide = true;
                }
                return Status.REJECTED;
            }
            if (userLimits != null || jvm != null) {
                FilterInfo judged = chunkItems < 0 ? info : asSentAlone(info);
                if (rejectedBy(userLimits, judged) || rejectedBy(jvm, judged)) {
                    if (limit == null) {
                        limit = describe(judged) + (chunkItems >= 0 && countedOverTheChunk(judged, jvm)
                                ? "; counted over a chunk of " + chunkItems + " items of a map, which travel as one"
                                + " stream: maxrefs= and maxbytes= judge the whole chunk, and a smaller chunkSize (or"
                                + " apply, one item at a time) sends fewer at once" : "");
                    }
                    return Status.REJECTED;
                }
            }
            return verdict;
        }

        /**
         * What the stream of a chunk shows the filter, as the stream of one of its items alone would show it: one
         * level higher, and the chunk's own array (at depth 1, of the list's length) without its length, as the
         * library's framing; the references and bytes as they are, counted over the chunk.
         */
        private FilterInfo asSentAlone(FilterInfo info) {
            if (info.depth() > 1) {
                return new ValueInfo(info.serialClass(), info.arrayLength(), info.depth() - 1, info.references(),
                        info.streamBytes());
            }
            if (info.serialClass() == Object[].class && info.arrayLength() == chunkItems) {
                return new ValueInfo(Object[].class, -1, info.depth(), info.references(), info.streamBytes());
            }
            return info;
        }

        /** Whether the limits that refused {@code judged}, a chunk's, would allow it but for its references and bytes. */
        private boolean countedOverTheChunk(FilterInfo judged, ObjectInputFilter jvm) {
            FilterInfo uncounted = new ValueInfo(judged.serialClass(), judged.arrayLength(), judged.depth(), 0, 0);
            return !rejectedBy(userLimits, uncounted) && !rejectedBy(jvm, uncounted);
        }

        /**
         * Judges a class named outside a stream (see {@code LambdaCodec}) as one in a stream is judged: by this check,
         * then by what the JVM's filter factory ({@code jdk.serialFilterFactory}) makes of it, which a stream would
         * use instead of it, and which may refuse more.
         */
        boolean allows(Class<?> type) {
            if (checkInput(new ClassOnly(type)) == Status.REJECTED) {
                return false;
            }
            ObjectInputFilter stream = inStream();
            if (stream != this && rejectedBy(stream, new ClassOnly(type))) {
                if (rejected == null) {
                    rejected = type.getName();
                    rejectedByJvmWide = true;
                    rejectedByFactory = true;
                }
                return false;
            }
            return true;
        }

        /**
         * Judges a value of the fast path as a stream would judge it (see {@link SerialFilter#refusalOfValue}): by
         * this check, then by what the JVM's filter factory makes of it.
         */
        private boolean allowsValue(FilterInfo value) {
            if (checkInput(value) == Status.REJECTED) {
                return false;
            }
            ObjectInputFilter stream = inStream();
            if (stream != this && rejectedBy(stream, value)) {
                if (limit == null) {
                    limit = describe(value) + ", by the filter of the filter factory, -Djdk.serialFilterFactory";
                }
                return false;
            }
            return true;
        }

        /**
         * The filter an ObjectInputStream given this check would use, as the JDK makes it: the factory's answer for
         * the JVM-wide filter, then for this check (the built-in factory answers this check itself).
         */
        private ObjectInputFilter inStream() {
            if (!factoryMayApply) {
                return this;
            }
            if (inStream == null) {
                BinaryOperator<ObjectInputFilter> factory = ObjectInputFilter.Config.getSerialFilterFactory();
                ObjectInputFilter made = factory.apply(factory.apply(null, ObjectInputFilter.Config.getSerialFilter()), this);
                inStream = made == null ? this : made;
            }
            return inStream;
        }

        private static String describe(FilterInfo info) {
            Class<?> c = info.serialClass();
            return "at depth " + info.depth() + ", " + info.references() + " references, " + info.streamBytes() + " bytes"
                    + (info.arrayLength() >= 0 ? ", an array of " + info.arrayLength() : "")
                    + (c == null ? "" : ", class " + c.getName());
        }

        private static boolean rejectedBy(ObjectInputFilter filter, FilterInfo info) {
            return filter != null && filter.checkInput(info) == Status.REJECTED;
        }

        /** The count of items of the chunk this check judges (see {@link #newChunkCheck}), or -1. */
        int chunkItems() {
            return chunkItems;
        }

        /** The first class refused, or null. */
        String rejected() {
            return rejected;
        }

        /** True if the class {@link #rejected()} names was refused by the JVM-wide filter, which nothing overrides. */
        boolean rejectedByJvmWide() {
            return rejectedByJvmWide;
        }

        /** True if the class {@link #rejected()} names was refused by the filter the JVM's filter factory made. */
        boolean rejectedByFactory() {
            return rejectedByFactory;
        }

        /** Where the stream went past a limit (or the JVM-wide filter refused it), or null. */
        String limit() {
            return limit;
        }
    }

    /** Presents a value of the fast path to a filter as a stream would present it (see {@link #refusalOfValue}). */
    private record ValueInfo(Class<?> serialClass, long arrayLength, long depth, long references, long streamBytes)
            implements ObjectInputFilter.FilterInfo {
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

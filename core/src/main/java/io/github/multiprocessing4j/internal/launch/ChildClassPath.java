package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.process.ProcessStartException;
import java.util.OptionalInt;

/**
 * Which classes a child JVM can load. A child runs with this JVM's class path and module path (see
 * {@link JavaCommand}), so it finds a class by name exactly when this JVM's system class loader does.
 * A class defined by another loader does not reach it: one of a plugin's {@code URLClassLoader}, of
 * {@code mvn exec:java} (which runs the project inside Maven's JVM), of an application server, of a
 * launcher that reads nested jars (Spring Boot's), of the source launcher ({@code java Main.java}) or of
 * jshell. Those set-ups used to fail late and far away: the child could not find the worker's main class
 * ("Could not find or load main class ...WorkerMain"), or the task's class, and exited with code 1. They
 * are refused here instead, in the caller's thread, with what to do.
 *
 * <p>Thread-safe.
 */
public final class ChildClassPath {
    /** Why a child JVM cannot run the library's worker, or null if it can; found once. */
    private static final String LIBRARY_PROBLEM = libraryProblem(ChildClassPath.class);

    private static final ClassValue<Boolean> REACHES = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return findsByName(type);
        }
    };

    private ChildClassPath() {
    }

    /**
     * Checks that a child JVM started with this JVM's class path and module path finds the library itself.
     *
     * @throws ProcessStartException (with pid -1: no child was started) if it would not
     */
    public static void requireLibrary() {
        if (LIBRARY_PROBLEM != null) {
            throw new ProcessStartException(LIBRARY_PROBLEM, -1, OptionalInt.empty(), "");
        }
    }

    /** True if a child JVM, which gets this JVM's class path and module path, can load {@code type} by name. */
    public static boolean reaches(Class<?> type) {
        while (type.isArray()) {
            type = type.getComponentType();
        }
        if (type.isPrimitive()) {
            return true;
        }
        ClassLoader loader = type.getClassLoader();
        if (loader == null || loader == ClassLoader.getPlatformClassLoader() || loader == ClassLoader.getSystemClassLoader()) {
            return true; // the JDK's, or the class path's and module path's: the common case, answered at once
        }
        return REACHES.get(type);
    }

    /**
     * The message for a class that a value bound for a child JVM holds, and which the child cannot load.
     *
     * @param what what holds the class, e.g. "a value of app.Main$$Lambda/0x..."
     */
    public static String unreachableMessage(Class<?> type, String what) {
        return type.getName() + " (in " + what + ") cannot be loaded in a child JVM: it was defined by "
                + describe(type.getClassLoader()) + " and is not on this JVM's class path or module path, which is "
                + "all a child JVM gets (java.class.path=" + System.getProperty("java.class.path", "") + "). Put it "
                + "on the class path (or module path) this JVM is started with: a class that a class loader of its "
                + "own loads at run time (a plugin's, a single-file `java Main.java` program's, jshell's, "
                + "`mvn exec:java`'s) cannot travel to a child JVM.";
    }

    /** Why a child JVM would not find {@code ours} (a class of the library), or null if it would. */
    static String libraryProblem(Class<?> ours) {
        if (findsByName(ours)) {
            return null;
        }
        return "cannot start a child JVM: multiprocessing4j (" + location(ours) + ") was loaded by "
                + describe(ours.getClassLoader()) + " and is not on this JVM's class path or module path, which is "
                + "all a child JVM gets (java.class.path=" + System.getProperty("java.class.path", "") + "). This "
                + "happens under `mvn exec:java`, in an application server or a plugin, and with launchers that read "
                + "nested jars (Spring Boot's). Start the application with `java -cp`, `java -jar` or "
                + "`java -p ... -m ...` with the library and your classes on that path (with Maven: `mvn exec:exec` "
                + "instead of `mvn exec:java`).";
    }

    private static boolean findsByName(Class<?> type) {
        try {
            Class.forName(type.getName(), false, ClassLoader.getSystemClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static String describe(ClassLoader loader) {
        if (loader == null) {
            return "the boot class loader";
        }
        String name = loader.getName();
        return "the class loader " + loader.getClass().getName() + (name == null ? "" : " \"" + name + "\"");
    }

    private static String location(Class<?> type) {
        try {
            var source = type.getProtectionDomain().getCodeSource();
            return source == null || source.getLocation() == null ? type.getName() : source.getLocation().toString();
        } catch (SecurityException e) {
            return type.getName();
        }
    }
}

package io.github.multiprocessing4j.internal.codec;

import java.io.Externalizable;
import java.io.Serializable;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;

/**
 * Whether {@link java.io.ObjectInputStream} can create an instance of a class, checked on the way out: Java
 * serialization writes an object whose class it could never read back (its first superclass that is not
 * {@code Serializable} has no no-arg constructor the class may call, or it is {@code Externalizable} without a
 * public no-arg constructor), and the reader fails with "no valid constructor", in another JVM, after the
 * value was handed over. The rules are the JDK's ({@code ObjectStreamClass} and
 * {@code ReflectionFactory.newConstructorForSerialization}), less the check of the constructors of
 * serializable superclasses, which compiled Java code always passes: so a class refused here is refused
 * there too.
 */
final class Instantiability {
    /** Per class: why it cannot be created by deserialization, or null if it can. */
    private static final ClassValue<String> PROBLEM = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            return problemOf(type);
        }
    };

    private Instantiability() {
    }

    /** Why no JVM could deserialize an instance of {@code type}, or null if one could (or it is not serializable). */
    static String problem(Class<?> type) {
        return PROBLEM.get(type);
    }

    private static String problemOf(Class<?> type) {
        if (!Serializable.class.isAssignableFrom(type) || type.isArray() || type.isRecord() || type.isEnum()
                || Enum.class.isAssignableFrom(type)) {
            return null; // not ours to judge, or created without a no-arg constructor
        }
        if (Externalizable.class.isAssignableFrom(type)) {
            try {
                if (Modifier.isPublic(type.getDeclaredConstructor().getModifiers())) {
                    return null;
                }
            } catch (NoSuchMethodException e) {
                // no no-arg constructor at all
            }
            return type.getName() + " is Externalizable but has no public no-arg constructor, which"
                    + " ObjectInputStream calls to create it: add one";
        }
        Class<?> first = type;
        while (first != null && Serializable.class.isAssignableFrom(first)) {
            first = first.getSuperclass();
        }
        if (first == null) {
            return null; // a malformed hierarchy: leave it to serialization
        }
        try {
            Constructor<?> noArg = first.getDeclaredConstructor();
            int mods = noArg.getModifiers();
            if (!Modifier.isPrivate(mods) && (Modifier.isPublic(mods) || Modifier.isProtected(mods)
                    || (first.getClassLoader() == type.getClassLoader()
                    && first.getPackageName().equals(type.getPackageName())))) {
                return null;
            }
        } catch (NoSuchMethodException e) {
            // none: refused below
        }
        return type.getName() + " is Serializable, but its first superclass that is not, " + first.getName()
                + ", has no no-arg constructor that " + type.getSimpleName() + " may call, which ObjectInputStream"
                + " calls to create it: give " + first.getSimpleName() + " one (protected will do), make it"
                + " Serializable, or send a plain value instead";
    }
}

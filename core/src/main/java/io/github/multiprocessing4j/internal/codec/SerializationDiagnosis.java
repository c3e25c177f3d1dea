package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.codec.EncodingException;
import java.io.NotSerializableException;
import java.io.Serializable;
import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link NotSerializableException}, whose message is just a class name, into an error that says
 * where that class hides: it walks the object graph the way serialization did (captured lambda values,
 * non-transient fields, array and collection elements) and reports the path from the value handed over
 * to the first object of the offending class.
 *
 * <p>Best effort: the walk is bounded, and a field it may not read (a class in a package not open to
 * this library) simply ends that branch.
 */
final class SerializationDiagnosis {
    private static final int MAX_DEPTH = 16;
    private static final int MAX_NODES = 20_000;
    private static final int MAX_ELEMENTS = 1_000;
    /** The field in which javac keeps the enclosing instance of an inner or anonymous class. */
    private static final String ENCLOSING_FIELD = ".this$0 (";
    /** The step of a path through the instance a lambda captures because its body uses a field or method. */
    private static final String CAPTURED_THIS = " captures this (";

    /** How the message for a task's result begins, and the chunk's message for one of its items' results. */
    private static final String RESULT_CANNOT_TRAVEL = "the task ran, but its result cannot be sent back: ";
    /** What follows the offending class's name in the messages of {@link #notSerializable}. */
    private static final String NOT_SERIALIZABLE = " is not Serializable";

    private final String offending;
    private final IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();

    private SerializationDiagnosis(String offending) {
        this.offending = offending;
    }

    static EncodingException notSerializable(Object root, NotSerializableException e) {
        return notSerializable(root, e, false);
    }

    /**
     * A task's result, in the JVM that ran it, cannot travel back: {@link #notSerializable(Object,
     * NotSerializableException)}'s message for {@code e} said "Everything a task captures..." and "create it inside
     * the task instead of capturing it", which sent the user looking for a capture that is not there; or any other
     * failure, with what it said after "its result cannot be sent back".
     */
    static EncodingException resultCannotTravel(Object result, EncodingException e) {
        // Ours always have a message; one that a writeObject of the result threw itself need not
        String said = e.getMessage();
        if (said != null && e.getCause() instanceof NotSerializableException notSerializable
                && said.startsWith(offendingOf(notSerializable) + NOT_SERIALIZABLE)) {
            return notSerializable(result, notSerializable, true);
        }
        if (said == null) {
            said = e.getCause() != null ? e.getCause().toString() : e.toString();
        }
        return new EncodingException(RESULT_CANNOT_TRAVEL + said, e.offendingClass(), e);
    }

    /** The class name that a {@link NotSerializableException} of serialization itself carries as its message. */
    private static String offendingOf(NotSerializableException e) {
        // The class name, and with -Dsun.io.serialization.extendedDebugInfo=true the JDK's trace after it, one line a step
        String thrown = String.valueOf(e.getMessage());
        int lineEnd = thrown.indexOf('\n');
        return lineEnd < 0 ? thrown : thrown.substring(0, lineEnd);
    }

    private static EncodingException notSerializable(Object root, NotSerializableException e, boolean result) {
        String offending = offendingOf(e);
        List<String> path;
        try {
            path = new SerializationDiagnosis(offending).find(root, 0);
        } catch (RuntimeException | Error userCodeFailed) {
            // the walk calls the user's iterators (and toString(), see text): a failure there costs only the path,
            // an AssertionError or a LinkageError too, but not a VirtualMachineError other than a StackOverflowError
            if (userCodeFailed instanceof VirtualMachineError fatal && !(fatal instanceof StackOverflowError)) {
                throw fatal;
            }
            path = null;
        }
        StringBuilder message = new StringBuilder();
        if (result) {
            message.append(RESULT_CANNOT_TRAVEL).append(offending).append(NOT_SERIALIZABLE).append(" (the result is ")
                    .append(StandardCodec.describe(root)).append(").");
        } else {
            message.append(offending).append(NOT_SERIALIZABLE).append(", so ").append(StandardCodec.describe(root))
                    .append(" cannot be sent to another JVM.");
        }
        if (path != null && !path.isEmpty()) {
            message.append("\n  path: ").append(String.join(" -> ", path));
        }
        int lambda = offending.indexOf("$$Lambda");
        if (lambda > 0) {
            // A hidden class: "make com.acme.Job$$Lambda/0x... Serializable" would tell the user nothing.
            message.append("\n").append(offending).append(" is a lambda or method reference, defined in ")
                    .append(offending, 0, lambda).append(", whose type is not Serializable: declare it with a")
                    .append(" Serializable interface (SerializableFunction, SerializableCallable, ...) or cast it,")
                    .append(" as in (Function<A, B> & Serializable) x -> ..., or create it inside the task.");
        } else if (path != null && !path.isEmpty() && path.getLast().contains(ENCLOSING_FIELD)) {
            message.append("\n").append(offending).append(" is the enclosing instance that an inner (non-static) or")
                    .append(" anonymous class keeps in its hidden field this$0: make that class a static nested class,")
                    .append(" or a lambda that uses no field or method of ").append(offending)
                    .append(", or make ").append(offending).append(" Serializable.");
        } else if (path != null && !path.isEmpty() && path.getLast().contains(CAPTURED_THIS)) {
            message.append("\n").append(offending).append(" is the instance (this) that a lambda captures because its")
                    .append(" body uses a field or method of ").append(offending).append(": read what it needs into a")
                    .append(" local variable before the lambda and use that (int s = scale; x -> x * s), make the")
                    .append(" methods it calls static, or make ").append(offending).append(" Serializable.");
        } else if (result) {
            message.append("\nA task's result, and everything it references, must implement java.io.Serializable")
                    .append(isJdkClass(offending) ? "; " + offending + " is a JDK class, which cannot be made so:"
                            : ": make " + offending + " Serializable, keep it in a transient field, or")
                    .append(" return what it holds instead (a String, a record of Serializable fields, a List.copyOf).");
        } else if (isJdkClass(offending)) {
            // "make java.lang.Object Serializable" would be advice nobody can follow
            message.append("\nEverything a task captures or references must implement java.io.Serializable; ")
                    .append(offending).append(" is a JDK class, which cannot be made so: send what it holds instead")
                    .append(" (a String, a record or a List.copyOf of it), keep it in a transient field, or create it")
                    .append(" inside the task instead of capturing it.");
        } else {
            message.append("\nEverything a task captures or references must implement java.io.Serializable: make ")
                    .append(offending).append(" Serializable, keep it in a transient field, or create it inside the task")
                    .append(" instead of capturing it.");
        }
        return new EncodingException(message.toString(), offending, e);
    }

    /** Whether {@code className} is a class of the JDK's own modules (loaded by the boot or platform loader). */
    private static boolean isJdkClass(String className) {
        try {
            Class.forName(className, false, ClassLoader.getPlatformClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            return false;
        }
    }

    /** The path from {@code node} to an offending object, or null if none is reachable from here. */
    private List<String> find(Object node, int depth) {
        if (node == null || depth > MAX_DEPTH || seen.size() > MAX_NODES || seen.put(node, Boolean.TRUE) != null) {
            return null;
        }
        Class<?> type = node.getClass();
        if (type.getName().equals(offending) && !(node instanceof Serializable)) {
            return new ArrayList<>();
        }
        if (!(node instanceof Serializable) || type.isPrimitive() || node instanceof String || node instanceof Number
                || node instanceof Enum<?>) {
            return null; // an enum constant travels as its name: serialization never looks at its fields
        }
        SerializedLambda lambda = lambdaOf(node);
        if (lambda != null) {
            for (int i = 0; i < lambda.getCapturedArgCount(); i++) {
                Object arg = lambda.getCapturedArg(i);
                List<String> rest = find(arg, depth + 1);
                if (rest != null) {
                    return prepend("lambda " + lambda.getImplClass().replace('/', '.') + "." + lambda.getImplMethodName()
                            + (capturesThis(lambda, i) ? CAPTURED_THIS : " captures value #" + (i + 1) + " (")
                            + typeOf(arg) + ")", rest);
                }
            }
            return null;
        }
        if (type.isArray()) {
            if (type.getComponentType().isPrimitive()) {
                return null;
            }
            int n = Math.min(Array.getLength(node), MAX_ELEMENTS);
            for (int i = 0; i < n; i++) {
                Object element = Array.get(node, i);
                List<String> rest = find(element, depth + 1);
                if (rest != null) {
                    return prepend("[" + i + "] (" + typeOf(element) + ")", rest);
                }
            }
            return null;
        }
        if (node instanceof Map<?, ?> map) {
            int i = 0;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (i++ >= MAX_ELEMENTS) {
                    break;
                }
                List<String> rest = find(entry.getKey(), depth + 1);
                if (rest != null) {
                    return prepend("key " + text(entry.getKey()) + " (" + typeOf(entry.getKey()) + ")", rest);
                }
                rest = find(entry.getValue(), depth + 1);
                if (rest != null) {
                    return prepend("value of key " + text(entry.getKey()) + " (" + typeOf(entry.getValue()) + ")", rest);
                }
            }
            // not among the entries: a map class of the application's may have fields of its own, which follow
            // (those of the JDK's are transient or closed to this library, and end their branch)
        }
        if (node instanceof Collection<?> collection) {
            int i = 0;
            for (Object element : collection) {
                if (i >= MAX_ELEMENTS) {
                    break;
                }
                List<String> rest = find(element, depth + 1);
                if (rest != null) {
                    return prepend("element " + i + " (" + typeOf(element) + ")", rest);
                }
                i++;
            }
            // not among the elements: a collection class of the application's may have fields of its own, which
            // follow (those of the JDK's are transient or closed to this library, and end their branch)
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                int mod = field.getModifiers();
                if (Modifier.isStatic(mod) || Modifier.isTransient(mod) || field.getType().isPrimitive()) {
                    continue;
                }
                Object value;
                try {
                    field.setAccessible(true);
                    value = field.get(node);
                } catch (RuntimeException | IllegalAccessException inaccessible) {
                    continue;
                }
                List<String> rest = find(value, depth + 1);
                if (rest != null) {
                    return prepend("field " + nameOf(c) + "." + field.getName() + " (" + typeOf(value) + ")", rest);
                }
            }
        }
        return null;
    }

    private static SerializedLambda lambdaOf(Object node) {
        Class<?> type = node.getClass();
        if (!type.isSynthetic() && !type.isHidden()) {
            return null;
        }
        try {
            Method writeReplace = type.getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            return writeReplace.invoke(node) instanceof SerializedLambda lambda ? lambda : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether captured value {@code i} of a lambda is the instance its body runs on: javac compiles a lambda that
     * uses a field or method of its class to an instance method, which receives that instance first. (A method
     * reference bound to an object, {@code conn::send}, captures it too, but its method is not a lambda's.)
     */
    private static boolean capturesThis(SerializedLambda lambda, int i) {
        return i == 0 && lambda.getImplMethodKind() != MethodHandleInfo.REF_invokeStatic
                && lambda.getImplMethodName().startsWith("lambda$");
    }

    /** The simple name, or for an anonymous class (whose simple name is empty) its binary name without package. */
    private static String nameOf(Class<?> c) {
        String simple = c.getSimpleName();
        return simple.isEmpty() ? c.getName().substring(c.getPackageName().isEmpty() ? 0 : c.getPackageName().length() + 1)
                : simple;
    }

    /** {@code String.valueOf(value)}, or, if its toString() fails, what it is and how it failed. */
    private static String text(Object value) {
        try {
            return String.valueOf(value);
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError fatal && !(fatal instanceof StackOverflowError)) {
                throw fatal;
            }
            return "(a " + typeOf(value) + " whose toString() threw " + e.getClass().getName() + ")";
        }
    }

    private static String typeOf(Object value) {
        return value == null ? "null" : value.getClass().getName();
    }

    private static List<String> prepend(String step, List<String> rest) {
        rest.addFirst(step);
        return rest;
    }
}

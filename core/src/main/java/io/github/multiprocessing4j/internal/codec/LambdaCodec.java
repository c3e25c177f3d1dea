package io.github.multiprocessing4j.internal.codec;

import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.internal.bytes.MalformedDataException;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;

/**
 * Serializable lambdas and method references without Java serialization, when everything they capture is a
 * value of the codec's fast path ({@link StandardCodec#isFastPath}): the usual task, {@code () -> work(n)} or
 * {@code Main::job}.
 *
 * <p>A lambda travels as its {@link SerializedLambda}, the form Java serialization writes too: the capturing class,
 * the functional interface and implementation method, and the captured values, each written by the codec.
 * It is read back the way {@code SerializedLambda.readResolve} does it, by the capturing class's own
 * {@code $deserializeLambda$}, which refuses any form that does not match a lambda the class's code holds. What it
 * saves is the JDK's first {@link java.io.ObjectInputStream}: in a fresh child JVM, the first deserialization of a
 * lambda costs ~40 ms, of which ~30 ms are the stream's machinery, not the lambda.
 *
 * <p>The reading side applies the same deserialization filter to the capturing class and to
 * {@code SerializedLambda} as a stream would (see {@link SerialFilter}).
 *
 * <p>A lambda whose class's package is not open to this library (a named module's own) is left to Java
 * serialization, which may reach it where reflection may not; so is one that captures anything else (an object,
 * {@code this}, another lambda) or the same array, string or box twice (but a box the codec's reading shares anyway),
 * since Java serialization keeps such sharing.
 */
public final class LambdaCodec {

    /** Per class: its {@code writeReplace}, accessible, if it is a serializable lambda this codec may write. */
    private static final ClassValue<Optional<Method>> WRITE_REPLACE = new ClassValue<>() {
        @Override
        protected Optional<Method> computeValue(Class<?> type) {
            return writeReplaceOf(type);
        }
    };

    private LambdaCodec() {
    }

    /**
     * The form in which {@code value} travels through this codec, or null if it is not a lambda this codec can
     * write (Java serialization then takes it).
     */
    static SerializedLambda formOf(Object value) {
        Class<?> type = value.getClass();
        if (!type.isHidden()) {
            return null;
        }
        Method writeReplace = WRITE_REPLACE.get(type).orElse(null);
        if (writeReplace == null) {
            return null;
        }
        Object form;
        try {
            form = writeReplace.invoke(value);
        } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
            return null; // let Java serialization say what is wrong
        }
        return form instanceof SerializedLambda lambda && capturesOnlyFastPathValues(lambda) ? lambda : null;
    }

    /** The class that wrote {@code lambda}, in which it is read back; loaded with {@code loader}. */
    static Class<?> capturingClass(SerializedLambda lambda, ClassLoader loader) throws ClassNotFoundException {
        return Class.forName(lambda.getCapturingClass().replace('/', '.'), false, loader);
    }

    /**
     * What kind of task {@code encoded} (a value the codec wrote) is, for a spare that rehearsed one
     * ({@code SpareJvms}): for a lambda's form, all of it but its captured values (which are plain), that is the lambda
     * its capturing class wrote, so that tasks of one kind initialize the same classes as they decode: the capturing
     * class, but also the functional interface and any marker interface with a default method, which the lambda's
     * class initializes, and which another lambda of the same class need not share (the method it calls is
     * initialized only once called); for anything else, all of it.
     */
    public static byte[] kindOf(byte[] encoded) {
        if (encoded.length == 0 || encoded[0] != Tag.LAMBDA) {
            return encoded.clone();
        }
        try {
            ByteSource source = new ByteSource(encoded, 1, encoded.length - 1);
            for (int i = 0; i < 4; i++) {
                source.getBlob(); // the capturing class, the functional interface, its method and its signature
            }
            source.getByte(); // the implementation's kind
            for (int i = 0; i < 4; i++) {
                source.getBlob(); // its class, name and signature, and the instantiated type
            }
            source.getInt(); // how many values it captured, which follow
            return Arrays.copyOf(encoded, source.position());
        } catch (MalformedDataException e) {
            return encoded.clone();
        }
    }

    /** Writes the form's body (the tag is the caller's); the captured values through {@code codec}. */
    static void write(SerializedLambda lambda, ByteSink sink, StandardCodec codec) {
        sink.putUtf8(lambda.getCapturingClass())
                .putUtf8(lambda.getFunctionalInterfaceClass())
                .putUtf8(lambda.getFunctionalInterfaceMethodName())
                .putUtf8(lambda.getFunctionalInterfaceMethodSignature())
                .putByte(lambda.getImplMethodKind())
                .putUtf8(lambda.getImplClass())
                .putUtf8(lambda.getImplMethodName())
                .putUtf8(lambda.getImplMethodSignature())
                .putUtf8(lambda.getInstantiatedMethodType())
                .putInt(lambda.getCapturedArgCount());
        for (int i = 0; i < lambda.getCapturedArgCount(); i++) {
            codec.write(lambda.getCapturedArg(i), sink);
        }
    }

    /**
     * Reads a form written by {@link #write}, for {@link #rebuild}. The capturing class is loaded and judged by
     * {@code resolve}; the captured values are read by {@code codec}, and must be of its fast path, as {@link #write}
     * writes them: a form nested in a form, however deep, or a Java-serialized value there is malformed.
     *
     * @throws ClassNotFoundException if the capturing class cannot be found
     */
    static Form read(ByteSource source, ClassResolver resolve, StandardCodec codec) throws ClassNotFoundException {
        String capturing = source.getUtf8();
        String interfaceClass = source.getUtf8();
        String interfaceMethod = source.getUtf8();
        String interfaceSignature = source.getUtf8();
        int implKind = source.getByte();
        String implClass = source.getUtf8();
        String implMethod = source.getUtf8();
        String implSignature = source.getUtf8();
        String instantiatedType = source.getUtf8();
        int count = source.getInt();
        if (count < 0 || count > source.remaining()) { // each captured value takes at least its tag's byte
            throw new MalformedDataException("a lambda with " + count + " captured values in " + source.remaining()
                    + " bytes");
        }
        Class<?> capturingClass = resolve.resolve(capturing.replace('/', '.'));
        Object[] captured = new Object[count];
        for (int i = 0; i < count; i++) {
            captured[i] = codec.readFastPath(source);
        }
        return new Form(capturingClass, new SerializedLambda(capturingClass, interfaceClass, interfaceMethod,
                interfaceSignature, implKind, implClass, implMethod, implSignature, instantiatedType, captured));
    }

    /**
     * The lambda {@code form} stands for, made by the capturing class's {@code $deserializeLambda$} (which initializes
     * that class, as Java serialization would).
     *
     * @throws ReflectiveOperationException if the class has no such method, or refuses the form
     */
    static Object rebuild(Form form) throws ReflectiveOperationException {
        Method deserialize = form.capturingClass().getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
        deserialize.setAccessible(true);
        return deserialize.invoke(null, form.lambda());
    }

    /** A form as {@link #read} read it, with its capturing class, loaded. */
    record Form(Class<?> capturingClass, SerializedLambda lambda) {
    }

    /** Loads a class by name and judges it as a deserialization filter would. */
    @FunctionalInterface
    interface ClassResolver {
        Class<?> resolve(String name) throws ClassNotFoundException;
    }

    private static Optional<Method> writeReplaceOf(Class<?> type) {
        if (!Serializable.class.isAssignableFrom(type)
                || !type.getModule().isOpen(type.getPackageName(), LambdaCodec.class.getModule())) {
            return Optional.empty();
        }
        try {
            Method writeReplace = type.getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            return Optional.of(writeReplace);
        } catch (NoSuchMethodException | RuntimeException e) { // not a lambda's class, or not ours to open
            return Optional.empty();
        }
    }

    private static boolean capturesOnlyFastPathValues(SerializedLambda lambda) {
        int n = lambda.getCapturedArgCount();
        for (int i = 0; i < n; i++) {
            Object value = lambda.getCapturedArg(i);
            if (!StandardCodec.isFastPath(value)) {
                return false;
            }
            if (value != null && !comesBackShared(value)) {
                for (int j = 0; j < i; j++) {
                    if (lambda.getCapturedArg(j) == value) {
                        return false; // captured twice: Java serialization keeps the two one object
                    }
                }
            }
        }
        return true;
    }

    /**
     * Whether the codec reads {@code value} back as one shared object wherever it is written, as the boxing of
     * a boolean, a byte, or a small char, short, int or long does (JLS 5.1.7); a string, an array or another box
     * comes back as a new object each time.
     */
    private static boolean comesBackShared(Object value) {
        return switch (value) {
            case Boolean b -> true;
            case Byte b -> true;
            case Character c -> c <= 127;
            case Short s -> s >= -128 && s <= 127;
            case Integer i -> i >= -128 && i <= 127;
            case Long l -> l >= -128 && l <= 127;
            default -> false;
        };
    }
}

package io.github.multiprocessing4j.testing;

import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Property-style tests as plain JUnit: a check run on a number of random inputs, each drawn by a {@link Gen}
 * whose seed comes from the test's name and the try's number. The seeds are fixed, so every run (and CI)
 * checks the same inputs, and a try that fails fails again on every run. A failure names the test, the try,
 * its seed and its input; there is no shrinking.
 */
public final class Tries {
    /** Arrays, strings and collections longer than this are shown cut short in a failure. */
    private static final int SHOWN = 256;

    /** A check of one input: it throws (an assertion, mostly) when the property does not hold. */
    @FunctionalInterface
    public interface Check<T> {
        void accept(T input) throws Throwable;
    }

    private Tries() {
    }

    /**
     * Runs {@code check} on {@code tries} inputs drawn by {@code input}; the seeds derive from the name of
     * the test method that calls this.
     */
    public static <T> void forAll(int tries, Function<Gen, ? extends T> input, Check<? super T> check) {
        String test = StackWalker.getInstance()
                .walk(frames -> frames.filter(f -> !f.getClassName().equals(Tries.class.getName())).findFirst())
                .map(f -> f.getClassName() + "." + f.getMethodName())
                .orElseThrow();
        SplittableRandom seeds = new SplittableRandom(test.hashCode());
        for (int i = 1; i <= tries; i++) {
            long seed = seeds.nextLong();
            T value = null;
            try {
                value = input.apply(new Gen(seed));
                check.accept(value);
            } catch (Throwable e) {
                throw new AssertionError(String.format(
                        "%s failed on try %d of %d (new Gen(%dL) draws its input again): %s%ninput: %s",
                        test, i, tries, seed, e, describe(value)), e);
            }
        }
    }

    /** A readable account of an input: arrays, records and strings (escaped) shown by their contents. */
    public static String describe(Object value) {
        StringBuilder out = new StringBuilder();
        describe(value, out);
        return out.toString();
    }

    private static void describe(Object v, StringBuilder out) {
        switch (v) {
            case null -> out.append("null");
            case String s -> {
                out.append('"');
                for (int i = 0; i < Math.min(s.length(), SHOWN); i++) {
                    char c = s.charAt(i);
                    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                        out.append(c);
                    } else {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                }
                out.append('"');
                if (s.length() > SHOWN) {
                    out.append("… (").append(s.length()).append(" chars)");
                }
            }
            case Character c -> out.append("'").append(c >= 0x20 && c < 0x7f ? String.valueOf(c)
                    : String.format("\\u%04x", (int) c)).append("'");
            case Long l -> out.append(l).append('L');
            case Short s -> out.append("(short) ").append(s);
            case Byte b -> out.append("(byte) ").append(b);
            case Double d -> out.append(d).append(Double.isNaN(d)
                    ? String.format(" (0x%016x)", Double.doubleToRawLongBits(d)) : "");
            case Float f -> out.append(f).append('f').append(Float.isNaN(f)
                    ? String.format(" (0x%08x)", Float.floatToRawIntBits(f)) : "");
            case Throwable t -> out.append(t);
            case Enum<?> e -> out.append(e.name());
            case Collection<?> c -> {
                out.append(c.getClass().getSimpleName()).append('[');
                int i = 0;
                for (Object e : c) {
                    if (i > 0) {
                        out.append(", ");
                    }
                    if (i++ == SHOWN) {
                        out.append("… (").append(c.size()).append(" elements)");
                        break;
                    }
                    describe(e, out);
                }
                out.append(']');
            }
            case Map<?, ?> m -> {
                out.append(m.getClass().getSimpleName()).append('{');
                String separator = "";
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    out.append(separator);
                    describe(e.getKey(), out);
                    out.append('=');
                    describe(e.getValue(), out);
                    separator = ", ";
                }
                out.append('}');
            }
            case Record r -> {
                out.append(r.getClass().getSimpleName()).append('[');
                String separator = "";
                for (RecordComponent c : r.getClass().getRecordComponents()) {
                    out.append(separator).append(c.getName()).append('=');
                    try {
                        var accessor = c.getAccessor();
                        accessor.setAccessible(true);
                        describe(accessor.invoke(r), out);
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        out.append('?');
                    }
                    separator = ", ";
                }
                out.append(']');
            }
            default -> {
                if (!v.getClass().isArray()) {
                    out.append(v);
                    return;
                }
                int n = Array.getLength(v);
                out.append(v.getClass().componentType().getSimpleName()).append('[').append(n).append("] {");
                for (int i = 0; i < Math.min(n, SHOWN); i++) {
                    if (i > 0) {
                        out.append(", ");
                    }
                    Object e = Array.get(v, i);
                    if (e instanceof Byte || e instanceof Short || e instanceof Long) {
                        out.append(e); // the array's type says what it is
                    } else {
                        describe(e, out);
                    }
                }
                out.append(n > SHOWN ? ", …}" : "}");
            }
        }
    }
}

package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.acme.Order;
import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.EnumMap;
import java.util.GregorianCalendar;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.commons.collections.functors.FakeGadget;
import org.junit.jupiter.api.Test;

/** Which classes the deserialization filter lets in, and that nothing smuggles a refused one past it. */
class SerialFilterSemanticsTest {
    private final Codec codec = Codec.standard();

    enum Color { RED, GREEN { @Override public String toString() { return "green, with a body"; } } }

    record Box(Object content) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    @Test
    void byDefault_jdkCollectionsRecordsEnumsAndApplicationClasses_pass() {
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put("tree", new TreeMap<>(Map.of("a", 1)));
        map.put("concurrent", new ConcurrentHashMap<>(Map.of(1, 2L)));
        map.put("enums", new EnumMap<>(Map.of(DayOfWeek.MONDAY, TimeUnit.SECONDS)));
        map.put("own enum with a body", List.of(Color.GREEN, Color.RED));
        map.put("record", new Box(new Order("pear", 2)));
        map.put("set", new HashSet<>(Set.of(1.5, 'c')));
        Object back = codec.decode(codec.encode(map));
        assertThat(back).isEqualTo(map);
        assertThat(((Map<?, ?>) back).get("own enum with a body")).asList().first().isSameAs(Color.GREEN);
    }

    @Test
    void aCalendarOrTimeZone_ofJavaUtil_travels_andSoDoesTheJdksOwnTimeZoneInside() {
        // Every TimeZone the JDK hands out (TimeZone.getTimeZone, getDefault, the one in Calendar.getInstance()) is a
        // sun.util.calendar.ZoneInfo, and Calendar.getInstance() in a Thai locale a sun.util.BuddhistCalendar:
        // refused as JDK classes outside java.util, they kept these java.util values home
        TimeZone paris = TimeZone.getTimeZone("Europe/Paris");
        Calendar calendar = new GregorianCalendar(paris);
        calendar.setTimeInMillis(1_700_000_000_000L);
        Calendar thai = Calendar.getInstance(paris, Locale.of("th", "TH"));
        thai.setTimeInMillis(1_700_000_000_000L);
        List<Object> values = List.of(paris, calendar, TimeZone.getDefault(), thai);
        assertThat(codec.decode(codec.encode(new ArrayList<>(values)))).isEqualTo(values);
        assertThat(StandardCodec.TO_CHILD.encode(thai)).isNotEmpty(); // the child's filter would take it too
    }

    @Test
    void theValuesAndExceptionsOfJavaSql_travel_soAJdbcTasksRowsAndFailuresComeBackAsThemselves() {
        // A task that queries a database returns Timestamps and Dates, and fails with an SQLException (often as the
        // cause of the application's own exception): refused as JDK classes outside the allowed packages, the
        // values could not travel and the failure came back as a RemoteTaskException, its type lost
        java.sql.Timestamp at = new java.sql.Timestamp(1_700_000_000_123L);
        at.setNanos(123_456_789);
        List<Object> values = List.of(at, new java.sql.Date(1_700_000_000_000L), new java.sql.Time(3_600_000L),
                java.sql.JDBCType.VARCHAR);
        assertThat(codec.decode(codec.encode(new ArrayList<>(values)))).isEqualTo(values);
        assertThat(StandardCodec.TO_CHILD.encode(at)).isNotEmpty();

        java.sql.SQLException failure = new java.sql.SQLIntegrityConstraintViolationException("duplicate key", "23505", 1062);
        failure.setNextException(new java.sql.SQLWarning("and this"));
        ByteSink sink = new ByteSink();
        ThrowableCodec.write(new IllegalStateException("saving the order failed", failure), sink);
        Throwable back = ThrowableCodec.read(new ByteSource(sink.toByteArray()), "a test");
        assertThat(back).isInstanceOf(IllegalStateException.class);
        assertThat(back.getCause()).isInstanceOf(java.sql.SQLIntegrityConstraintViolationException.class)
                .hasMessage("duplicate key");
        java.sql.SQLException cause = (java.sql.SQLException) back.getCause();
        assertThat(cause.getSQLState()).isEqualTo("23505");
        assertThat(cause.getErrorCode()).isEqualTo(1062);
        assertThat((Throwable) cause.getNextException()).isInstanceOf(java.sql.SQLWarning.class).hasMessage("and this");
    }

    @Test
    void exceptionsOfJavaNio_comeBackAsThemselves_thoseOfItsChannelsAndFileAttributesPackagesToo() {
        // What a task that does NIO throws when it is cancelled (ClosedByInterruptException) or its channel is
        // closed under it: Codec promises that the exceptions of java.nio travel, as those of java.nio.file do.
        List<Throwable> failures = List.of(new java.nio.channels.ClosedByInterruptException(),
                new java.io.UncheckedIOException("copy failed", new java.nio.channels.AsynchronousCloseException()),
                new java.nio.channels.OverlappingFileLockException(),
                new java.nio.file.attribute.UserPrincipalNotFoundException("nobody"),
                new java.nio.file.NoSuchFileException("data.csv"));
        for (Throwable failure : failures) {
            ByteSink sink = new ByteSink();
            ThrowableCodec.write(failure, sink);
            Throwable back = ThrowableCodec.read(new ByteSource(sink.toByteArray()), "a test");
            assertThat(back).as("%s", failure).isInstanceOf(failure.getClass()).hasMessage(failure.getMessage());
            if (failure.getCause() != null) {
                assertThat(back.getCause()).isInstanceOf(failure.getCause().getClass());
            }
        }
    }

    @Test
    void jdkEnumsOfAnyPackage_passByDefault_asTheyTravelByName() {
        List<Object> values = List.of(java.nio.file.StandardOpenOption.APPEND,
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.LinkOption.NOFOLLOW_LINKS,
                java.nio.file.AccessMode.EXECUTE, java.math.RoundingMode.HALF_EVEN);
        assertThat(codec.decode(codec.encode(new ArrayList<>(values)))).isEqualTo(values);
    }

    @Test
    void aValueBoundForAChild_withAClassItsFilterWouldRefuse_failsAtEncoding_namingTheClass() throws Exception {
        Map<String, Object> task = new HashMap<>();
        task.put("gadget", new FakeGadget("x"));
        assertThatThrownBy(() -> StandardCodec.TO_CHILD.encode(task)).isInstanceOf(EncodingException.class)
                .hasMessageContaining(FakeGadget.class.getName()).hasMessageContaining("-Dmp4j.serialFilter")
                .satisfies(e -> assertThat(((EncodingException) e).offendingClass()).isEqualTo(FakeGadget.class.getName()));
        java.net.URL url = java.net.URI.create("http://localhost/").toURL();
        assertThatThrownBy(() -> StandardCodec.TO_CHILD.encode(List.of(url))).isInstanceOf(EncodingException.class)
                .hasMessageContaining("java.net.URL");
        // What the filter allows still goes, and a value not bound for a child is not judged on the way out.
        assertThat(codec.decode(StandardCodec.TO_CHILD.encode(List.of(new Box(DayOfWeek.MONDAY)))))
                .isEqualTo(List.of(new Box(DayOfWeek.MONDAY)));
        assertThat(codec.encode(task)).isNotEmpty();
    }

    @Test
    void aRefusedClassNestedInsideAllowedOnes_isStillRefused_andNamed() {
        Map<String, Object> map = new HashMap<>();
        map.put("nested", new ArrayList<>(List.of(new Box(new Object[] {new FakeGadget("x")}))));
        byte[] bytes = codec.encode(new TreeMap<>(map));
        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(DecodingException.class)
                .hasMessageContaining(FakeGadget.class.getName() + " is refused by the deserialization filter");
    }

    /** An allowed class whose readObject reads more from the stream, as a gadget's entry point would. */
    static final class Smuggler implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        transient Object cargo;

        Smuggler(Object cargo) {
            this.cargo = cargo;
        }

        @Serial
        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            out.writeObject(cargo);
        }

        @Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            cargo = in.readObject();
        }

        @Serial
        private Object readResolve() {
            return cargo;
        }
    }

    @Test
    void aReadObjectOrReadResolveOfAnAllowedClass_cannotBypassTheFilter() {
        byte[] bytes = codec.encode(new Smuggler(new FakeGadget("x")));
        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(DecodingException.class)
                .hasMessageContaining(FakeGadget.class.getName() + " is refused");
        assertThat(codec.decode(codec.encode(new Smuggler(new Order("pear", 1))))).isEqualTo(new Order("pear", 1));
    }

    @Test
    void anAllowOnlyPattern_refusesOtherApplicationClasses_evenNestedInARecordOfAnAllowedPackage() {
        StandardCodec narrowed = new StandardCodec(SerialFilter.withPattern("com.acme.**;!*"));
        assertThat(narrowed.decode(codec.encode(List.of(new Order("pear", 1))))).isEqualTo(List.of(new Order("pear", 1)));
        byte[] box = codec.encode(new ArrayList<>(List.of(new Order("pear", 1), new Box("x"))));
        // Box is an application class of this test (the library's own package, which always passes), so use
        // a class from elsewhere that the pattern does not name:
        byte[] other = codec.encode(new ArrayList<>(List.of(new Order("pear", 1), new FakeGadget("y"))));
        assertThat(narrowed.decode(box)).isInstanceOf(ArrayList.class);
        assertThatThrownBy(() -> narrowed.decode(other)).isInstanceOf(DecodingException.class)
                .hasMessageContaining(FakeGadget.class.getName() + " is refused");
    }

    @Test
    void aHashSetWithALowLoadFactor_isNotTakenForAForgedArray() {
        // The JDK sizes the table of a HashSet or HashMap from its load factor (down to 0.25), and rounds it up
        // to a power of two: 5000 short strings need 32768 slots, more than the stream has bytes.
        Set<String> set = new HashSet<>(16, 0.25f);
        Map<String, Integer> map = new HashMap<>(16, 0.25f);
        for (int i = 0; i < 5000; i++) {
            set.add(Integer.toString(i, 36));
            map.put(Integer.toString(i, 36), null);
        }
        assertThat(codec.decode(codec.encode(set))).isEqualTo(set);
        assertThat(codec.decode(codec.encode(map))).isEqualTo(map);
    }

    @Test
    void anInvalidPattern_isAnErrorThatNamesTheProperty() {
        assertThatThrownBy(() -> SerialFilter.withPattern("com.acme.**;maxdepth=ten"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Dmp4j.serialFilter=com.acme.**;maxdepth=ten");
        assertThatThrownBy(() -> SerialFilter.withPattern("com.acme.**;!"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Dmp4j.serialFilter=");
    }

    @Test
    void anInvalidPropertyValue_failsEveryDecodeAndEncodeForAChild_withTheSameClearError() {
        // Thrown when the property was read, it failed the codec's class initialization: the first use got the
        // message inside an ExceptionInInitializerError, every later one a bare NoClassDefFoundError
        SerialFilter broken = SerialFilter.fromProperty("com.acme.**;maxdepth=ten");
        StandardCodec withBroken = new StandardCodec(broken);
        byte[] list = codec.encode(new ArrayList<>(List.of("a")));
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> withBroken.decode(list)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid -Dmp4j.serialFilter=com.acme.**;maxdepth=ten");
            assertThatThrownBy(() -> broken.judge(ArrayList.class)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid -Dmp4j.serialFilter=com.acme.**;maxdepth=ten");
        }
        // its limits judge values of the fast path too: what it would refuse is not known
        assertThatThrownBy(() -> withBroken.decode(codec.encode("fast path"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid -Dmp4j.serialFilter=com.acme.**;maxdepth=ten");
    }

    @Test
    void theJvmWideFilter_isCombined_andItsRefusalOfAClassIsNamedAsSuch() {
        ObjectInputFilter jvmWide = ObjectInputFilter.Config.createFilter("!com.acme.Order;maxdepth=6");
        // The user pattern allows Order, but it cannot override the JVM-wide filter.
        StandardCodec codecWithJvmFilter = new StandardCodec(SerialFilter.withPattern("com.acme.Order", jvmWide));
        byte[] order = codec.encode(new ArrayList<>(List.of(new Order("pear", 1))));
        assertThatThrownBy(() -> codecWithJvmFilter.decode(order)).isInstanceOf(DecodingException.class)
                .hasMessageContaining("com.acme.Order is refused by the JVM-wide deserialization filter")
                .hasMessageContaining("jdk.serialFilter");

        List<Object> deep = new ArrayList<>();
        List<Object> inner = deep;
        for (int i = 0; i < 10; i++) {
            List<Object> next = new ArrayList<>();
            inner.add(next);
            inner = next;
        }
        byte[] deepBytes = codec.encode(deep);
        assertThatThrownBy(() -> codecWithJvmFilter.decode(deepBytes)).isInstanceOf(DecodingException.class)
                .hasMessageContaining("refused by a limit of the deserialization filter");
        assertThat(codecWithJvmFilter.decode(codec.encode(new ArrayList<>(List.of(1, "a"))))).isEqualTo(List.of(1, "a"));
    }
}

package io.github.multiprocessing4j.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractCollection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** What a value that cannot travel is told: the offending class, the path to it, and what to do. */
class SerializationMessagesTest {
    private final Codec codec = Codec.standard();

    /** An enum whose constant holds something not Serializable: harmless, as enums travel by name. */
    enum Mode {
        FAST;

        @SuppressWarnings({"serial", "unused"})
        private final Object guard = new Object();
    }

    /** Declares the enum first, so that a walk of fields meets the enum before the real culprit. */
    record Job(Mode mode, Object lock) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    @Test
    void thePathToTheOffendingObject_doesNotRunThroughAnEnum_whichTravelsByName() {
        assertThatThrownBy(() -> codec.encode(new Job(Mode.FAST, new Object())))
                .isInstanceOf(EncodingException.class)
                .hasMessageStartingWith("java.lang.Object is not Serializable")
                .hasMessageContaining("path: field Job.lock (java.lang.Object)")
                .hasMessageNotContaining("Mode.guard");
    }

    /** An application's class that is not Serializable. */
    static final class Ledger {
    }

    record Holder(Object held) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    @Test
    void theAdvice_forAClassOfTheApplication_isToMakeItSerializable_forAJdkClass_toSendWhatItHolds() {
        assertThatThrownBy(() -> codec.encode(new Holder(new Ledger())))
                .hasMessageContaining("make " + Ledger.class.getName() + " Serializable, keep it in a transient field");
        // Nobody can make a JDK class Serializable: that advice used to be given for java.lang.Object too
        assertThatThrownBy(() -> codec.encode(new Holder(java.util.Optional.of("x"))))
                .hasMessageContaining("java.util.Optional is a JDK class, which cannot be made so: send what it holds")
                .hasMessageNotContaining("make java.util.Optional Serializable");
    }

    /** Not Serializable; hands out tasks that capture it. */
    static final class Report {
        final int scale = 3;

        SerializableFunction<Integer, Integer> anonymous() {
            return new SerializableFunction<>() {
                @Serial
                private static final long serialVersionUID = 1L;

                @Override
                public Integer apply(Integer x) {
                    return x * scale;
                }
            };
        }

        final class Inner implements Serializable {
            @Serial
            private static final long serialVersionUID = 1L;
        }
    }

    @Test
    void anAnonymousClassCapturingItsOuterInstance_isNamedInThePath_andTheMessageSaysWhatToDo() {
        SerializableFunction<Integer, Integer> task = new Report().anonymous();
        String anonymous = task.getClass().getName().substring(Report.class.getPackageName().length() + 1);
        assertThatThrownBy(() -> codec.encode(task))
                .isInstanceOf(EncodingException.class)
                .hasMessageStartingWith(Report.class.getName() + " is not Serializable")
                .hasMessageContaining("path: field " + anonymous + ".this$0 (" + Report.class.getName() + ")")
                .hasMessageContaining("enclosing instance")
                .hasMessageContaining("static nested class")
                .satisfies(e -> assertThat(((EncodingException) e).offendingClass()).isEqualTo(Report.class.getName()));
    }

    /** Not Serializable; hands out a lambda that uses a field, and so captures this. */
    static final class Scaler {
        private int factor = 2;

        SerializableFunction<Integer, Integer> task() {
            return x -> x * factor;
        }
    }

    @Test
    void aLambdaThatCapturesThis_isToldSo_andHowToCaptureOnlyWhatItUses() {
        // The path said "captures value #1 (Scaler)" and the advice was to make Scaler Serializable: nothing said that
        // the lambda captures this because it reads a field, the commonest way to capture what cannot travel
        assertThatThrownBy(() -> codec.encode(new Scaler().task()))
                .isInstanceOf(EncodingException.class)
                .hasMessageStartingWith(Scaler.class.getName() + " is not Serializable")
                .hasMessageContaining("captures this (" + Scaler.class.getName() + ")")
                .hasMessageContaining("uses a field or method of " + Scaler.class.getName())
                .hasMessageContaining("local variable");
    }

    @Test
    void aNonStaticInnerClass_isToldAboutItsEnclosingInstance() {
        Report.Inner inner = new Report().new Inner();
        assertThatThrownBy(() -> codec.encode(List.of(inner)))
                .isInstanceOf(EncodingException.class)
                .hasMessageContaining("path: element 0 (" + Report.Inner.class.getName() + ") -> field Inner.this$0 ("
                        + Report.class.getName() + ")")
                .hasMessageContaining("enclosing instance");
    }

    @Test
    void aCapturedLambdaThatIsNotSerializable_isToldHowToMakeItSerializable() {
        Function<Integer, Integer> plain = x -> x + 1;
        SerializableFunction<Integer, Integer> task = x -> plain.apply(x);
        assertThatThrownBy(() -> codec.encode(task))
                .isInstanceOf(EncodingException.class)
                .hasMessageContaining("captures value #1 (" + plain.getClass().getName() + ")")
                .hasMessageContaining("is a lambda or method reference, defined in " + getClass().getName())
                .hasMessageContaining("SerializableFunction")
                .hasMessageContaining("& Serializable)")
                .hasMessageNotContaining("make " + plain.getClass().getName() + " Serializable");
    }

    @Test
    void aMapValue_isNamedByItsKey() {
        Map<String, Object> map = new HashMap<>();
        map.put("ok", 1);
        map.put("culprit", new Object());
        assertThatThrownBy(() -> codec.encode(map))
                .isInstanceOf(EncodingException.class)
                .hasMessageContaining("path: value of key culprit (java.lang.Object)");
    }

    /** A map key whose toString() fails with an Error, as an assert in it would. */
    record AssertingKey(int id) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
            throw new AssertionError("toString() is broken");
        }
    }

    /** A collection of the application's whose iterator fails with an Error; it travels by its field. */
    static final class AssertingBag extends AbstractCollection<Object> implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        @SuppressWarnings({"serial", "unused"})
        private final Object held = new Ledger();

        @Override
        public Iterator<Object> iterator() {
            throw new AssertionError("iterator() is broken");
        }

        @Override
        public int size() {
            return 1;
        }
    }

    @Test
    void userCodeThatThrowsAnErrorDuringTheSearchForThePath_stillGivesTheEncodingException() {
        // The walk that finds the path calls the user's toString() and iterators, and let an AssertionError of theirs
        // escape encode() in place of the EncodingException (it caught only exceptions and StackOverflowError)
        Map<Object, Object> map = new HashMap<>();
        map.put(new AssertingKey(1), new Ledger());
        assertThatThrownBy(() -> codec.encode(map))
                .isInstanceOf(EncodingException.class)
                .hasMessageStartingWith(Ledger.class.getName() + " is not Serializable")
                .hasMessageContaining("path: value of key (a " + AssertingKey.class.getName()
                        + " whose toString() threw java.lang.AssertionError) (" + Ledger.class.getName() + ")");
        assertThatThrownBy(() -> codec.encode(new AssertingBag()))
                .isInstanceOf(EncodingException.class)
                .hasMessageStartingWith(Ledger.class.getName() + " is not Serializable")
                .hasMessageContaining("make " + Ledger.class.getName() + " Serializable");
    }

    /** Refuses to travel from its writeObject. */
    static final class RefusesRuntime implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void writeObject(ObjectOutputStream out) {
            throw new IllegalStateException("a RefusesRuntime is bound to this JVM");
        }
    }

    /** Fails in its writeObject with an IOException. */
    static final class RefusesIo implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void writeObject(ObjectOutputStream out) throws IOException {
            throw new IOException("the spool file is gone");
        }
    }

    /** Fails in its writeReplace. */
    static final class RefusesReplace implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private Object writeReplace() {
            throw new UnsupportedOperationException("no replacement");
        }
    }

    @Test
    void anExceptionOfAWriteObjectOrWriteReplace_namesTheClassWhoseMethodThrew() {
        assertThatThrownBy(() -> codec.encode(List.of("a", new RefusesRuntime())))
                .isInstanceOf(EncodingException.class)
                .hasMessageContaining("the writeObject method of " + RefusesRuntime.class.getName()
                        + " threw java.lang.IllegalStateException: a RefusesRuntime is bound to this JVM")
                .satisfies(e -> assertThat(((EncodingException) e).offendingClass()).isEqualTo(RefusesRuntime.class.getName()));
        assertThatThrownBy(() -> codec.encode(Map.of("k", new RefusesIo())))
                .isInstanceOf(EncodingException.class)
                .hasMessageContaining("the writeObject method of " + RefusesIo.class.getName()
                        + " threw java.io.IOException: the spool file is gone")
                .satisfies(e -> assertThat(((EncodingException) e).offendingClass()).isEqualTo(RefusesIo.class.getName()));
        assertThatThrownBy(() -> codec.encode(new RefusesReplace()))
                .isInstanceOf(EncodingException.class)
                .hasMessageContaining("the writeReplace method of " + RefusesReplace.class.getName() + " threw")
                .satisfies(e -> assertThat(((EncodingException) e).offendingClass()).isEqualTo(RefusesReplace.class.getName()));
    }

    /** Refuses in its writeObject with a NotSerializableException whose message is a sentence, not a class name. */
    static final class LiveSocket implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void writeObject(ObjectOutputStream out) throws IOException {
            throw new java.io.NotSerializableException("a live socket cannot travel");
        }
    }

    @Test
    void aNotSerializableExceptionOfTheValuesOwnWriteObject_namesThatClass_notItsMessage() {
        assertThatThrownBy(() -> codec.encode(List.of(new Job(Mode.FAST, new LiveSocket()))))
                .isInstanceOf(EncodingException.class)
                .hasMessageContaining("the writeObject method of " + LiveSocket.class.getName()
                        + " threw java.io.NotSerializableException: a live socket cannot travel")
                .satisfies(e -> assertThat(((EncodingException) e).offendingClass()).isEqualTo(LiveSocket.class.getName()));
    }

    /** A result whose writeObject throws an EncodingException of its own making, with no message. */
    static final class SilentlyRefused implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void writeObject(ObjectOutputStream out) {
            throw new EncodingException(null, null, new java.io.NotSerializableException("com.acme.Gone"));
        }
    }

    @Test
    void aResultWhoseOwnEncodingExceptionHasNoMessage_stillSaysThatTheResultCannotBeSentBack() {
        // The result's message was built from the exception's message, which a writeObject's own EncodingException
        // need not have: the worker got a NullPointerException of the library's in place of the EncodingException
        ByteSink sink = new ByteSink().putInt(42);
        assertThatThrownBy(() -> StandardCodec.INSTANCE.writeResult(new SilentlyRefused(), sink))
                .isInstanceOf(EncodingException.class)
                .hasMessageStartingWith("the task ran, but its result cannot be sent back: ")
                .hasMessageContaining("com.acme.Gone");
        assertThat(sink.size()).as("the sink as it was").isEqualTo(4);
    }

    @Test
    void withTheJdksExtendedDebugInfo_theOffendingClassIsStillItsName_andThePathIsFound() {
        // -Dsun.io.serialization.extendedDebugInfo=true, which users set to debug serialization, makes
        // ObjectOutputStream append its trace to the class name, one "\t- " line per step (read once, when that
        // class is initialized, hence the exception made here as it makes it).
        Job job = new Job(Mode.FAST, new Object());
        java.io.NotSerializableException extended = new java.io.NotSerializableException("java.lang.Object\n"
                + "\t- field (class \"" + Job.class.getName() + "\", name: \"lock\", type: \"class java.lang.Object\")\n"
                + "\t- root object (class \"" + Job.class.getName() + "\", " + job + ")");
        EncodingException e = SerializationDiagnosis.notSerializable(job, extended);
        assertThat(e.offendingClass()).isEqualTo("java.lang.Object");
        assertThat(e.getMessage()).startsWith("java.lang.Object is not Serializable, so a value of " + Job.class.getName())
                .contains("path: field Job.lock (java.lang.Object)");
    }

    /** A list of the application's own, which serialization writes with its field as well as its elements. */
    static final class TaggedList extends java.util.ArrayList<String> {
        @Serial
        private static final long serialVersionUID = 1L;
        @SuppressWarnings({"serial", "unused"})
        private final Object source;

        TaggedList(Object source, String... elements) {
            super(List.of(elements));
            this.source = source;
        }
    }

    /** A map of the application's own with a field. */
    static final class CountingMap extends HashMap<String, Integer> {
        @Serial
        private static final long serialVersionUID = 1L;
        @SuppressWarnings({"serial", "unused"})
        private final Object counter;

        CountingMap(Object counter) {
            this.counter = counter;
            put("a", 1);
        }
    }

    /** Not Serializable. */
    static final class Connection {
    }

    @Test
    void aFieldOfACollectionOrMapOfTheApplication_isNamedInThePath_notOnlyItsElements() {
        assertThatThrownBy(() -> codec.encode(new Job(Mode.FAST, new TaggedList(new Connection(), "x", "y"))))
                .isInstanceOf(EncodingException.class)
                .hasMessageContaining("path: field Job.lock (" + TaggedList.class.getName() + ") -> field TaggedList.source ("
                        + Connection.class.getName() + ")");
        assertThatThrownBy(() -> codec.encode(new CountingMap(new Connection())))
                .isInstanceOf(EncodingException.class)
                .hasMessageContaining("path: field CountingMap.counter (" + Connection.class.getName() + ")");
    }

    /** Not Serializable, and without a no-arg constructor: ObjectInputStream has no way to create its part. */
    static class Handle {
        final int fd;

        Handle(int fd) {
            this.fd = fd;
        }
    }

    /** Serializable, but its first superclass that is not has no no-arg constructor: no JVM can read it back. */
    static final class TrackedHandle extends Handle implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        final String name;

        TrackedHandle(String name) {
            super(3);
            this.name = name;
        }
    }

    /** Externalizable without the public no-arg constructor that ObjectInputStream calls. */
    static final class Packed implements java.io.Externalizable {
        int value;

        Packed(int value) {
            this.value = value;
        }

        @Override
        public void writeExternal(java.io.ObjectOutput out) throws IOException {
            out.writeInt(value);
        }

        @Override
        public void readExternal(java.io.ObjectInput in) throws IOException {
            value = in.readInt();
        }
    }

    /** Its non-serializable superclass has a no-arg constructor: it travels. */
    static class Counter {
        Counter() {
        }
    }

    static final class SharedCounter extends Counter implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        final int start;

        SharedCounter(int start) {
            this.start = start;
        }
    }

    @Test
    void aValueThatNoJvmCouldCreate_failsAtEncoding_notInTheChild_namingTheClassAndWhatToDo() {
        // Java serialization writes these without complaint; ObjectInputStream refuses them with "no valid
        // constructor". Codec promises that a value that cannot travel fails where it is handed over.
        assertThatThrownBy(() -> codec.encode(List.of("job", new TrackedHandle("log"))))
                .isInstanceOf(EncodingException.class)
                .hasMessageContaining(TrackedHandle.class.getName())
                .hasMessageContaining(Handle.class.getName() + ", has no no-arg constructor")
                .satisfies(e -> assertThat(((EncodingException) e).offendingClass()).isEqualTo(TrackedHandle.class.getName()));
        assertThatThrownBy(() -> codec.encode(new Packed(7)))
                .isInstanceOf(EncodingException.class)
                .hasMessageContaining(Packed.class.getName() + " is Externalizable but has no public no-arg constructor")
                .satisfies(e -> assertThat(((EncodingException) e).offendingClass()).isEqualTo(Packed.class.getName()));
        ByteSink sink = new ByteSink().putInt(42);
        assertThatThrownBy(() -> StandardCodec.INSTANCE.write(new TrackedHandle("log"), sink))
                .isInstanceOf(EncodingException.class);
        assertThat(sink.size()).isEqualTo(4);
    }

    @Test
    void whatJavaSerializationCanCreate_stillTravels_andSoDoesTheClassObjectOfWhatItCannot() {
        assertThat(((SharedCounter) codec.decode(codec.encode(new SharedCounter(5)))).start).isEqualTo(5);
        // A Class travels as its descriptor alone: no instance of it is created on the other side.
        assertThat(codec.decode(codec.encode(TrackedHandle.class))).isEqualTo(TrackedHandle.class);
    }

    /** A hand-made linked list that serialization follows recursively, one level of stack per node. */
    static final class Node implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        final Node next;

        Node(Node next) {
            this.next = next;
        }
    }

    @Test
    void aGraphTooDeepForTheStack_isAnEncodingException_andLeavesTheSinkAsItWas() throws Exception {
        Node head = null;
        for (int i = 0; i < 1_000_000; i++) {
            head = new Node(head);
        }
        Node deep = head;
        ByteSink sink = new ByteSink().putInt(42);
        Throwable[] thrown = new Throwable[1];
        // A small stack makes the overflow certain whatever the JVM's default.
        Thread small = new Thread(null, () -> {
            try {
                StandardCodec.INSTANCE.write(deep, sink);
            } catch (Throwable t) {
                thrown[0] = t;
            }
        }, "small-stack", 256 * 1024);
        small.start();
        small.join();
        assertThat(thrown[0]).isInstanceOf(EncodingException.class)
                .hasMessageContaining("a value of " + Node.class.getName())
                .hasMessageContaining("nested too deeply");
        assertThat(sink.size()).isEqualTo(4);
    }
}

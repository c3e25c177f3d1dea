package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.AssertingException;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.UnprintableException;
import io.github.multiprocessing4j.testing.UnwritableException;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a task may do to the JVM it runs in — interrupt its thread, leave threads behind, read stdin, end
 * the JVM abruptly after much output, throw an Error or a cyclic chain of causes — and what its parent sees.
 */
class ChildTaskEdgesTest {

    @TempDir
    Path tmp;

    @Test
    void aTaskThatReturnsWithItsThreadInterrupted_succeeds_andOneThatThrows_soReportsItsException() throws Exception {
        // A task that restores an interrupt it caught, as it should, and returns. Its interrupted main thread used
        // to have its report closed under it (an interrupted thread cannot write to a channel): exit code 1 with
        // an IOException's stack trace for a task that succeeded, no failure() for one that threw.
        try (JvmProcess returns = JvmProcess.start("interrupted-returns", () -> Thread.currentThread().interrupt());
                JvmProcess throwing = JvmProcess.start("interrupted-throws", () -> {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted and failing");
                })) {
            returns.join();
            throwing.join();
            assertThat(returns.exitCode()).hasValue(0);
            assertThat(returns.failure()).isEmpty();
            assertThat(throwing.exitCode()).hasValue(1);
            assertThat(throwing.failure().orElseThrow()).isInstanceOf(IllegalStateException.class)
                    .hasMessage("interrupted and failing");

            // and an ended child stays as it ended, whatever is done to it after
            returns.terminate();
            returns.kill();
            returns.close();
            assertThat(returns.join(Duration.ofSeconds(-1))).isTrue();
            assertThat(returns.exitCode()).hasValue(0);
            assertThat(returns.isAlive()).isFalse();
        }
    }

    static void interruptEveryThreadOfTheGroup() {
        Thread.currentThread().getThreadGroup().interrupt(); // as some frameworks do when they stop
        Thread.interrupted();
        JvmProcessTest.sleep(500); // lets an interrupt that reached the library's threads take effect
    }

    static void interruptTheGroupAndThrow() {
        interruptEveryThreadOfTheGroup();
        throw new IllegalStateException("failed after interrupting the group");
    }

    @Test
    void aTaskThatInterruptsEveryThreadOfItsGroup_succeeds_andOneThatThrows_soReportsItsException() throws Exception {
        // ThreadGroup.interrupt() reached the thread that watches the connection to the parent: the interrupt closed
        // the connection, which the child took for its parent's death. It exited with code 3 as an orphan, with no
        // report, whether the task went on to succeed or to throw.
        try (JvmProcess returns = JvmProcess.start("group-interrupted", ChildTaskEdgesTest::interruptEveryThreadOfTheGroup);
                JvmProcess throwing = JvmProcess.start("group-interrupted-throws", ChildTaskEdgesTest::interruptTheGroupAndThrow)) {
            returns.join();
            throwing.join();
            assertThat(returns.exitCode()).hasValue(0);
            assertThat(throwing.exitCode()).hasValue(1);
            assertThat(throwing.failure().orElseThrow()).isInstanceOf(IllegalStateException.class)
                    .hasMessage("failed after interrupting the group");
        }
    }

    @Test
    void stdin_isAtItsEnd_alsoForCodeThatReadsFileDescriptorZero() throws Exception {
        // System.in is empty; the file descriptor under it (read by FileDescriptor.in, or by a program the task
        // starts with inheritIO()) was a pipe that the parent kept open until close(): a read blocked, and a
        // join() before close() waited for ever.
        String out = tmp.resolve("stdin").toString();
        try (JvmProcess child = JvmProcess.start("stdin-reader", () -> {
            try {
                int fromSystemIn = System.in.read();
                int fromFd0 = new FileInputStream(FileDescriptor.in).read();
                write(out, fromSystemIn + " " + fromFd0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        })) {
            assertThat(child.join(Delays.seconds(30))).as("the child ended").isTrue();
            assertThat(child.exitCode()).hasValue(0);
            assertThat(Files.readString(Path.of(out))).isEqualTo("-1 -1");
        }
    }

    @Test
    void aNonDaemonThreadThatATaskLeftRunning_keepsTheChildAlive_untilItEnds_asInPython() throws Exception {
        Path returned = tmp.resolve("returned");
        String returnedFile = returned.toString();
        Path gate = tmp.resolve("gate");
        String gateFile = gate.toString();
        try (JvmProcess child = JvmProcess.start("leaves-a-thread", () -> {
            Thread.ofPlatform().daemon(false).start(() -> {
                while (!Files.exists(Path.of(gateFile))) {
                    JvmProcessTest.sleep(10);
                }
            });
            write(returnedFile, "returned");
        })) {
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> Files.exists(returned));
            assertThat(child.join(Delays.millis(500))).as("ended while its thread still ran").isFalse();
            assertThat(child.exitCode()).isEmpty();
            Files.createFile(gate);
            assertThat(child.join(Delays.seconds(30))).isTrue();
            assertThat(child.exitCode()).hasValue(0);
            assertThat(child.failure()).isEmpty();
        }
    }

    @Test
    void outputWithoutANewline_rightBeforeAHalt_isCopiedWhole_beforeJoinReturns() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (JvmProcess child = JvmProcess.start("halter", () -> {
            for (int i = 0; i < 20_000; i++) {
                System.out.print("0123456789");
                System.err.print("abcdefghij");
            }
            System.out.print("END");
            System.err.print("ERR-END");
            Runtime.getRuntime().halt(7);
        })) {
            child.join();
            assertThat(child.exitCode()).hasValue(7);
            assertThat(out.size()).isEqualTo(200_003);
            assertThat(err.size()).isEqualTo(200_007);
            assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("789END");
            assertThat(err.toString(StandardCharsets.UTF_8)).endsWith("hijERR-END");
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    static final class CyclicException extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        CyclicException(String message) {
            super(message);
        }
    }

    static void recurse() {
        recurse();
    }

    static void throwCyclic() {
        CyclicException a = new CyclicException("a");
        CyclicException b = new CyclicException("b");
        a.initCause(b);
        b.initCause(a);
        throw a;
    }

    @Test
    void errorsAndCyclicCauses_reachTheParent_withExitCode1() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (JvmProcess overflow = JvmProcess.start("overflow", ChildTaskEdgesTest::recurse);
                JvmProcess cyclic = JvmProcess.start("cyclic", ChildTaskEdgesTest::throwCyclic)) {
            overflow.join();
            cyclic.join();
            assertThat(overflow.exitCode()).hasValue(1);
            assertThat(overflow.failure()).get().isInstanceOf(StackOverflowError.class);
            assertThat(cyclic.exitCode()).hasValue(1);
            Throwable a = cyclic.failure().orElseThrow();
            assertThat(a).isInstanceOf(CyclicException.class).hasMessage("a");
            assertThat(a.getCause()).hasMessage("b");
            assertThat(a.getCause().getCause()).isSameAs(a);
        } finally {
            System.setErr(original);
        }
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("Exception in process \"overflow\"").contains("java.lang.StackOverflowError")
                .contains("Exception in process \"cyclic\"").contains("CIRCULAR REFERENCE");
    }

    static void throwUnwritable() {
        throw new UnwritableException("its payload cannot be written");
    }

    @Test
    void anExceptionWhoseSerializationThrowsAnError_stillReachesTheParent_asARemoteTaskException() throws Exception {
        // The Error used to escape the report: the child's main thread died with it (exit code 1 all the same),
        // and failure() was empty.
        try (JvmProcess child = JvmProcess.start("write-fails", ChildTaskEdgesTest::throwUnwritable)) {
            child.join();
            assertThat(child.exitCode()).hasValue(1);
            assertThat(child.failure()).get().isInstanceOfSatisfying(RemoteTaskException.class, e -> {
                assertThat(e.remoteClassName()).isEqualTo(UnwritableException.class.getName());
                assertThat(e.remoteMessage()).isEqualTo("its payload cannot be written");
                assertThat(e.remoteStackTrace()).contains("throwUnwritable");
            });
        }
    }

    static void throwAfterBreakingSystemErr() {
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                throw new UncheckedIOException(new IOException("this stream is closed"));
            }
        }));
        throw new IllegalStateException("failed with a broken System.err");
    }

    static void throwAfterSettingSystemErrToNull() {
        System.setErr(null);
        throw new IllegalStateException("failed with no System.err");
    }

    @Test
    void aTaskThatLeftSystemErrBroken_orNull_stillReportsItsFailure_andItsTraceReachesOurStderr() throws Exception {
        // The child prints a failed task's stack trace on System.err before it reports the failure: that print threw
        // (the stream's own exception, or a NullPointerException), so the report was never sent: exit code 1, but
        // failure() empty and no trace anywhere.
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (JvmProcess broken = JvmProcess.start("broken-err", ChildTaskEdgesTest::throwAfterBreakingSystemErr);
                JvmProcess none = JvmProcess.start("null-err", ChildTaskEdgesTest::throwAfterSettingSystemErrToNull)) {
            broken.join();
            none.join();
            assertThat(broken.exitCode()).hasValue(1);
            assertThat(broken.failure().orElseThrow()).isInstanceOf(IllegalStateException.class)
                    .hasMessage("failed with a broken System.err");
            assertThat(none.exitCode()).hasValue(1);
            assertThat(none.failure().orElseThrow()).isInstanceOf(IllegalStateException.class)
                    .hasMessage("failed with no System.err");
        } finally {
            System.setErr(original);
        }
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("Exception in process \"broken-err\"").contains("failed with a broken System.err")
                .contains("Exception in process \"null-err\"").contains("failed with no System.err");
    }

    static void throwUnprintable() {
        throw new UnprintableException();
    }

    @Test
    void anExceptionThatBreaksEveryMethodThatPrintsIt_stillReachesTheParent_andItsTraceOurStderr() throws Exception {
        // Printing the stack trace fell back to a plain one when toString() threw, and that called getStackTrace(),
        // which threw too: the child's report was never sent (failure() empty).
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (JvmProcess child = JvmProcess.start("unprintable", ChildTaskEdgesTest::throwUnprintable)) {
            child.join();
            assertThat(child.exitCode()).hasValue(1);
            assertThat(child.failure().orElseThrow()).isInstanceOf(UnprintableException.class);
        } finally {
            System.setErr(original);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Exception in process \"unprintable\"")
                .contains(UnprintableException.class.getName());
    }

    static void throwAsserting() {
        throw new AssertingException();
    }

    @Test
    void anExceptionWhosePrintingMethodsThrowErrors_stillReachesTheParent() throws Exception {
        // Printing the stack trace let the AssertionError of getMessage() escape (only exceptions were caught): the
        // child's report was never sent (failure() empty).
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (JvmProcess child = JvmProcess.start("asserting", ChildTaskEdgesTest::throwAsserting)) {
            child.join();
            assertThat(child.exitCode()).hasValue(1);
            assertThat(child.failure().orElseThrow()).isInstanceOf(AssertingException.class);
        } finally {
            System.setErr(original);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Exception in process \"asserting\"")
                .contains(AssertingException.class.getName());
    }

    static void write(String file, String text) {
        JvmProcessTest.write(file, text);
    }
}

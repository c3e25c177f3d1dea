package io.github.multiprocessing4j.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.multiprocessing4j.testing.TestJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The listener when accept itself fails for a while, in a JVM of its own (it uses up all of that JVM's descriptors). */
class ChildListenerAcceptFailureTest {

    @Test
    void anAcceptThatKeepsFailing_isLoggedAsAWarningOnce_andTheWaitingPeerIsAcceptedOnceItCan() throws Exception {
        // With no file descriptor left, every retry failed at once, and each, ten times a second, was a WARNING with
        // its stack trace: a program short of descriptors for a minute got 600 of them on its stderr.
        try (TestJvm jvm = TestJvm.start(AcceptFailureMain.class, List.of())) {
            long limit = Long.parseLong(jvm.nextLineStartingWith("LIMIT ", 60).substring("LIMIT ".length()));
            assumeTrue(limit >= 0 && limit <= AcceptFailureMain.MAX_DESCRIPTORS,
                    "a limit on open files this test can use up: " + limit);
            String failures = jvm.nextLineStartingWith("FAILURES ", 120);
            assertThat(failures).as("stderr: %s", jvm.stderr()).endsWith(" warnings=1");
            assertThat(jvm.nextLine(60)).isEqualTo("CHALLENGED");
        }
    }
}

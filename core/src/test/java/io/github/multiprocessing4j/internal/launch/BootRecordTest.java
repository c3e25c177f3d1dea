package io.github.multiprocessing4j.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.multiprocessing4j.internal.session.Session;
import io.github.multiprocessing4j.process.JvmProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The boot record carries the session key to a child on its stdin, the only place other users cannot read. */
class BootRecordTest {
    private static final int SAME_KEY_NOWHERE_ELSE = 40;
    private static final int OTHER_KEY = 41;
    private static final int KEY_IN_ARGV_OR_ENVIRONMENT = 42;

    @Test
    void theSessionKey_reachesAChild_andAppearsInNeitherItsArgvNorItsEnvironment() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "Linux: argv and environment are read from /proc");
        byte[] key = Session.get().key();
        try (JvmProcess child = JvmProcess.start("key-check", () -> {
            byte[] own = Session.get().key();
            if (!Arrays.equals(own, key)) {
                System.exit(OTHER_KEY);
            }
            try {
                // What ps and /proc show other users of a process: its argv; and, to its user, its environment.
                byte[] argv = Files.readAllBytes(Path.of("/proc/self/cmdline"));
                byte[] environment = Files.readAllBytes(Path.of("/proc/self/environ"));
                for (byte[] form : spellings(own)) {
                    if (contains(argv, form) || contains(environment, form)) {
                        System.exit(KEY_IN_ARGV_OR_ENVIRONMENT);
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            System.exit(SAME_KEY_NOWHERE_ELSE);
        })) {
            child.join();
            assertThat(child.exitCode()).hasValue(SAME_KEY_NOWHERE_ELSE);
        }
    }

    @Test
    void aRecordRoundTrips_andStdinThatIsNotOne_isRefused_evenWithAHugeClaimedLength() throws Exception {
        BootRecord record = new BootRecord(new byte[] {1, 2, 3}, Path.of("/run/user/1000/mp4j-1-a"),
                Path.of("/run/user/1000/mp4j-1-a/1.sock"), 42L, 7L);
        BootRecord read = BootRecord.read(new java.io.ByteArrayInputStream(record.encode()));
        assertThat(read.key()).containsExactly(1, 2, 3);
        assertThat(read.parentSocket()).isEqualTo(record.parentSocket());
        assertThat(read.token()).isEqualTo(42L);
        assertThat(read.spare()).isFalse();
        BootRecord spare = new BootRecord(new byte[] {1}, Path.of("/tmp/d"), Path.of("/tmp/d/1.sock"), 43L, 7L, false,
                true, new byte[0], new byte[0]);
        assertThat(BootRecord.read(new java.io.ByteArrayInputStream(spare.encode())).spare()).isTrue();

        assertThatThrownBy(() -> BootRecord.read(new java.io.ByteArrayInputStream("GET / HTTP/1.1\r\n".getBytes())))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("not by hand");
        byte[] huge = {'M', 'P', '4', 'J', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThatThrownBy(() -> BootRecord.read(new java.io.ByteArrayInputStream(huge)))
                .isInstanceOf(java.io.IOException.class).hasMessage("boot record of 2147483647 bytes");
    }

    private static List<byte[]> spellings(byte[] key) {
        return List.of(key, HexFormat.of().formatHex(key).getBytes(StandardCharsets.US_ASCII),
                HexFormat.of().withUpperCase().formatHex(key).getBytes(StandardCharsets.US_ASCII),
                Base64.getEncoder().withoutPadding().encodeToString(key).getBytes(StandardCharsets.US_ASCII),
                Base64.getUrlEncoder().withoutPadding().encodeToString(key).getBytes(StandardCharsets.US_ASCII));
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return true;
            }
        }
        return false;
    }
}

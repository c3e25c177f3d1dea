package io.github.multiprocessing4j.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class HmacSha256Test {

    @Test
    void matchesRfc4231TestCases() {
        byte[] key1 = new byte[20];
        Arrays.fill(key1, (byte) 0x0b);
        assertThat(hex(HmacSha256.mac(key1, "Hi There".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        assertThat(hex(HmacSha256.mac("Jefe".getBytes(StandardCharsets.US_ASCII),
                "what do ya want ".getBytes(StandardCharsets.US_ASCII), "for nothing?".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        byte[] longKey = new byte[131];
        Arrays.fill(longKey, (byte) 0xaa);
        assertThat(hex(HmacSha256.mac(longKey,
                "Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    @Test
    void matchesTheJdksHmacSha256_onRandomKeysAndMessagesOfEveryLengthAroundTheBlockSize() throws Exception {
        Random random = new Random(42);
        Mac jdk = Mac.getInstance("HmacSHA256");
        for (int length = 0; length < 200; length++) {
            byte[] key = new byte[random.nextInt(100) + 1];
            byte[] a = new byte[length];
            byte[] b = new byte[random.nextInt(70)];
            random.nextBytes(key);
            random.nextBytes(a);
            random.nextBytes(b);
            jdk.init(new SecretKeySpec(key, "HmacSHA256"));
            jdk.update(a);
            jdk.update(b);
            assertThat(HmacSha256.mac(key, a, b)).as("message length %d", length + b.length).isEqualTo(jdk.doFinal());
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}

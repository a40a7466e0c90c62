package io.thalassa.haproxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FingerprintTest {

    @Test
    void aStreamedListOfStringsIsTheListItself() {
        Random random = new Random(18);
        for (int round = 0; round < 200; round++) {
            Map<String, Object> structure = new LinkedHashMap<>();
            structure.put("key", word(random));
            structure.put("inter", (long) random.nextInt(100_000));
            structure.put("natives", List.of(word(random), word(random)));
            structure.put("hostHeader", null);
            List<String> names = new ArrayList<>();
            for (int i = random.nextInt(40); i > 0; i--) {
                names.add(word(random));
            }
            Fingerprint streamed = Fingerprint.start("backend").add(structure).beginList(names.size());
            names.forEach(streamed::addString);
            assertThat(streamed.endList().hex()).isEqualTo(Fingerprint.of("backend", structure, names));
        }
    }

    @Test
    void theEncodingIsPinnedSoTheFileOfAnEarlierVersionStillMatches() {
        // computed by the encoder before it streamed: a controller adopting a HAProxy reads these from its file
        assertThat(Fingerprint.of("backend", Map.of("key", "live"), List.of("live_slot1", "live_slot2")))
                .isEqualTo("da57b1dba36c9e8105e6b27ec9ab20ab");
        assertThat(Fingerprint.of("kind", "ça, déjà vu – ✓ 𝄞", 12L, null, List.of()))
                .isEqualTo("db8f23245b730d9afa91d53aff0f8b3a");
        assertThat(Fingerprint.of("kind", "x".repeat(20_000) + "é")).isEqualTo("e32fe4c7f98944090a0cd94fe165ad22");
    }

    @Test
    void valuesThatAreNotAsciiOrLongAreEncodedAsUtf8WithTheirLengthInChars() {
        String accents = "ça, déjà vu – ✓ 𝄞";
        String longValue = "x".repeat(20_000) + "é";
        assertThat(Fingerprint.of("kind", accents)).isNotEqualTo(Fingerprint.of("kind", accents + " "))
                .isEqualTo(Fingerprint.of("kind", accents));
        assertThat(Fingerprint.of("kind", longValue)).isNotEqualTo(Fingerprint.of("kind", "x".repeat(20_001)));
        // a value is never confused with two: every scalar carries its length
        assertThat(Fingerprint.of("kind", List.of("a, b"))).isNotEqualTo(Fingerprint.of("kind", List.of("a", "b")));
        assertThat(Fingerprint.of("kind", 12L)).isNotEqualTo(Fingerprint.of("kind", "12"));
    }

    @Test
    void aFingerprintStartedWhileAnotherIsOpenOnTheSameThreadDoesNotDisturbIt() {
        Fingerprint outer = Fingerprint.start("outer").add("a");
        String inner = Fingerprint.of("inner", "b");
        assertThat(outer.add("c").hex()).isEqualTo(Fingerprint.of("outer", "a", "c"));
        assertThat(inner).isEqualTo(Fingerprint.of("inner", "b"));
    }

    private static String word(Random random) {
        StringBuilder sb = new StringBuilder();
        for (int i = random.nextInt(30); i > 0; i--) {
            int kind = random.nextInt(20);
            sb.append(kind == 0 ? (char) (0x80 + random.nextInt(0x700)) : (char) ('!' + random.nextInt(90)));
        }
        return sb.toString();
    }
}

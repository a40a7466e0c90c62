package io.thalassa.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChecksTest {
    /** The specification the hand-written checks must agree with. */
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,99}");

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "0.0.0.0", "255.255.255.255", "1.2.3.4"})
    void dottedQuadsAreIpv4(String value) {
        assertThat(Checks.isIpv4(value)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"256.0.0.1", "1.2.3", "1.2.3.4.", ".1.2.3", "01.2.3.4", "1..2.3", "1.2.3.4.5", "a.b.c.d",
            "", "1.2.3.1000"})
    void othersAreNot(String value) {
        assertThat(Checks.isIpv4(value)).isFalse();
    }

    @Test
    void handWrittenChecksAgreeWithTheirRegexOnSeededRandomInput() {
        Random random = new Random(20261122);
        String alphabet = "0123456789.:-_aZ#";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = random.nextInt(17);
            for (int j = 0; j < len; j++) {
                sb.append(alphabet.charAt(random.nextInt(i % 2 == 0 ? 11 : alphabet.length())));
            }
            String s = sb.toString();
            assertThat(Checks.isIpv4(s)).as(s).isEqualTo(IPV4.matcher(s).matches());
            boolean identifier = IDENTIFIER.matcher(s).matches();
            if (identifier) {
                assertThat(Checks.identifier("key", s)).isEqualTo(s);
            } else {
                assertThatThrownBy(() -> Checks.identifier("key", s)).as(s).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @Test
    void quoteMakesControlCharactersVisible() {
        assertThat(Checks.quote("a\nb\u0000")).isEqualTo("\"a\\nb\\u0000\"");
    }

    @org.junit.jupiter.api.Test
    void wholeNumbersAreIntegersOrAsciiDigitStringsAndNothingElse() {
        org.assertj.core.api.Assertions.assertThat(Checks.wholeNumber("port", 80)).isEqualTo(80);
        org.assertj.core.api.Assertions.assertThat(Checks.wholeNumber("port", "5000")).isEqualTo(5000);
        for (Object bad : new Object[] {80.9, 80.0, " 80", "80 ", "+80", "-1", "\u0661\u0668\u0663\u0669\u0669",
                "8e1", "", true, "1234567890123456789"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Checks.wholeNumber("member port", bad))
                    .as(String.valueOf(bad))
                    .isInstanceOfSatisfying(io.thalassa.InvalidValueException.class, e -> {
                        org.assertj.core.api.Assertions.assertThat(e.field()).isEqualTo("member port");
                        org.assertj.core.api.Assertions.assertThat(e.value()).isEqualTo(bad);
                    });
        }
    }

    @org.junit.jupiter.api.Test
    void controlCharactersAndLoneSurrogatesAreRefusedAnywhere() {
        for (String bad : new String[] {"a\tb", "a\u0000", "\u007f", "\u0085x", "x\ud800", "\udc00y"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Checks.noControl("natives", bad))
                    .isInstanceOf(io.thalassa.InvalidValueException.class).hasMessageStartingWith("natives must not");
        }
        org.assertj.core.api.Assertions.assertThat(Checks.noControl("v", "caf\u00e9 \ud83d\ude00")).isNotNull();
    }

    @org.junit.jupiter.api.Test
    void aNameGivesTheRefusalItsPathAndTheSentenceItsLabel() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Checks.port(Checks.Name.of("port", "member port"), 0))
                .isInstanceOfSatisfying(io.thalassa.InvalidValueException.class, e -> {
                    org.assertj.core.api.Assertions.assertThat(e.field()).isEqualTo("port");
                    org.assertj.core.api.Assertions.assertThat(e.value()).isEqualTo(0);
                    org.assertj.core.api.Assertions.assertThat(e.reason()).isEqualTo("member port must be in 1..65535: 0");
                    org.assertj.core.api.Assertions.assertThat(e.missing()).isFalse();
                });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Checks.notNull(Checks.Name.of("rules[3]", "rule"), null))
                .isInstanceOfSatisfying(io.thalassa.InvalidValueException.class, e -> {
                    org.assertj.core.api.Assertions.assertThat(e.field()).isEqualTo("rules[3]");
                    org.assertj.core.api.Assertions.assertThat(e.reason()).isEqualTo("rule is required");
                    org.assertj.core.api.Assertions.assertThat(e.missing()).isTrue();
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"0177.0.0.1", "127.1", "2130706433", "0x7f.1", "0x7f000001", "127.0.0.256", "127.0.1",
            "1.2.3.4.5", "127.0.0.01", "127.0.0.1.", "0X7F.0.0.1", "app.0x1f"})
    void ambiguousIpv4SpellingsAreRefusedNamingTheField(String value) {
        assertThatThrownBy(() -> Checks.host("host", value))
                .isInstanceOfSatisfying(io.thalassa.InvalidValueException.class, e -> {
                    assertThat(e.field()).isEqualTo("host");
                    assertThat(e.value()).isEqualTo(value);
                    assertThat(e.getMessage()).contains("ambiguous IPv4").contains(value);
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "app1.svc.example", "app1.svc.example.", "1.example", "0x7g.example",
            "localhost", "::1", "a-1.b2"})
    void canonicalAddressesAndHostNamesPass(String value) {
        assertThat(Checks.host("host", value)).isEqualTo(value);
    }

    @Test
    void noSeededNumericSpellingPassesUnlessItIsADottedQuad() {
        Random random = new Random(21);
        String alphabet = "0123456789.x";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + random.nextInt(16);
            for (int j = 0; j < len; j++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String v = sb.toString();
            boolean passed;
            try {
                Checks.host("host", v);
                passed = true;
            } catch (IllegalArgumentException e) {
                passed = false;
            }
            if (passed && v.matches("[0-9.]+")) {
                assertThat(IPV4.matcher(v).matches()).as(v).isTrue();
            }
        }
    }
}

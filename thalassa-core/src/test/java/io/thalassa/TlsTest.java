package io.thalassa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

class TlsTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void certificatesByNameWithHttp2AndHttp11OfferedByDefault() throws Exception {
        Frontend f = Frontend.builder("web").bind("127.0.0.1:8443").defaultBackend("live")
                .tls(Tls.of("site", "legacy")).build();
        assertThat(f.tls().alpn()).containsExactly("h2", "http/1.1");
        String written = json.writeValueAsString(f);
        assertThat(written).contains("\"tls\":{\"certificates\":[\"site\",\"legacy\"],\"alpn\":[\"h2\",\"http/1.1\"]}");
        assertThat(json.readValue(written, Frontend.class)).isEqualTo(f);
        Frontend read = json.readValue("{\"key\":\"web\",\"bind\":\"127.0.0.1:8443\",\"backend\":\"live\","
                + "\"tls\":{\"certificates\":[\"site\"]}}", Frontend.class);
        assertThat(read.tls()).isEqualTo(Tls.of("site"));
        assertThat(json.writeValueAsString(Frontend.builder("plain").bind("127.0.0.1:80").defaultBackend("x")
                .build())).doesNotContain("tls");
        assertThat(Tls.of("site").withAlpn().alpn()).isEmpty();
    }

    @Test
    void everyEntryIsCheckedAndARefusalNamesItsPlace() {
        assertThatThrownBy(() -> Tls.of()).isInstanceOfSatisfying(InvalidValueException.class,
                e -> assertThat(e.field()).isEqualTo("certificates"));
        assertThatThrownBy(() -> Tls.of("ok", "../etc/passwd"))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> {
                    assertThat(e.field()).isEqualTo("certificates[1]");
                    assertThat(e.getMessage()).startsWith("tls.certificates[1] must be a certificate name");
                });
        assertThatThrownBy(() -> Tls.of("a", "a")).hasMessage("tls.certificates[1] repeats \"a\"");
        assertThatThrownBy(() -> Tls.of("a").withAlpn("h2", "h 3"))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.field()).isEqualTo("alpn[1]"));
        assertThatThrownBy(() -> new Tls(List.of("a"), null)).isInstanceOf(IllegalArgumentException.class);
    }
}

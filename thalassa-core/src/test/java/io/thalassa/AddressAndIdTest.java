package io.thalassa;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One way to write an address and one way to write an item's id, whoever writes them. */
class AddressAndIdTest {

    @Test
    void anAddressIsHostColonPortWithAnIpv6LiteralInBrackets() {
        assertThat(Member.addressOf("127.0.0.1", 80)).isEqualTo("127.0.0.1:80");
        assertThat(Member.addressOf("app.example.com", 8080)).isEqualTo("app.example.com:8080");
        assertThat(Member.addressOf("::1", 80)).isEqualTo("[::1]:80");
        assertThat(Member.addressOf("fe80::1:2", 443)).isEqualTo("[fe80::1:2]:443");
        assertThat(Member.of("::1", 9003).address()).isEqualTo("[::1]:9003");
    }

    @Test
    void aBindIsWrittenAsAnAddressHoweverItWasParsed() {
        assertThat(Bind.parse("::1:8080").toString()).isEqualTo("[::1]:8080");
        assertThat(Bind.parse("[::1]:8080").toString()).isEqualTo("[::1]:8080");
        assertThat(Bind.parse("*:80").toString()).isEqualTo("*:80");
        assertThat(new Bind("127.0.0.1", 1988).toString()).isEqualTo(Member.addressOf("127.0.0.1", 1988));
        Frontend f = Frontend.builder("www").bind("127.0.0.1:18081,::1:18081").defaultBackend("x").build();
        assertThat(f.bind()).isEqualTo("127.0.0.1:18081,[::1]:18081");
        assertThat(Bind.parseList(f.bind())).isEqualTo(f.binds());
    }

    @Test
    void anItemIdIsItsKindSlashItsKey() {
        assertThat(Backend.idOf("live")).isEqualTo("backend/live")
                .isEqualTo(Backend.staticBackend("live").build().id());
        assertThat(Frontend.idOf("web")).isEqualTo("frontend/web")
                .isEqualTo(Frontend.builder("web").bind("*:80").defaultBackend("live").build().id());
    }
}

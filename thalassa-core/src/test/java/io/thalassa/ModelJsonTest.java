package io.thalassa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The model's JSON without a library; {@code ModelJsonParityTest} (thalassa-haproxy) holds it to the mapper's. */
class ModelJsonTest {
    @Test
    void writesTheRestShapesWithDefaultsFilledIn() {
        Frontend f = Frontend.builder("web").bind("127.0.0.1:8080").defaultBackend("app").build();
        assertThat(ModelJson.write(f)).isEqualTo("{\"id\":\"frontend/web\",\"_type\":\"frontend\",\"key\":\"web\","
                + "\"name\":\"web\",\"bind\":\"127.0.0.1:8080\",\"backend\":\"app\",\"mode\":\"http\","
                + "\"keepalive\":\"default\",\"rules\":[],\"natives\":[]}");
        Backend b = Backend.staticBackend("app").member(Member.of("127.0.0.1", 9000))
                .slowstart(Duration.ZERO).build();
        assertThat(ModelJson.write(b)).isEqualTo("{\"id\":\"backend/app\",\"_type\":\"backend\",\"key\":\"app\","
                + "\"type\":\"static\",\"balance\":\"roundrobin\",\"host\":null,\"mode\":\"http\",\"slowstart\":0,"
                + "\"natives\":[],\"members\":[{\"host\":\"127.0.0.1\",\"port\":9000,\"id\":\"127.0.0.1:9000\"}]}");
        assertThat(ModelJson.frontend(ModelJson.write(f))).isEqualTo(f);
        assertThat(ModelJson.backend(ModelJson.write(b))).isEqualTo(b);
    }

    @Test
    void readsWhatRealClientsSendAsTheMapperDoes() {
        Backend b = ModelJson.backend("{\"key\":\"web\",\"type\":\"dynamic\",\"name\":\"web\",\"version\":\"1.0.0\","
                + "\"health\":{\"interval\":\"5000\"},\"slowstart\":\"2500\"}");
        assertThat(b.health().interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(b.slowstart()).isEqualTo(Duration.ofMillis(2500));
        assertThat(b.serviceVersion()).isEqualTo("1.0.0");
    }

    @Test
    void namesTheFieldAtFault() {
        assertThatThrownBy(() -> ModelJson.frontend("{\"key\":\"web\",\"bind\":5}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("bind: must be text, not 5");
        assertThatThrownBy(() -> ModelJson.frontend(
                "{\"key\":\"web\",\"bind\":\"*:80\",\"backend\":\"b\",\"colour\":\"red\"}"))
                .hasMessageStartingWith("colour: unknown field \"colour\"; known fields: _type, backend, bind");
        assertThatThrownBy(() -> ModelJson.frontend("{\"key\":\"f\",\"bind\":\"*:80\",\"rules\":[{\"type\":\"path\","
                + "\"operation\":\"path\",\"value\":\"/\",\"backend\":\"b\"},{\"type\":\"path\",\"operation\":\"path\","
                + "\"value\":\"/\",\"backend\":\"no good\"}]}"))
                .hasMessageStartingWith("rules[1].backend: ");
        assertThatThrownBy(() -> ModelJson.backend(List.of(), "backends[0]"))
                .hasMessage("backends[0]: must be an object, not an array");
        assertThatThrownBy(() -> ModelJson.backend("{\"key\":\"b\",\"type\":\"static\",\"natives\":[\"x\",1]}"))
                .hasMessage("natives[1]: must be text, not 1");
        assertThatThrownBy(() -> ModelJson.backend("{\"key\":\"b\",\"key\":\"c\",\"type\":\"static\"}"))
                .hasMessageContaining("duplicate field \"key\"");
    }
}

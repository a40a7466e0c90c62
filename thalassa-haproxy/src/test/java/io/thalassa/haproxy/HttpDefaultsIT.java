package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.Rule;
import io.thalassa.ThalassaConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** HAProxy's HTTP defaults as rendered, against the real HAProxy: keep-alive on both sides, also with rules. */
class HttpDefaultsIT extends ControllerTraffic {

    @Test
    void keepAliveClientsReuseServerConnectionsAlsoBehindRoutingRules() throws Exception {
        TestApp app = new TestApp("app", 200);
        servers.add(app);
        TestApp api = new TestApp("api", 200);
        servers.add(api);
        ThalassaConfig config = ThalassaConfig.empty()
                .withBackend(Backend.staticBackend("site").member("127.0.0.1", app.port()).build())
                .withBackend(Backend.staticBackend("api").member("127.0.0.1", api.port()).build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("site")
                        .rule(Rule.pathBegins("/api/", "api")).build());
        controller = fx.builder().build().start(config);

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        int connectionsBefore = app.connections(); // health checks open their own
        for (int i = 0; i < 1000; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/page/" + i)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("app");
        }
        assertThat(app.traffic()).isEqualTo(1000);
        // a connection per request with http-server-close; reused with keep-alive (checks open a few more)
        assertThat(app.connections() - connectionsBefore).isLessThan(10);
        assertThat(controller.configText()).doesNotContain("http-server-close").contains("http-reuse safe");
    }
}

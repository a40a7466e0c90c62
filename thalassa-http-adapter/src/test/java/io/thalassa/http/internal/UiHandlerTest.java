package io.thalassa.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.ThalassaConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UiHandlerTest {
    @Test
    void servesThePageItsFilesAndTheVendoredLibrariesOnly() {
        assertThat(UiHandler.resource("/")).isEqualTo("io/thalassa/http/ui/index.html");
        assertThat(UiHandler.resource("/docs")).isEqualTo("io/thalassa/http/ui/docs.html");
        assertThat(UiHandler.resource("/ui/app.js")).isEqualTo("io/thalassa/http/ui/app.js");
        assertThat(UiHandler.resource("/ui/vendor/uPlot.esm.js")).matches(
                "META-INF/resources/webjars/uplot/[0-9.]+/dist/uPlot.esm.js");
        assertThat(UiHandler.resource("/ui/vendor/swagger-ui-bundle.js")).matches(
                "META-INF/resources/webjars/swagger-ui/[0-9.]+/swagger-ui-bundle.js");
        assertThat(UiHandler.resource("/ui/../openapi.json")).isNull();
        assertThat(UiHandler.resource("/ui/%2e%2e/x.js")).isNull();
        assertThat(UiHandler.resource("/ui/vendor/other.js")).isNull();
        assertThat(UiHandler.resource("/backends")).isNull();
        assertThat(UiHandler.resource("/openapi.json")).isNull();
    }

    @Test
    void theJarHoldsEveryFileThePagesLoad() {
        for (String path : List.of("/", "/docs", "/ui/app.js", "/ui/app.css", "/ui/state.js", "/ui/overview.js",
                "/ui/activity.js", "/ui/pages.js", "/ui/chart.js", "/ui/paged.js", "/ui/dom.js", "/ui/connection.js",
                "/ui/docs.js", "/ui/docs.css", "/ui/favicon.svg", "/ui/vendor/uPlot.esm.js", "/ui/vendor/uPlot.min.css",
                "/ui/vendor/swagger-ui-bundle.js", "/ui/vendor/swagger-ui.css")) {
            assertThat(UiHandler.class.getClassLoader().getResource(UiHandler.resource(path))).as(path).isNotNull();
        }
    }

    @Test
    void thePolicyAllowsNoInlineScriptAndNothingFromElsewhere() {
        assertThat(UiHandler.CSP).contains("script-src 'self'", "connect-src 'self'", "default-src 'self'")
                .doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:");
    }

    @Test
    void configPushesSendOnlyWhatChanged() {
        ThalassaConfig a = ThalassaConfig.empty().withBackend(Backend.staticBackend("x").member("127.0.0.1", 1).build())
                .withBackend(Backend.staticBackend("y").member("127.0.0.1", 2).build());
        ThalassaConfig b = a.withoutBackend("y").withBackend(Backend.staticBackend("z").member("127.0.0.1", 3).build());
        Map<String, Object> delta = ConfigPush.delta(a, b);
        assertThat(List.<Object>copyOf(((Map<?, ?>) delta.get("backends")).keySet())).containsExactly("z");
        assertThat(delta.get("removed")).isEqualTo(Map.of("frontends", List.of(), "backends", List.of("y")));
        assertThat(ConfigPush.delta(a, a)).isNull();
        assertThat(List.<Object>copyOf(((Map<?, ?>) ConfigPush.full(a).get("backends")).keySet())).containsExactly("x", "y");
    }
}

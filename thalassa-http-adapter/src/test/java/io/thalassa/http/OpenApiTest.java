package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.http.internal.RestApi;
import io.thalassa.http.internal.Router;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** /openapi.json lists exactly the routes the routers know. */
class OpenApiTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    private static Set<String> documented() throws Exception {
        JsonNode doc = Http.JSON.readTree(RestApi.openApiDocument());
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        Set<String> routes = new TreeSet<>();
        Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").properties().iterator();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().propertyNames().forEach(m -> {
                if (METHODS.contains(m)) {
                    routes.add(m.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey());
                }
            });
        }
        return routes;
    }

    private static Set<String> routed(Router router) {
        return router.routes().stream().map(r -> r.method() + " " + r.template())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyRouteOfTheMainPortIsDocumentedAndNothingElse() throws Exception {
        RestApi api = new RestApi(null, java.util.Map.of(), null);
        assertThat(documented()).isEqualTo(routed(api.mainRouter()));
    }

    @Test
    void theRegistrationPortServesADocumentedSubset() throws Exception {
        RestApi api = new RestApi(null, java.util.Map.of(), null);
        Set<String> registration = routed(api.registrationRouter());
        assertThat(registration).isNotEmpty().allMatch(r -> r.contains(" /registrations"));
        assertThat(documented()).containsAll(registration);
    }

    @Test
    void everyReferencedSchemaExists() throws Exception {
        String text = new String(RestApi.openApiDocument(), java.nio.charset.StandardCharsets.UTF_8);
        JsonNode doc = Http.JSON.readTree(text);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("#/components/(schemas|parameters)/([A-Za-z]+)")
                .matcher(text);
        while (m.find()) {
            assertThat(doc.get("components").get(m.group(1)).has(m.group(2))).as(m.group()).isTrue();
        }
    }

    @Test
    void everyOperationDocumentsTheStatusesEveryRequestCanGet() throws Exception {
        JsonNode doc = Http.JSON.readTree(RestApi.openApiDocument());
        Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").properties().iterator();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().properties().forEach(op -> {
                if (!METHODS.contains(op.getKey())) {
                    return;
                }
                Set<String> statuses = new TreeSet<>();
                op.getValue().get("responses").propertyNames().forEach(statuses::add);
                String what = op.getKey() + " " + path.getKey();
                assertThat(statuses).as(what + ": protected mode").contains("403");
                if (!path.getKey().startsWith("/health") && !path.getKey().equals("/openapi.json")) {
                    assertThat(statuses).as(what + ": tokens").contains("401", "500");
                }
                if (!op.getKey().equals("get")) {
                    assertThat(statuses).as(what + ": bodies").contains("400", "413", "415");
                }
            });
        }
    }
}

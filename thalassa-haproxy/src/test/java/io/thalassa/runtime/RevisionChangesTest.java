package io.thalassa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A revision's item, field by field: what the history's diff shows a Java caller and the REST API alike. */
class RevisionChangesTest {
    @Test
    void aChangedItemListsOnlyTheFieldsThatDifferInTheDocumentsOrder() {
        Revision.Item item = new Revision.Item("backend/pool",
                "{\"type\":\"static\",\"balance\":\"roundrobin\",\"members\":[{\"host\":\"127.0.0.1\",\"port\":8080}],"
                        + "\"health\":{\"interval\":\"2000\"}}",
                "{\"type\":\"static\",\"balance\":\"leastconn\",\"members\":[{\"host\":\"127.0.0.1\",\"port\":8080},"
                        + "{\"host\":\"127.0.0.1\",\"port\":8081}],\"natives\":[\"timeout server 7s\"]}");
        assertThat(item.kind()).isEqualTo("changed");
        assertThat(item.changes()).containsExactly(
                new Revision.Change("balance", "\"roundrobin\"", "\"leastconn\""),
                new Revision.Change("members[1]", null, "{\"host\":\"127.0.0.1\",\"port\":8081}"),
                new Revision.Change("health", "{\"interval\":\"2000\"}", null),
                new Revision.Change("natives", null, "[\"timeout server 7s\"]"));
    }

    @Test
    void anAddedOrRemovedItemIsOneChangeOfTheWholeDocument() {
        String doc = "{\"bind\":\"127.0.0.1:8080\",\"backend\":\"web\"}";
        assertThat(new Revision.Item("frontend/web", null, doc).changes())
                .containsExactly(new Revision.Change("", null, doc));
        assertThat(new Revision.Item("frontend/web", doc, null).changes())
                .containsExactly(new Revision.Change("", doc, null));
    }

    @Test
    void equalDocumentsHaveNoChangesAndANestedFieldIsNamedByItsPath() {
        assertThat(new Revision.Item("backend/a", "{\"x\":{\"y\":[1,2]}}", "{\"x\":{\"y\":[1,2]}}").changes())
                .isEmpty();
        assertThat(new Revision.Item("backend/a", "{\"x\":{\"y\":[1,2]}}", "{\"x\":{\"y\":[1,3]}}").changes())
                .isEqualTo(List.of(new Revision.Change("x.y[1]", "2", "3")));
    }
}

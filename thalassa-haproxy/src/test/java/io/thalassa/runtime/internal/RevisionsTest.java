package io.thalassa.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.thalassa.runtime.Revision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history of the stored items: revisions, versions, going back, and the file across restarts. */
class RevisionsTest {
    @TempDir
    Path dir;

    @Test
    void everyChangeOfTheStoredItemsIsARevisionWithTheItemsItChangedBeforeAndAfter() {
        Revisions h = Revisions.inMemory(10);
        assertThat(h.record(Map.of(), 0, null, 0)).isEmpty();
        Revision r1 = h.record(Map.of("backend/web", "{\"v\":1}"), 0, "admin", 7).orElseThrow();
        assertThat(r1.number()).isEqualTo(1);
        assertThat(r1.by()).isEqualTo("admin");
        assertThat(r1.change()).isEqualTo(7);
        assertThat(r1.items()).containsExactly(new Revision.Item("backend/web", null, "{\"v\":1}"));
        assertThat(h.record(Map.of("backend/web", "{\"v\":1}"), 0, null, 8)).as("nothing changed").isEmpty();
        Revision r2 = h.record(Map.of("backend/web", "{\"v\":2}", "frontend/f", "{}"), 0, null, 9).orElseThrow();
        assertThat(r2.ids()).containsExactly("backend/web", "frontend/f");
        assertThat(r2.items().get(0).kind()).isEqualTo("changed");
        Revision r3 = h.record(Map.of("frontend/f", "{}"), 0, null, 10).orElseThrow();
        assertThat(r3.items()).containsExactly(new Revision.Item("backend/web", "{\"v\":2}", null));
        assertThat(h.list(10, 0)).extracting(Revision::number).containsExactly(3L, 2L, 1L);
        assertThat(h.list(10, 3)).extracting(Revision::number).containsExactly(2L, 1L);
    }

    @Test
    void anItemsVersionIsTheRevisionThatLastWroteItAndNothingElseChangesIt() {
        Revisions h = Revisions.inMemory(10);
        h.record(Map.of("backend/a", "1", "backend/b", "1"), 0, null, 0);
        h.record(Map.of("backend/a", "2", "backend/b", "1"), 0, null, 0);
        assertThat(h.version("backend/a")).isEqualTo(2);
        assertThat(h.version("backend/b")).isEqualTo(1);
        assertThat(h.version("backend/c")).isZero();
        h.record(Map.of("backend/a", "2"), 0, null, 0);
        assertThat(h.version("backend/b")).isZero();
        h.record(Map.of("backend/a", "2", "backend/b", "1"), 0, null, 0);
        assertThat(h.version("backend/b")).as("re-created: a new version").isEqualTo(4);
    }

    @Test
    void aFleetNumbersRevisionsByTheStoresIndexAndNeverGoesBack() {
        Revisions h = Revisions.inMemory(10);
        assertThat(h.record(Map.of("backend/a", "1"), 40, null, 0).orElseThrow().number()).isEqualTo(40);
        assertThat(h.record(Map.of("backend/a", "2"), 55, null, 0).orElseThrow().number()).isEqualTo(55);
        assertThat(h.record(Map.of("backend/a", "3"), 12, null, 0).orElseThrow().number()).isEqualTo(56);
    }

    @Test
    void onlyTheLastSizeRevisionsAreKeptAndTheOldestOneCanGoBackToIsTheOneBeforeThem() {
        Revisions h = Revisions.inMemory(3);
        for (int i = 1; i <= 6; i++) {
            h.record(Map.of("backend/a", Integer.toString(i)), 0, null, 0);
        }
        assertThat(h.list(10, 0)).extracting(Revision::number).containsExactly(6L, 5L, 4L);
        assertThat(h.oldest()).isEqualTo(3);
        assertThat(h.itemsAfter(3)).containsEntry("backend/a", "3");
        assertThat(h.get(3)).isEmpty();
        assertThatThrownBy(() -> h.itemsAfter(2)).isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("revision 2 is not in the history");
        assertThatThrownBy(() -> h.itemsAfter(7)).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void theHistoryAndTheVersionsSurviveARestartAndATornLastLine() throws IOException {
        try (Revisions h = Revisions.open(dir, 3)) {
            for (int i = 1; i <= 8; i++) {
                h.record(Map.of("backend/a", Integer.toString(i), "frontend/f", "x"), 0, "admin", i);
            }
        }
        Files.writeString(dir.resolve(Revisions.FILE_NAME), "{\"revision\":9,\"ti", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        try (Revisions h = Revisions.open(dir, 3)) {
            assertThat(h.latest()).isEqualTo(8);
            assertThat(h.list(10, 0)).extracting(Revision::number).containsExactly(8L, 7L, 6L);
            assertThat(h.version("frontend/f")).isEqualTo(1);
            assertThat(h.version("backend/a")).isEqualTo(8);
            assertThat(h.itemsAfter(6)).containsEntry("backend/a", "6");
            assertThat(h.get(7).orElseThrow().by()).isEqualTo("admin");
            assertThat(h.record(Map.of("backend/a", "9"), 0, null, 0).orElseThrow().number()).isEqualTo(9);
        }
        assertThat(Files.readAllLines(dir.resolve(Revisions.FILE_NAME)).size()).isLessThanOrEqualTo(2 * 3 + 1);
    }

    /**
     * The property of revert: for any sequence of writes (items added, changed, removed), the items right after
     * revision r are the items that were stored when r was recorded, for every r the history keeps; also after the
     * history is read back from its file.
     */
    @Test
    void forAnySequenceOfWritesTheItemsAfterRevisionRAreTheItemsOfR() {
        qt().withExamples(200).forAll(lists().of(integers().between(0, 59)).ofSizeBetween(1, 60),
                integers().between(1, 25)).checkAssert((writes, size) -> {
                    Path file;
                    try {
                        file = Files.createTempDirectory(dir, "h");
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    Map<Long, Map<String, String>> states = new TreeMap<>();
                    Map<String, String> items = new TreeMap<>();
                    try (Revisions h = Revisions.open(file, size)) {
                        for (int w : writes) {
                            String id = (w % 2 == 0 ? "frontend/" : "backend/") + "i" + (w % 6);
                            if (w >= 48) {
                                items.remove(id);
                            } else {
                                items.put(id, "{\"w\":" + w + "}");
                            }
                            h.record(items, 0, null, 0).ifPresent(r -> states.put(r.number(), Map.copyOf(items)));
                        }
                        check(h, states);
                    }
                    try (Revisions again = Revisions.open(file, size)) {
                        check(again, states);
                    }
                });
    }

    private static void check(Revisions h, Map<Long, Map<String, String>> states) {
        List<Long> kept = new ArrayList<>();
        h.list(1000, 0).forEach(r -> kept.add(r.number()));
        assertThat(kept.size()).isEqualTo(Math.min(states.size(), h.size()));
        for (long r : kept) {
            assertThat(h.itemsAfter(r)).as("after revision %d", r).isEqualTo(states.get(r));
        }
        if (h.oldest() > 0) {
            assertThat(h.itemsAfter(h.oldest())).isEqualTo(states.get(h.oldest()));
        }
    }
}

package io.thalassa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.ThalassaEvent;
import io.thalassa.ThalassaEvent.Verb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The activity feed in memory and on disk: ids, paging, filters, retention, compaction, torn lines. */
class ActivityLogTest {
    @TempDir
    Path dir;

    private static ActivityLog.Query newest(int limit) {
        return new ActivityLog.Query(limit, null, Set.of(), null);
    }

    @Test
    void entriesComeNewestFirstAndPageByBefore() {
        ActivityLog log = ActivityLog.inMemory(100);
        for (int i = 1; i <= 7; i++) {
            log.record(ThalassaEvent.now(i % 2 == 0 ? Verb.ONLINE : Verb.OFFLINE, "/a/1/127.0.0.1/" + i, ""));
        }
        ActivityLog.Page first = log.page(newest(3));
        assertThat(first.entries()).extracting(ActivityLog.Entry::id).containsExactly(7L, 6L, 5L);
        assertThat(first.nextBefore()).isEqualTo(5L);
        ActivityLog.Page last = log.page(new ActivityLog.Query(10, 3L, Set.of(), null));
        assertThat(last.entries()).extracting(ActivityLog.Entry::id).containsExactly(2L, 1L);
        assertThat(last.nextBefore()).isNull();
        assertThat(log.page(new ActivityLog.Query(10, null, Set.of("online"), null)).entries())
                .extracting(ActivityLog.Entry::id).containsExactly(6L, 4L, 2L);
        assertThat(log.page(new ActivityLog.Query(10, null, Set.of(), "127.0.0.1/3")).entries())
                .extracting(ActivityLog.Entry::id).containsExactly(3L);
    }

    @Test
    void retentionKeepsTheNewest() {
        ActivityLog log = ActivityLog.inMemory(5);
        for (int i = 0; i < 12; i++) {
            log.record(ThalassaEvent.now(Verb.STARTED, "thalassa", "run " + i));
        }
        assertThat(log.size()).isEqualTo(5);
        assertThat(log.page(newest(10)).entries()).extracting(ActivityLog.Entry::id)
                .containsExactly(12L, 11L, 10L, 9L, 8L);
    }

    @Test
    void theFileIsReadBackAndIdsContinue() throws Exception {
        try (ActivityLog log = ActivityLog.open(dir, 100)) {
            log.record(ThalassaEvent.now(Verb.CONFIG_APPLIED, "haproxy", "backend a added"));
            log.record(ThalassaEvent.now(Verb.ONLINE, "/a/1/127.0.0.1/80", ""));
        }
        try (ActivityLog log = ActivityLog.open(dir, 100)) {
            assertThat(log.size()).isEqualTo(2);
            ActivityLog.Entry e = log.record(ThalassaEvent.now(Verb.OFFLINE, "/a/1/127.0.0.1/80", ""));
            assertThat(e.id()).isEqualTo(3L);
            List<ActivityLog.Entry> all = log.page(newest(10)).entries();
            assertThat(all).extracting(ActivityLog.Entry::verb).containsExactly("offline", "online", "configApplied");
            assertThat(all.get(2).detail()).isEqualTo("backend a added");
        }
    }

    @Test
    void theFileIsCompactedToTheRetentionAtomically() throws Exception {
        try (ActivityLog log = ActivityLog.open(dir, 10)) {
            for (int i = 0; i < 95; i++) {
                log.record(ThalassaEvent.now(Verb.RUNTIME_CHANGE, "backend/a", "change " + i));
            }
            assertThat(Files.readAllLines(dir.resolve(ActivityLog.FILE_NAME)).size()).isBetween(10, 20);
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(ActivityLog.FILE_NAME);
        }
        try (ActivityLog log = ActivityLog.open(dir, 10)) {
            assertThat(log.page(newest(1)).entries().get(0).detail()).isEqualTo("change 94");
            assertThat(log.size()).isEqualTo(10);
        }
    }

    @Test
    void aTornLastLineIsSkipped() throws Exception {
        try (ActivityLog log = ActivityLog.open(dir, 100)) {
            log.record(ThalassaEvent.now(Verb.STARTED, "thalassa", ""));
        }
        Files.writeString(dir.resolve(ActivityLog.FILE_NAME), "{\"id\":2,\"time\":\"20",
                java.nio.file.StandardOpenOption.APPEND);
        try (ActivityLog log = ActivityLog.open(dir, 100)) {
            assertThat(log.size()).isEqualTo(1);
            assertThat(log.record(ThalassaEvent.now(Verb.STARTED, "thalassa", "")).id()).isEqualTo(2L);
        }
        try (ActivityLog log = ActivityLog.open(dir, 100)) {
            assertThat(log.size()).isEqualTo(2);
        }
    }

    @Test
    void listenersGetEveryEntryWithItsId() {
        ActivityLog log = ActivityLog.inMemory(10);
        List<Long> seen = new ArrayList<>();
        log.addListener(e -> seen.add(e.id()));
        log.onEvent(ThalassaEvent.now(Verb.STARTED, "thalassa", ""));
        log.onEvent(ThalassaEvent.now(Verb.STARTED, "thalassa", ""));
        assertThat(seen).containsExactly(1L, 2L);
    }
}

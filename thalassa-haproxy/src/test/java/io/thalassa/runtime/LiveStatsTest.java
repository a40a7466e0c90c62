package io.thalassa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.StatRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LiveStatsTest {
    private static final String HEADER = "# pxname,svname,scur,smax,slim,stot,status,lastchg,check_status,addr,type,"
            + "act,rate,req_rate\n";

    private final List<String> lines = new ArrayList<>();
    private ThalassaConfig config = ThalassaConfig.empty()
            .withFrontend(Frontend.builder("myapp").bind("127.0.0.1:18080").defaultBackend("web").build())
            .withBackend(Backend.staticBackend("web").member("127.0.0.1", 8081).member("127.0.0.1", 8082).build());
    private final LiveStats live = new LiveStats(() -> StatRow.parseCsv(HEADER + String.join("\n", lines)),
            () -> config, 3, java.time.Duration.ZERO);

    @SuppressWarnings("unchecked")
    private static Map<String, Object> backend(Map<String, Object> message, String key) {
        return (Map<String, Object>) ((Map<String, Object>) message.get("backends")).get(key);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> members(Map<String, Object> backend) {
        return (List<Map<String, Object>>) backend.get("members");
    }

    private void rows(String... rows) {
        lines.clear();
        lines.addAll(List.of(rows));
    }

    @Test
    void serverRowsAreTiedToMembersByAddressAndPlaceholdersAndTheStatsListenerAreHidden() {
        rows("stats,FRONTEND,1,1,100,5,OPEN,,,,0,,0,0",
                "myapp,FRONTEND,3,7,100,20,OPEN,,,,0,,2,4",
                "web,web_slot0,2,5,,9,UP,12,L7OK,127.0.0.1:8081,2,1,0,0",
                "web,web_slot1,0,0,,0,DOWN 1/2,3,L4CON,127.0.0.1:8082,2,0,0,0",
                "web,web_slot2,0,0,,0,MAINT,40,,127.0.0.1:1,2,0,0,0",
                "web,BACKEND,2,5,200,9,UP,12,,,1,1,0,0");
        Map<String, Object> m = live.poll();
        assertThat(new ArrayList<Object>(((Map<?, ?>) m.get("frontends")).keySet())).containsExactly("myapp");
        Map<String, Object> web = backend(m, "web");
        assertThat(web).containsEntry("healthy", 1).containsEntry("total", 2).containsEntry("limit", 200L);
        List<Map<String, Object>> members = members(web);
        assertThat(members).extracting(x -> x.get("addr")).containsExactly("127.0.0.1:8081", "127.0.0.1:8082");
        assertThat(members.get(0)).containsEntry("member", Member.of("127.0.0.1", 8081).id()).containsEntry("status", "UP").containsEntry("check", "L7OK")
                .containsEntry("cur", 2L).containsEntry("max", 5L).containsEntry("lastChangeSeconds", 12L)
                .containsEntry("backendLimit", 200L);
        assertThat(members.get(1)).containsEntry("status", "DOWN").containsEntry("haproxyStatus", "DOWN 1/2");
        assertThat(live.memberStatus("web")).containsKeys(Member.of("127.0.0.1", 8081).id());
    }

    @Test
    void aServerThatIsNoLongerAMemberShowsAsDrainingAndAMemberHAProxyDoesNotShowYetAsPending() {
        config = config.withMembers("web", List.of(Member.of("127.0.0.1", 8082), Member.of("127.0.0.1", 8083)));
        rows("web,web_slot0,1,1,,1,DRAIN,1,L7OK,127.0.0.1:8081,2,0,0,0",
                "web,web_slot1,0,0,,0,no check,3,,127.0.0.1:8082,2,1,0,0",
                "web,BACKEND,1,1,10,1,UP,1,,,1,1,0,0");
        List<Map<String, Object>> members = members(backend(live.poll(), "web"));
        assertThat(members).extracting(x -> x.get("addr") + " " + x.get("status") + " " + x.get("draining"))
                .containsExactly("127.0.0.1:8081 DRAIN true", "127.0.0.1:8082 UP false",
                        "127.0.0.1:8083 PENDING false");
        assertThat(members.get(0).get("member")).isNull();
    }

    @Test
    void aPollSendsOnlyWhatChangedAndTheHistoryKeepsItsCapacity() {
        rows("web,web_slot0,0,0,,0,UP,1,L7OK,127.0.0.1:8081,2,1,0,0", "web,BACKEND,0,0,10,0,UP,1,,,1,1,0,0");
        assertThat(live.poll().get("backends")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsKey("web");
        assertThat(live.poll().get("backends")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .isEmpty();
        rows("web,web_slot0,4,4,,4,UP,1,L7OK,127.0.0.1:8081,2,1,0,0", "web,BACKEND,4,4,10,4,UP,1,,,1,1,0,0");
        assertThat(live.poll().get("backends")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsKey("web");
        live.poll();
        assertThat(live.history().size()).isEqualTo(3);
        Map<String, Object> columns = live.history().columns(0);
        assertThat((long[]) columns.get("times")).hasSize(3);
        Map<?, ?> web = (Map<?, ?>) ((Map<?, ?>) columns.get("backends")).get("web");
        assertThat((Integer[]) web.get("cur")).containsExactly(0, 4, 4);
    }

    @Test
    void statusIsOneWord() {
        assertThat(LiveStats.status("UP 1/3")).isEqualTo("UP");
        assertThat(LiveStats.status("DOWN 1/2")).isEqualTo("DOWN");
        assertThat(LiveStats.status("no check")).isEqualTo("UP");
        assertThat(LiveStats.status("MAINT (via web/x)")).isEqualTo("MAINT");
        assertThat(LiveStats.status("NOLB")).isEqualTo("NOLB");
        assertThat(LiveStats.status("")).isEqualTo("UNKNOWN");
    }

    @Test
    void aSplitBackendShowsTheShareEachVersionServedOverTheLastMinute() {
        config = ThalassaConfig.empty().withBackend(Backend.dynamic("web").service("app", "1.0.0").build()
                .withSplit(Map.of("1.0.0", 90, "2.0.0", 10)).withMembers(List.of(
                        Member.registered("app", "1.0.0", "127.0.0.1", 8081, null, null),
                        Member.registered("app", "2.0.0", "127.0.0.1", 8082, null, null))));
        rows("web,web_slot1,0,1,,100,UP,12,L7OK,127.0.0.1:8081,2,1,0,0",
                "web,web_slot2,0,1,,7,UP,12,L7OK,127.0.0.1:8082,2,1,0,0",
                "web,BACKEND,0,1,200,107,UP,12,,,1,1,0,0");
        Map<String, Object> first = backend(live.poll(), "web");
        assertThat(first.get("split").toString()).isEqualTo("{requested={1.0.0=90, 2.0.0=10}, "
                + "served={1.0.0=null, 2.0.0=null}, requests=0, windowSeconds=0}");
        rows("web,web_slot1,0,1,,190,UP,12,L7OK,127.0.0.1:8081,2,1,0,0",
                "web,web_slot2,0,1,,17,UP,12,L7OK,127.0.0.1:8082,2,1,0,0",
                "web,BACKEND,0,1,200,207,UP,12,,,1,1,0,0");
        Map<String, Object> second = backend(live.poll(), "web");
        assertThat(second.get("split").toString()).startsWith("{requested={1.0.0=90, 2.0.0=10}, "
                + "served={1.0.0=90.0, 2.0.0=10.0}, requests=100, windowSeconds=");
        rows("web,web_slot1,0,1,,190,UP,12,L7OK,127.0.0.1:8081,2,1,0,0",
                "web,web_slot2,0,1,,117,UP,12,L7OK,127.0.0.1:8082,2,1,0,0",
                "web,BACKEND,0,1,200,307,UP,12,,,1,1,0,0");
        Map<String, Object> third = backend(live.poll(), "web");
        assertThat(third.get("split").toString()).as("counted from the oldest poll in the last minute")
                .startsWith("{requested={1.0.0=90, 2.0.0=10}, served={1.0.0=45.0, 2.0.0=55.0}, requests=200,");
    }

    @Test
    void aBackendWithoutASplitHasNoSplitEntry() {
        rows("web,web_slot0,2,5,,9,UP,12,L7OK,127.0.0.1:8081,2,1,0,0", "web,BACKEND,2,5,200,9,UP,12,,,1,1,0,0");
        assertThat(backend(live.poll(), "web")).doesNotContainKey("split");
    }
    /** Six backends of two servers, read in bounded polls above four servers, four servers a poll. */
    private final class Big implements LiveStats.Source {
        int full;
        int proxies;
        final List<List<String>> asked = new ArrayList<>();

        @Override
        public List<StatRow> all() {
            full++;
            return StatRow.parseCsv(HEADER + String.join("\n", lines));
        }

        @Override
        public List<StatRow> proxies() {
            proxies++;
            return StatRow.parseCsv(HEADER + String.join("\n", lines)).stream()
                    .filter(r -> r.type() != StatRow.Type.SERVER).toList();
        }

        @Override
        public List<StatRow> servers(List<StatRow> backends) {
            List<String> names = backends.stream().map(StatRow::proxy).toList();
            asked.add(names);
            return StatRow.parseCsv(HEADER + String.join("\n", lines)).stream()
                    .filter(r -> r.type() == StatRow.Type.SERVER && names.contains(r.proxy())).toList();
        }
    }

    private void bigConfig(String statusOfB3) {
        ThalassaConfig c = ThalassaConfig.empty();
        lines.clear();
        for (int b = 0; b < 6; b++) {
            c = c.withBackend(Backend.staticBackend("b" + b).member("127.0.0.1", 9000 + 10 * b)
                    .member("127.0.0.1", 9001 + 10 * b).build());
            for (int m = 0; m < 2; m++) {
                lines.add("b" + b + ",b" + b + "_slot" + m + ",0,0,,0," + (b == 3 ? statusOfB3 : "UP") + ",5,L4OK,"
                        + "127.0.0.1:" + (9000 + 10 * b + m) + ",2,1,0,0");
            }
            lines.add("b" + b + ",BACKEND,0,0,10,0,UP,5,,,1,1,0,0");
        }
        config = c;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> view(LiveStats l) {
        return (Map<String, Object>) l.full().get("backends");
    }

    @Test
    void aboveTheLimitAPollReadsTheProxiesAndSomeBackendsInTurnAndKeepsTheOthersRows() {
        bigConfig("UP");
        Big source = new Big();
        LiveStats bounded = new LiveStats(source, () -> config, 3, java.time.Duration.ZERO, 4, 4);
        bounded.poll(); // 12 servers seen: the next polls are bounded
        assertThat(source.full).isEqualTo(1);
        bounded.poll();
        assertThat(source.full).isEqualTo(1);
        assertThat(source.proxies).isEqualTo(1);
        assertThat(source.asked).containsExactly(List.of("b0", "b1"));
        assertThat(view(bounded)).hasSize(6); // the others from the rows read before
        assertThat(members(backend(bounded.full(), "b3"))).extracting(m -> m.get("status")).containsExactly("UP", "UP");

        bigConfig("DOWN"); // b3's servers go down: seen when its turn comes
        bounded.poll();
        assertThat(source.asked.get(1)).containsExactly("b2", "b3");
        assertThat(members(backend(bounded.full(), "b3"))).extracting(m -> m.get("status"))
                .containsExactly("DOWN", "DOWN");
        bounded.poll();
        bounded.poll();
        assertThat(source.asked.get(3)).containsExactly("b0", "b1");

        LiveStats whole = new LiveStats(source, () -> config, 3, java.time.Duration.ZERO);
        whole.poll();
        assertThat(bounded.full().get("backends")).isEqualTo(whole.full().get("backends"));
    }

    @Test
    void aboveTheLimitABackendWhoseMembersChangedIsReadAtEveryPollForAWhile() {
        bigConfig("UP");
        Big source = new Big();
        LiveStats bounded = new LiveStats(source, () -> config, 3, java.time.Duration.ZERO, 4, 4);
        bounded.poll();
        bounded.poll(); // b0, b1
        config = config.withMembers("b4", List.of(Member.of("127.0.0.1", 9040), Member.of("127.0.0.1", 9049)));
        lines.set(lines.indexOf("b4,b4_slot1,0,0,,0,UP,5,L4OK,127.0.0.1:9041,2,1,0,0"),
                "b4,b4_slot1,0,0,,0,UP,0,L4OK,127.0.0.1:9049,2,1,0,0");
        bounded.poll();
        assertThat(source.asked.get(1)).containsExactly("b4", "b2");
        assertThat(members(backend(bounded.full(), "b4"))).extracting(m -> m.get("addr") + " " + m.get("status"))
                .containsExactly("127.0.0.1:9040 UP", "127.0.0.1:9049 UP");
        bounded.poll();
        assertThat(source.asked.get(2)).containsExactly("b4", "b3");
    }
}

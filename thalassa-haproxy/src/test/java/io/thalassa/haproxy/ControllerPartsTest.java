package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.ConfigRejectedException;
import io.thalassa.haproxy.internal.ConfigCheck;
import io.thalassa.haproxy.internal.FileDescriptors;
import io.thalassa.haproxy.internal.HaproxyProcess;
import io.thalassa.haproxy.internal.SlotTable;
import io.thalassa.haproxy.internal.SlotTable.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The controller's pure parts: slot assignment, show stat and show proc parsing, haproxy -c output, descriptors. */
class ControllerPartsTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 2026})
    void assignKeepsSurvivorsInTheirSlotsAndTheSlotsHoldingMembersEqualTheWantedSet(long seed) {
        Random random = new Random(seed);
        SlotTable table = new SlotTable("live", 4);
        List<String> previous = List.of();
        for (int round = 0; round < 50; round++) {
            List<Endpoint> wanted = new ArrayList<>();
            for (int i = 0; i < random.nextInt(7); i++) {
                wanted.add(new Endpoint("127.0.0." + (1 + random.nextInt(5)), 8000 + random.nextInt(3)));
            }
            wanted = wanted.stream().distinct().toList();
            List<String> before = table.lines().stream().map(l -> l.name() + "=" + l.address()).toList();
            List<SlotTable.Change> changes = new ArrayList<>();
            List<Endpoint> homeless = table.assign(wanted, changes);
            if (!homeless.isEmpty()) {
                table.ensureCapacity(table.capacity() * 2);
                homeless = table.assign(wanted, changes);
            }
            assertThat(homeless).isEmpty();
            Set<String> active = table.slots().stream().filter(s -> s.state == SlotTable.State.ACTIVE
                    || s.state == SlotTable.State.JOINING).map(SlotTable.Slot::address)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(active).isEqualTo(wanted.stream().map(Endpoint::address)
                    .collect(Collectors.toCollection(TreeSet::new)));
            // a member that stays keeps its slot
            for (String line : before) {
                String address = line.substring(line.indexOf('=') + 1);
                if (active.contains(address)) {
                    assertThat(table.lines().stream().map(l -> l.name() + "=" + l.address())).contains(line);
                }
            }
            table.releaseDraining();
            table.slots().stream().filter(s -> random.nextBoolean() && s.state == SlotTable.State.JOINING)
                    .forEach(s -> s.state = SlotTable.State.ACTIVE); // some passed their first check
            previous = before;
        }
        assertThat(previous).isNotNull();
    }

    @Test
    void aMemberJoinsInDrainAndOneThatComesBackWhileDrainingWaitsForItsCheckInItsSlot() {
        SlotTable table = new SlotTable("live", 4);
        Endpoint a = new Endpoint("127.0.0.1", 8080);
        Endpoint b = new Endpoint("127.0.0.1", 8081);
        List<SlotTable.Change> joined = new ArrayList<>();
        table.assign(List.of(a), joined);
        assertThat(table.slots().get(0).state).isEqualTo(SlotTable.State.JOINING);
        assertThat(commands("live", joined, 4)).containsExactly("set server live/live_slot1 addr 127.0.0.1 port 8080",
                "set server live/live_slot1 state drain");
        assertThat(table.lines().get(0)).as("a reloaded worker starts it in maintenance")
                .isEqualTo(new ServerLine("live_slot1", "127.0.0.1", 8080, true));
        table.slots().get(0).state = SlotTable.State.ACTIVE; // its check passed
        table.assign(List.of(b), new ArrayList<>());
        assertThat(table.slots().get(0).state).isEqualTo(SlotTable.State.DRAINING);
        List<SlotTable.Change> changes = new ArrayList<>();
        table.assign(List.of(a, b), changes);
        assertThat(table.slots().get(0).state).isEqualTo(SlotTable.State.JOINING);
        assertThat(table.slots().get(0).address()).isEqualTo("127.0.0.1:8080");
        assertThat(changes).hasSize(1);
        assertThat(commands("live", changes, 4)).as("in drain already: nothing to send").isEmpty();
        assertThat(table.lines().get(2).disabled()).isTrue();
        assertThat(table.lines().get(2).address()).isEqualTo("127.0.0.1:1");
    }

    @Test
    void whenNoMemberWouldServeTheLeavingOnesServeUntilAJoiningOnePassesItsCheck() {
        SlotTable table = new SlotTable("live", 4);
        Endpoint v1 = new Endpoint("127.0.0.1", 8080);
        Endpoint v2 = new Endpoint("127.0.0.1", 9090);
        table.assign(List.of(v1), new ArrayList<>());
        table.slots().get(0).state = SlotTable.State.ACTIVE;
        List<SlotTable.Change> switched = new ArrayList<>();
        table.assign(List.of(v2), switched);
        SlotTable.holdLeavers(table, switched);
        assertThat(table.slots().get(0).state).isEqualTo(SlotTable.State.LEAVING);
        assertThat(table.slots().get(1).state).isEqualTo(SlotTable.State.JOINING);
        assertThat(commands("live", switched, 4)).containsExactly("set server live/live_slot2 addr 127.0.0.1 port 9090",
                "set server live/live_slot2 state drain");
        assertThat(table.lines().get(0).disabled()).as("it serves").isFalse();
        // a member serving beside a joining one: the leaving one drains at once
        SlotTable other = new SlotTable("other", 4);
        other.assign(List.of(v1, v2), new ArrayList<>());
        other.slots().forEach(s -> s.state = SlotTable.State.ACTIVE);
        List<SlotTable.Change> replaced = new ArrayList<>();
        other.assign(List.of(v2, new Endpoint("127.0.0.1", 7070)), replaced);
        SlotTable.holdLeavers(other, replaced);
        assertThat(other.slots().get(0).state).isEqualTo(SlotTable.State.DRAINING);
    }

    @Test
    void slotNamesParseBack() {
        assertThat(SlotTable.parseSlotName("my_backend_slot12")).containsExactly("my_backend", 12);
        assertThat(SlotTable.parseSlotName("live_127.0.0.1:80")).isNull();
    }

    @Test
    void showStatCsvBecomesTypedRows() {
        String csv = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,status,act,type,rate,check_status,req_rate,addr,\n"
                + "web,FRONTEND,,,3,9,2000,120,OPEN,,0,4,,5,,\n"
                + "live,live_slot1,0,0,1,2,,60,UP,1,2,1,L7OK,,127.0.0.1:8080,\n"
                + "live,live_slot2,0,0,0,0,,0,MAINT,0,2,0,,,127.0.0.1:1,\n"
                + "live,BACKEND,0,0,1,2,200,60,UP,1,1,1,,,,\n";
        List<StatRow> rows = StatRow.parseCsv(csv);
        assertThat(rows).hasSize(4);
        assertThat(rows.get(0).type()).isEqualTo(StatRow.Type.FRONTEND);
        assertThat(rows.get(0).currentSessions()).isEqualTo(3);
        assertThat(rows.get(0).requestRate()).isEqualTo(5);
        assertThat(rows.get(1).checkStatus()).isEqualTo("L7OK");
        StatsSnapshot s = StatsSnapshot.of(java.time.Instant.EPOCH, rows,
                r -> "127.0.0.1:1".equals(r.fields().get("addr")));
        assertThat(s.backends().get("live").total()).isEqualTo(1);
        assertThat(s.backends().get("live").healthy()).isEqualTo(1);
        assertThat(s.frontends().get("web").maxSessions()).isEqualTo(9);
        // every row's fields are the CSV's, by name, as a plain split would give them
        String[] header = csv.lines().findFirst().orElseThrow().substring(2).split(",", -1);
        List<String> lines = csv.lines().skip(1).toList();
        for (int r = 0; r < rows.size(); r++) {
            String[] values = lines.get(r).split(",", -1);
            java.util.Map<String, String> expected = new java.util.LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) {
                if (!header[i].isEmpty()) {
                    expected.put(header[i], values[i]);
                }
            }
            assertThat(rows.get(r).fields()).as("row %d", r).isEqualTo(expected)
                    .containsExactlyEntriesOf(expected);
            assertThat(rows.get(r).fields().get("nope")).isNull();
        }
        assertThat(StatRow.parseCsv("# a,b,type\nx,y\n")).as("a short line has no type").isEmpty();
        assertThat(StatRow.parseCsv("# pxname,type\nx,1,extra,fields\n").get(0).fields())
                .containsExactly(java.util.Map.entry("pxname", "x"), java.util.Map.entry("type", "1"));
    }

    @Test
    void haproxyCheckOutputGivesTheAlertAndTheLine() {
        String out = "[NOTICE]   (12) : haproxy version is 2.6.12\n"
                + "[ALERT]    (12) : config : parsing [haproxy.cfg:31] : unknown keyword 'bogus' in 'backend' section\n"
                + "[ALERT]    (12) : config : Error(s) found in configuration file : haproxy.cfg\n"
                + "[ALERT]    (12) : config : Fatal errors found in configuration.\n";
        ConfigRejectedException e = ConfigCheck.rejected(out);
        assertThat(e.haproxyMessage()).isEqualTo("config : parsing [haproxy.cfg:31] : unknown keyword 'bogus' in "
                + "'backend' section");
        assertThat(e.line()).isEqualTo(31);
    }

    @Test
    void showProcGivesReloadsFailedReloadsAndTheCurrentWorkers() {
        String answer = "#<PID>          <type>          <reloads>       <uptime>        <version>\n"
                + "12712           master          3 [failed: 1]   0d00h00m02s     2.6.12\n"
                + "# workers\n"
                + "12716           worker          1               0d00h00m02s     2.6.12\n"
                + "# old workers\n"
                + "12700           worker          2               0d00h00m09s     2.6.12\n"
                + "# programs\n";
        HaproxyProcess.ProcState state = HaproxyProcess.ProcState.parse(answer);
        assertThat(state.reloads()).isEqualTo(3);
        assertThat(state.failed()).isEqualTo(1);
        assertThat(state.workers()).containsExactly(12716L);
    }

    @Test
    void fileDescriptorsAreCountedAsHaproxyCountsMaxsock() {
        // measured with show info on HAProxy 2.6.12: maxconn 4096, 2 threads, 3 binds, 1 stats socket, 50 checked
        // servers, -W -S: Maxsock 8284
        assertThat(FileDescriptors.budget(4096, 2, 3, 1, 50, 20_000).needed()).isEqualTo(8284);
        assertThat(FileDescriptors.budget(4096, 2, 3, 1, 50, 8283).fits()).isFalse();
    }

    @Test
    void aWeightChangeIsOneCommandAndAJoiningMemberGetsItsWeightBeforeItLeavesMaintenance() {
        SlotTable table = new SlotTable("live", 4);
        List<SlotTable.Change> first = new ArrayList<>();
        table.assign(List.of(new Endpoint("127.0.0.1", 8080, 247)), first);
        assertThat(commands("live", first, 4)).containsExactly(
                "set server live/live_slot1 addr 127.0.0.1 port 8080",
                "set server live/live_slot1 weight 247",
                "set server live/live_slot1 state drain");
        List<SlotTable.Change> reweighed = new ArrayList<>();
        table.assign(List.of(new Endpoint("127.0.0.1", 8080, 52), new Endpoint("127.0.0.1", 8081, 1)), reweighed);
        assertThat(commands("live", reweighed, 4)).containsExactly(
                "set server live/live_slot1 weight 52",
                "set server live/live_slot2 addr 127.0.0.1 port 8081",
                "set server live/live_slot2 state drain");
        List<SlotTable.Change> same = new ArrayList<>();
        table.assign(List.of(new Endpoint("127.0.0.1", 8080, 52), new Endpoint("127.0.0.1", 8081, 1)), same);
        assertThat(same).isEmpty();
        assertThat(table.lines().get(0).weight()).isEqualTo(52);
    }

    @Test
    void serverLinesAndRuntimeCommandsWriteAddressesAsTheModelDoes() {
        assertThat(new ServerLine("s", "::1", 9003, false).address()).isEqualTo("[::1]:9003")
                .isEqualTo(io.thalassa.Member.addressOf("::1", 9003));
        assertThat(new ServerLine("s", "127.0.0.1", 80, false).address()).isEqualTo("127.0.0.1:80");
        assertThat(RuntimeApi.addServerCommand("live", "live_slot5", "::1", 8080, List.of("check")))
                .isEqualTo("add server live/live_slot5 [::1]:8080 check");
        SlotTable table = new SlotTable("live", 2);
        table.assign(List.of(new Endpoint("::1", 8080)), new ArrayList<>());
        assertThat(table.slots().get(0).address()).isEqualTo("[::1]:8080");
    }

    private static List<String> commands(String backend, List<SlotTable.Change> changes, int capacity) {
        List<String> out = new ArrayList<>();
        io.thalassa.haproxy.internal.ServerCommands.of(backend, changes, capacity).forEach(c -> out.addAll(c.commands()));
        return out;
    }
}

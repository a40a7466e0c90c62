package io.thalassa.haproxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.haproxy.ServerLine;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerStateFileTest {
    private static final String HEADER = "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state"
            + " srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health"
            + " srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord"
            + " srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n";

    private static String row(String server, String addr, int op, int admin, int port) {
        return "3 live 1 " + server + " " + addr + " " + op + " " + admin + " 1 1 12 15 3 0 6 0 0 0 - " + port
                + " - 0 0 - - 0\n";
    }

    @Test
    void rowsThatAgreeWithTheNewFileAreKeptTheOthersDropped() {
        String dump = HEADER
                + row("live_slot1", "127.0.0.1", 0, 0, 8081)        // DOWN member, same address: kept (stays DOWN)
                + row("live_slot2", "127.0.0.1", 2, 8, 8082)        // draining a member that left: dropped
                + row("live_slot3", "127.0.0.1", 2, 4, 8083)        // readied at run time, 'disabled' in the old file
                + row("live_slot4", "127.0.0.1", 2, 0, 9999)        // another port than the file's: dropped
                + row("live_slot5", "127.0.0.1", 0, 1, 1)           // an empty slot, as rendered: kept
                + row("live_slot6", "::1", 2, 0, 8086)              // the same IPv6 address written otherwise: kept
                + row("gone_slot1", "127.0.0.1", 2, 0, 8087);       // a backend the new file does not have: dropped
        Map<String, List<ServerLine>> next = Map.of("live", List.of(
                new ServerLine("live_slot1", "127.0.0.1", 8081, false),
                new ServerLine("live_slot2", "127.0.0.1", 1, true),
                new ServerLine("live_slot3", "127.0.0.1", 8083, false),
                new ServerLine("live_slot4", "127.0.0.1", 8084, false),
                new ServerLine("live_slot5", "127.0.0.1", 1, true),
                new ServerLine("live_slot6", "0:0:0:0:0:0:0:1", 8086, false)));
        String kept = ServerStateFile.consistent(dump, next);
        assertThat(kept).startsWith(HEADER);
        assertThat(kept.lines().skip(2).map(l -> l.split(" ")[3]).toList())
                .containsExactly("live_slot1", "live_slot3", "live_slot5", "live_slot6");
    }

    @Test
    void aJoiningMemberRenderedDisabledDoesNotKeepItsDrainOrItsUp() {
        // a member waiting for its first check is 'disabled' in the file and in drain in the worker: the new worker
        // starts it in maintenance, and the controller puts it back in drain for its check
        ServerLine joining = new ServerLine("live_slot1", "127.0.0.1", 8081, true);
        assertThat(ServerStateFile.agrees(joining, "127.0.0.1", 8081, 8)).isFalse();
        assertThat(ServerStateFile.agrees(joining, "127.0.0.1", 8081, 0)).isFalse();
        assertThat(ServerStateFile.agrees(joining, "127.0.0.1", 8081, 1)).isTrue();
    }
}

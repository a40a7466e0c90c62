package io.thalassa.haproxy.internal;

import io.thalassa.haproxy.RuntimeApi;
import io.thalassa.haproxy.RuntimeApi.ServerState;
import io.thalassa.haproxy.internal.SlotTable.Change;
import io.thalassa.haproxy.internal.SlotTable.Slot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runtime commands of one server, in the order they must run: each depends on the one before (a member is made
 * ready only where its address was set), so {@link RuntimeApplier#send} stops a server's commands at the first one
 * HAProxy refuses. Servers in {@link #LEAVE} go after every server in {@link #JOIN}, so a backend keeps a server
 * while members are replaced.
 *
 * @param backend  the backend
 * @param server   the server (slot)
 * @param phase    {@link #JOIN} or {@link #LEAVE}
 * @param commands the commands, in order
 */
public record ServerCommands(String backend, String server, int phase, List<String> commands) {
    /** Members joining, weights changing, slots added: first. */
    public static final int JOIN = 0;
    /** Members leaving, slots emptied: once the joins are done. */
    public static final int LEAVE = 1;

    public ServerCommands {
        commands = List.copyOf(commands);
    }

    /**
     * The commands of one backend's slot changes. A joining member gets its address and weight, then drain: out of
     * maintenance its checks run while it gets no request, and {@link #ready} follows once its first check passed. A
     * member that was draining and is wanted again waits in drain for its check like a joining one; a leaving one
     * keeps serving (no command); a joining one that is not wanted any more stays in drain until it is emptied.
     * Slots past {@code runningCapacity} are left out (they come with the next reload).
     */
    public static List<ServerCommands> of(String backend, List<Change> changes, int runningCapacity) {
        List<ServerCommands> out = new ArrayList<>(changes.size());
        for (Change c : changes) {
            Slot s = c.slot();
            if (s.index > runningCapacity) {
                continue;
            }
            List<String> cmds = new ArrayList<>(3);
            int phase = JOIN;
            SlotTable.State from = c.fromState();
            switch (s.state) {
                case JOINING -> {
                    if (from == SlotTable.State.FREE) {
                        cmds.add(RuntimeApi.setServerAddressCommand(backend, s.name, s.ip, s.port));
                    }
                    if (s.weight != c.fromWeight()) {
                        cmds.add(RuntimeApi.setServerWeightCommand(backend, s.name, s.weight));
                    }
                    if (from == SlotTable.State.FREE) { // one that was draining is in drain already
                        cmds.add(RuntimeApi.setServerStateCommand(backend, s.name, ServerState.DRAIN));
                    }
                }
                case ACTIVE, LEAVING -> {
                    if (s.weight != c.fromWeight()) {
                        cmds.add(RuntimeApi.setServerWeightCommand(backend, s.name, s.weight));
                    }
                    if (!from.serves()) {
                        cmds.add(RuntimeApi.setServerStateCommand(backend, s.name, ServerState.READY));
                    }
                }
                case DRAINING -> {
                    phase = LEAVE;
                    if (from.serves()) {
                        cmds.add(RuntimeApi.setServerStateCommand(backend, s.name, ServerState.DRAIN));
                    }
                }
                case FREE -> {
                    phase = LEAVE;
                    cmds.addAll(emptySlot(backend, s.name).commands());
                }
                default -> throw new IllegalStateException("slot state " + s.state);
            }
            if (!cmds.isEmpty()) {
                out.add(new ServerCommands(backend, s.name, phase, cmds));
            }
        }
        return out;
    }

    /** A member whose first check passed: in service ({@code slowstart} ramps its weight up from now). */
    public static ServerCommands ready(String backend, String server) {
        return new ServerCommands(backend, server, JOIN, List.of(RuntimeApi.setServerStateCommand(backend, server,
                ServerState.READY)));
    }

    /** A member put in drain: one leaving after a joining member passed its check, or one joining after a reload. */
    public static ServerCommands drain(String backend, String server, int phase) {
        return new ServerCommands(backend, server, phase, List.of(RuntimeApi.setServerStateCommand(backend, server,
                ServerState.DRAIN)));
    }

    /** Maintenance and the placeholder address: what an empty slot is at run time. */
    public static ServerCommands emptySlot(String backend, String server) {
        return new ServerCommands(backend, server, LEAVE, List.of(
                RuntimeApi.setServerStateCommand(backend, server, ServerState.MAINT),
                RuntimeApi.setServerAddressCommand(backend, server, SlotTable.PLACEHOLDER_IP,
                        SlotTable.PLACEHOLDER_PORT)));
    }

    /**
     * {@code add server} (a placeholder in maintenance, with {@code serverArgs}: the backend's check and what its
     * {@code default-server} lines say) and {@code enable health}, per slot.
     */
    public static List<ServerCommands> growth(String backend, List<Slot> added, List<String> serverArgs) {
        List<ServerCommands> out = new ArrayList<>(added.size());
        for (Slot s : added) {
            out.add(new ServerCommands(backend, s.name, JOIN, List.of(
                    RuntimeApi.addServerCommand(backend, s.name, SlotTable.PLACEHOLDER_IP, SlotTable.PLACEHOLDER_PORT,
                            serverArgs),
                    RuntimeApi.enableHealthCommand(backend, s.name))));
        }
        return out;
    }

    /** The list with the commands of each server joined (in the order they come), each server once. */
    public static List<ServerCommands> merged(List<ServerCommands> list) {
        Map<String, ServerCommands> byServer = new LinkedHashMap<>();
        for (ServerCommands c : list) {
            byServer.merge(c.backend + "/" + c.server, c, (a, b) -> {
                List<String> all = new ArrayList<>(a.commands);
                all.addAll(b.commands);
                return new ServerCommands(a.backend, a.server, Math.min(a.phase, b.phase), all);
            });
        }
        return new ArrayList<>(byServer.values());
    }

    /** A command HAProxy refused, and what it said; the server's later commands were not sent. */
    public record Refusal(String backend, String server, String command, String answer) {
        @Override
        public String toString() {
            return "'" + command + "': " + answer;
        }
    }
}

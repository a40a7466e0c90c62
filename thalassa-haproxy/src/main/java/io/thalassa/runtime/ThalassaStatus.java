package io.thalassa.runtime;

import io.thalassa.haproxy.ControllerStatus;
import io.thalassa.spi.RegistryHealth;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link Thalassa} says about itself: HAProxy's state, the registry's health and, in a fleet, this node's.
 *
 * @param haproxy      whether HAProxy runs the accepted configuration, pending and failed changes, reloads, servers,
 *                     the file-descriptor budget
 * @param masterPid    HAProxy's master process; 0 while none runs (from a crash until the controller started it again)
 * @param workerPids   its current workers (not old ones still finishing)
 * @param configFile   the haproxy.cfg HAProxy runs
 * @param logFile      where HAProxy's master writes what it says
 * @param registryKind {@code embedded}, {@code consul}...
 * @param registry     whether the registry can be reached, and since when
 * @param fleet        this node of a fleet (the revision it runs, the newest, stale, failure, the other nodes); empty
 *                     outside a fleet
 */
public record ThalassaStatus(ControllerStatus haproxy, long masterPid, List<Long> workerPids, Path configFile,
        Path logFile, String registryKind, RegistryHealth registry, Optional<Map<String, Object>> fleet) {

    public ThalassaStatus {
        workerPids = List.copyOf(workerPids);
    }

    /** Whether HAProxy runs the configuration last accepted: what a readiness check asks. */
    public boolean ready() {
        return haproxy.runsDesired() && masterPid > 0;
    }
}

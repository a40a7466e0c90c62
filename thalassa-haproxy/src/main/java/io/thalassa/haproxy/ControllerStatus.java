package io.thalassa.haproxy;

import java.util.List;
import java.util.Optional;

/**
 * Whether HAProxy runs the configuration last accepted, and if not, why: the truth {@code GET /status} reports.
 *
 * @param runsDesired      whether the running worker has the structure of the last accepted configuration
 * @param pending          changes accepted and waiting for a reload (the reload window, or the reload running), or
 *                         for their joining members' first check (at most the join timeout)
 * @param failed           the last change whose reload HAProxy refused, while HAProxy still does not run it
 * @param reloads          reloads done since the controller started
 * @param failedReloads    reloads HAProxy refused since the controller started
 * @param fileDescriptors  what the accepted configuration needs and the limit HAProxy has
 * @param servers          server slots in the accepted configuration
 */
public record ControllerStatus(boolean runsDesired, List<ChangeStatus> pending, Optional<ChangeStatus> failed,
        long reloads, long failedReloads, FileDescriptorBudget fileDescriptors, long servers) {
    public ControllerStatus {
        pending = List.copyOf(pending);
    }

    /**
     * The file descriptors a configuration needs, computed as HAProxy 2.6 computes its {@code maxsock}, and the hard
     * limit of the HAProxy process.
     *
     * @param needed    what the configuration needs
     * @param available the limit
     * @param detail    what the need is made of
     */
    public record FileDescriptorBudget(long needed, long available, String detail) {
        /** Whether the configuration fits. */
        public boolean fits() {
            return needed <= available;
        }
    }
}

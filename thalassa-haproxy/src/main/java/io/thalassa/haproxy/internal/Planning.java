package io.thalassa.haproxy.internal;

import io.thalassa.ThalassaConfig;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.function.Function;

/**
 * Plans a configuration against what the controller accepted: members' host names are resolved before the
 * controller's lock is taken (resolving can take seconds), then the plan is made and handed on under the lock. When
 * another change was accepted meanwhile and more backends need planning, those are resolved with the lock let go and
 * it is planned again: at most three rounds, then every backend is resolved.
 */
public final class Planning {
    private final Lock lock;
    private final ControllerState state;
    private final ChangePlanner planner;

    public Planning(Lock lock, ControllerState state, ChangePlanner planner) {
        this.lock = lock;
        this.state = state;
        this.planner = planner;
    }

    /**
     * Plans {@code next} and returns what {@code then} makes of the plan; both run under the lock.
     *
     * @param before runs first under the lock (e.g. to refuse when the controller is not started)
     */
    public <T> T plan(ThalassaConfig next, Runnable before, Function<ChangePlan, T> then) {
        return plan(next, before, then, null);
    }

    /**
     * {@link #plan(ThalassaConfig, Runnable, Function)}, and when {@code then} returns, the members it left out go to
     * {@code rejections} (still under the lock): what applying a change does.
     */
    public <T> T plan(ThalassaConfig next, Runnable before, Function<ChangePlan, T> then,
            MemberRejections rejections) {
        Endpoints endpoints = Endpoints.resolve(next, state.desired());
        for (int round = 1; ; round++) {
            Set<String> missing;
            lock.lock();
            try {
                before.run();
                missing = endpoints.missing(ChangePlanner.toPlan(state.desired(), state.slots(), next));
                if (missing.isEmpty()) {
                    T result = then.apply(planner.plan(state.basis(), next, endpoints));
                    if (rejections != null) {
                        rejections.accepted(next, endpoints);
                    }
                    return result;
                }
            } finally {
                lock.unlock();
            }
            endpoints = round < 3 ? endpoints.plus(next, missing) : Endpoints.resolve(next, null);
        }
    }
}

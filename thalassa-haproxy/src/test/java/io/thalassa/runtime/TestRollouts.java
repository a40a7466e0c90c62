package io.thalassa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.BooleanSupplier;

/** Waiting in the runtime's ITs: up to 2 minutes, the machine may be loaded. */
final class TestRollouts {
    private TestRollouts() {
    }

    static void await(BooleanSupplier condition) {
        RolloutIT.await(condition);
    }

    static void check(boolean b) {
        assertThat(b).isTrue();
    }
}

package io.thalassa.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.http.ActivityLog;
import io.thalassa.http.Backplane;
import io.thalassa.spi.Registry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /stats} before the first snapshot. The real controller polls HAProxy the moment it starts, so the window
 * before its first snapshot cannot be hit reliably with the real stack (the ITs cover the snapshot itself); this test
 * uses a backplane that has none.
 */
class StatsRouteTest {

    @Test
    void statsAre204WithAnEmptyBodyBeforeTheFirstSnapshot() throws Exception {
        ApiResponse none = get(new NoStatsYet(null));
        assertThat(none.status()).isEqualTo(204);
        assertThat(none.body()).isEmpty();
        ApiResponse some = get(new NoStatsYet(Map.of("frontends", Map.of())));
        assertThat(some.status()).isEqualTo(200);
        assertThat(new String(some.body(), StandardCharsets.UTF_8)).isEqualTo("{\"frontends\":{}}");
    }

    private static ApiResponse get(Backplane backplane) throws Exception {
        RestApi api = new RestApi(backplane, null, ActivityLog.inMemory(1), Map.of());
        return api.mainRouter().dispatch(new ApiRequest("GET", "/stats", Map.of(), Map.of(), name -> List.of(),
                new byte[0]));
    }

    private record NoStatsYet(Object snapshot) implements Backplane {
        @Override
        public ThalassaConfig config() {
            return ThalassaConfig.empty();
        }

        @Override
        public ThalassaConfig update(UnaryOperator<ThalassaConfig> change) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Registry registry() {
            throw new UnsupportedOperationException();
        }

        @Override
        public String haproxyConfig() {
            return "";
        }

        @Override
        public Optional<Object> stats() {
            return Optional.ofNullable(snapshot);
        }

        @Override
        public void addListener(ThalassaEvent.Listener listener) {
        }

        @Override
        public void removeListener(ThalassaEvent.Listener listener) {
        }
    }
}

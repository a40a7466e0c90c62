package io.thalassa.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.InvalidValueException;
import io.thalassa.ThalassaConfig;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Batches: every operation in order or none, each refusal naming its operation. */
class BatchTest {
    static final ThalassaConfig START = ThalassaConfig.empty()
            .withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())
            .withFrontend(Frontend.builder("old").bind("127.0.0.1:8080").defaultBackend("live").build());
    /** Versions as stored: live at 3, old at 5. */
    static final ItemVersions VERSIONS = id -> switch (id) {
        case "backend/live" -> 3;
        case "frontend/old" -> 5;
        default -> ItemVersions.ABSENT;
    };

    static Batch good() {
        return Batch.of()
                .put(Backend.staticBackend("web").member("127.0.0.1", 8081).build()).ifMatch(ItemVersions.ABSENT)
                .split("live", Map.of("1.0.0", 90, "2.0.0", 10)).ifMatch(3)
                .deleteFrontend("old").ifMatch(Batch.EXISTS)
                .put(Frontend.builder("new").bind("127.0.0.1:8090").defaultBackend("web").build());
    }

    @Test
    void everyOperationIsAppliedInOrder() {
        ThalassaConfig after = good().applyTo(START, VERSIONS);
        assertThat(after.backend("web")).isPresent();
        assertThat(after.backend("live").orElseThrow().split().orElseThrow().toString()).isEqualTo("1.0.0:90,2.0.0:10");
        assertThat(after.frontend("old")).isEmpty();
        assertThat(after.frontend("new")).isPresent();
    }

    /** One bad operation at each position of the good batch: the refusal names it, with why. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void oneBadOperationAtAnyPositionIsNamedWithItsReason(int position) {
        Batch good = good();
        Batch bad = Batch.of();
        for (int i = 0; i <= good.operations().size(); i++) {
            if (i == position) {
                bad = switch (position % 3) {
                    case 0 -> bad.switchVersion("nothing", "2.0.0");
                    case 1 -> bad.deleteBackend("live").ifMatch(2);
                    default -> bad.split("live", Map.of("1.0.0", 50, "2.0.0", 50)).ifMatch(99);
                };
            }
            if (i < good.operations().size()) {
                bad = with(bad, good.operations().get(i));
            }
        }
        Batch refused = bad;
        assertThatThrownBy(() -> refused.applyTo(START, VERSIONS)).isInstanceOfSatisfying(BatchException.class,
                e -> {
                    assertThat(e.index()).isEqualTo(position);
                    assertThat(e.getCause()).isInstanceOf(position % 3 == 0 ? NoSuchElementException.class
                            : VersionMismatchException.class);
                    assertThat(e.getMessage()).startsWith("operation " + position + " (");
                });
    }

    private static Batch with(Batch b, Batch.Operation op) {
        UnaryOperator<Batch> add = switch (op.kind()) {
            case PUT -> x -> op.item() instanceof Frontend f ? x.put(f) : x.put((Backend) op.item());
            case DELETE -> x -> op.id().startsWith("frontend/") ? x.deleteFrontend(op.id().substring(9))
                    : x.deleteBackend(op.id().substring(8));
            case SWITCH -> x -> x.switchVersion(op.id().substring(8), op.version());
            case SPLIT -> x -> x.split(op.id().substring(8), null, op.split());
        };
        Batch out = add.apply(b);
        return op.ifMatch() == Batch.ANY ? out : out.ifMatch(op.ifMatch());
    }

    @Test
    void aBatchHoldsOneToAHundredOperations() {
        assertThatThrownBy(() -> Batch.of().applyTo(START, VERSIONS)).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("1 to 100 operations");
        Batch full = Batch.of();
        for (int i = 0; i < Batch.MAX_OPERATIONS; i++) {
            full = full.switchVersion("live", "1.0." + i);
        }
        Batch hundred = full;
        assertThatThrownBy(() -> hundred.deleteBackend("live")).isInstanceOfSatisfying(InvalidValueException.class,
                e -> assertThat(e.field()).isEqualTo("operations"));
        assertThatThrownBy(() -> Batch.of().ifMatch(3)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anInvalidValueKeepsItsField() {
        Batch b = Batch.of().put(Backend.staticBackend("s").build()).switchVersion("s", "2.0.0");
        assertThatThrownBy(() -> b.applyTo(START, VERSIONS)).isInstanceOfSatisfying(BatchException.class, e -> {
            assertThat(e.index()).isEqualTo(1);
            assertThat(((InvalidValueException) e.getCause()).field()).isEqualTo("type");
        });
    }
}

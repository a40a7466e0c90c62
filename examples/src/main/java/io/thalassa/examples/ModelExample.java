package io.thalassa.examples;

import io.thalassa.Backend;
import io.thalassa.Balance;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.Rule;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.haproxy.RenderedConfig;
import java.time.Duration;

/**
 * The model alone, as the README's model section shows it: frontends and backends built in code, rendered to the
 * haproxy.cfg {@link io.thalassa.runtime.Thalassa} would run. Nothing is started.
 */
public final class ModelExample {
    private ModelExample() {
    }

    /** The model of the README: a live and a staged pool of the same app, routed by Host header. */
    public static ThalassaConfig model() {
        return ThalassaConfig.empty()
                .withBackend(Backend.dynamic("live").service("myapp", "1.0.0")
                        .balance(Balance.ROUNDROBIN)
                        .health(h -> h.uri("/health").interval(Duration.ofSeconds(5)))
                        .member(Member.registered("myapp", "1.0.0", "127.0.0.1", 8081, null, null))
                        .build())
                .withBackend(Backend.staticBackend("staged").member("127.0.0.1", 8082).build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:8080").defaultBackend("live")
                        .rule(Rule.header("host", Rule.Operation.HDR_DOM, "staged.example.com", "staged"))
                        .build());
    }

    public static void main(String[] args) {
        RenderedConfig cfg = HaproxyConfigRenderer.defaultTemplate().render(model(), HaproxySettings.defaults());
        System.out.print(cfg.text());
        cfg.warnings().forEach(w -> System.err.println("warning: " + w));
    }
}

package io.thalassa.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.runtime.Thalassa;
import io.thalassa.spi.ConfigStore;
import io.thalassa.spi.Registry;
import io.thalassa.spring.internal.ThalassaPropertyFailureAnalyzer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.SpringFactoriesLoader;

/**
 * The starter's conditions and its failure analysis, with no process started: every value here is refused before
 * HAProxy would be (the properties are set before the start, the config file is read before it).
 */
class ThalassaAutoConfigurationTest {
    private final Path work = Loopback.workDir("unit");
    /** The environment of the context last run (a failed context no longer gives it). */
    private final java.util.concurrent.atomic.AtomicReference<org.springframework.core.env.Environment> environment =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ThalassaAutoConfiguration.class,
                    ThalassaHealthAutoConfiguration.class, ThalassaActuatorAutoConfiguration.class))
            .withInitializer(c -> environment.set(c.getEnvironment()))
            .withPropertyValues("thalassa.work-dir=" + work, "thalassa.haproxy.binary=/nonexistent/haproxy");

    /** What the failure analyzer says of the context's start-up failure. */
    private FailureAnalysis analysis(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        FailureAnalysis a = new ThalassaPropertyFailureAnalyzer(environment.get())
                .analyze(context.getStartupFailure());
        assertThat(a).as("analysis of %s", context.getStartupFailure()).isNotNull();
        return a;
    }

    @Test
    void thalassaDisabledMakesNothing() {
        runner.withPropertyValues("thalassa.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(Thalassa.class).doesNotHaveBean(Registry.class)
                    .doesNotHaveBean(ConfigStore.class).doesNotHaveBean(ThalassaLifecycle.class)
                    .doesNotHaveBean(ThalassaHealthContributor.class);
        });
    }

    @Test
    void aValueTheLibraryRefusesNamesThePropertyTheValueAndTheLibrarysReason() {
        runner.withPropertyValues("thalassa.reload-window=90s").run(context -> {
            FailureAnalysis a = analysis(context);
            assertThat(a.getDescription()).contains("Property: thalassa.reload-window", "Value:    \"90s\"",
                    "Reason:   reloadWindow must be in 0..60000 ms: 90000 ms");
            assertThat(a.getAction()).contains("thalassa.reload-window");
        });
        runner.withPropertyValues("thalassa.activity-retention=0").run(context -> assertThat(analysis(context)
                .getDescription()).contains("thalassa.activity-retention", "activityRetention must be in 1..1000000: 0"));
        runner.withPropertyValues("thalassa.haproxy.stats-page=nowhere").run(context -> assertThat(analysis(context)
                .getDescription()).contains("Property: thalassa.haproxy.stats-page", "\"nowhere\""));
        runner.withPropertyValues("thalassa.haproxy.supervision-interval=1ms").run(context -> assertThat(
                analysis(context).getDescription()).contains("thalassa.haproxy.supervision-interval",
                        "supervisionInterval must be in 20.."));
        runner.withPropertyValues("thalassa.bind-address=not an address").run(context -> assertThat(
                analysis(context).getDescription()).contains("Property: thalassa.bind-address"));
    }

    @Test
    void haproxysTimeoutsAndMaxconnAreCheckedByHaproxysSettingsNamingTheProperty() {
        runner.withPropertyValues("thalassa.haproxy.timeout-connect=0ms").run(context -> assertThat(analysis(context)
                .getDescription()).contains("Property: thalassa.haproxy.timeout-connect",
                        "Reason:   timeoutConnect must be at least 1 ms: PT0S"));
        runner.withPropertyValues("thalassa.haproxy.timeout-tunnel=30d").run(context -> assertThat(analysis(context)
                .getDescription()).contains("Property: thalassa.haproxy.timeout-tunnel",
                        "timeoutTunnel must be at most 2147483647 ms"));
        runner.withPropertyValues("thalassa.haproxy.maxconn=0").run(context -> assertThat(analysis(context)
                .getDescription()).contains("Property: thalassa.haproxy.maxconn", "globalMaxconn must be >= 1: 0"));
        runner.withPropertyValues("thalassa.haproxy.maxconn=1000", "thalassa.haproxy.default-maxconn=5000")
                .run(context -> {
                    FailureAnalysis a = analysis(context);
                    assertThat(a.getDescription()).contains("Property: thalassa.haproxy.default-maxconn",
                            "it must not exceed thalassa.haproxy.maxconn (1000)");
                    assertThat(a.getAction()).contains("Lower thalassa.haproxy.default-maxconn");
                });
    }

    @Test
    void theAnalysisSaysWhereTheValueWasSet() {
        runner.withInitializer(c -> c.getEnvironment().getPropertySources().addFirst(new OriginTrackedMapPropertySource(
                "Config resource 'class path resource [application.yml]'", Map.of("thalassa.reload-window",
                        OriginTrackedValue.of("90s", new TextResourceOrigin(new ClassPathResource("application.yml"),
                                new TextResourceOrigin.Location(3, 17)))))))
                .run(context -> assertThat(analysis(context).getDescription())
                        .contains("Origin:   class path resource [application.yml] - 4:18"));
    }

    @Test
    void registrySettingsAreCheckedByTheirRegistrysBuilder() {
        runner.withPropertyValues("thalassa.registry.kind=consul", "thalassa.registry.consul.port=70000")
                .run(context -> assertThat(analysis(context).getDescription()).contains(
                        "Property: thalassa.registry.consul.port", "70000", "consul port must be in 1..65535: 70000"));
        runner.withPropertyValues("thalassa.registry.kind=zookeeper", "thalassa.registry.zookeeper.connect=:x:")
                .run(context -> assertThat(analysis(context).getDescription()).contains(
                        "Property: thalassa.registry.zookeeper.connect", "connect must be host:port"));
        runner.withPropertyValues("thalassa.registry.kind=zookeeper", "thalassa.registry.zookeeper.session-timeout=2s",
                "thalassa.registry.zookeeper.connection-timeout=3s").run(context -> assertThat(
                        analysis(context).getDescription()).contains(
                                "Property: thalassa.registry.zookeeper.connection-timeout",
                                "connectionTimeout must not be longer than sessionTimeout"));
        runner.withPropertyValues("thalassa.store.kind=consul", "thalassa.store.consul.prefix=/abs")
                .run(context -> assertThat(analysis(context).getDescription()).contains(
                        "Property: thalassa.store.consul.prefix", "prefix must be a relative KV path"));
    }

    @Test
    void aRegistryOrStoreWhoseModuleIsMissingSaysWhichDependencyToAdd() {
        runner.withClassLoader(new FilteredClassLoader("io.thalassa.consul."))
                .withPropertyValues("thalassa.registry.kind=consul").run(context -> {
                    FailureAnalysis a = analysis(context);
                    assertThat(a.getDescription()).contains("Property: thalassa.registry.kind", "\"consul\"",
                            "it needs io.thalassa:thalassa-consul, which is not on the classpath");
                    assertThat(a.getAction()).isEqualTo("Add the dependency io.thalassa:thalassa-consul to the"
                            + " application, or set thalassa.registry.kind=embedded.");
                });
        runner.withClassLoader(new FilteredClassLoader("io.thalassa.zookeeper."))
                .withPropertyValues("thalassa.registry.kind=zookeeper").run(context -> assertThat(
                        analysis(context).getDescription()).contains("io.thalassa:thalassa-zookeeper"));
        runner.withClassLoader(new FilteredClassLoader("io.thalassa.consul."))
                .withPropertyValues("thalassa.store.kind=consul").run(context -> assertThat(analysis(context)
                        .getAction()).contains("thalassa-consul", "thalassa.store.kind=file"));
    }

    @Test
    void httpEnabledWithoutTheAdapterSaysWhichDependencyToAdd() {
        runner.withClassLoader(new FilteredClassLoader("io.thalassa.http."))
                .withPropertyValues("thalassa.http.enabled=true").run(context -> {
                    FailureAnalysis a = analysis(context);
                    assertThat(a.getDescription()).contains("Property: thalassa.http.enabled", "\"true\"",
                            "it needs io.thalassa:thalassa-http-adapter, which is not on the classpath");
                    assertThat(a.getAction()).isEqualTo("Add the dependency io.thalassa:thalassa-http-adapter to"
                            + " the application, or set thalassa.http.enabled=false.");
                });
    }

    @Test
    void aConfigFileThatCannotBeReadOrIsInvalidIsRefusedBeforeHaproxyStarts() {
        runner.withPropertyValues("thalassa.config-file=" + work.resolve("missing.json")).run(context -> {
            FailureAnalysis a = analysis(context);
            assertThat(a.getDescription()).contains("Property: thalassa.config-file", "cannot be read: "
                    + work.resolve("missing.json") + " does not exist");
        });
        runner.withPropertyValues("thalassa.config-file=classpath:nothing-here.yml").run(context -> assertThat(
                analysis(context).getDescription()).contains("classpath:nothing-here.yml does not exist"));
        Path bad = Loopback.file("bad.json", "{\"backends\":[{\"key\":\"p\",\"type\":\"static\",\"balance\":\"x\"}]}");
        runner.withPropertyValues("thalassa.config-file=" + bad).run(context -> assertThat(analysis(context)
                .getDescription()).contains("Reason:   backends[0]: balance", "\"x\""));
        Path yaml = Loopback.file("bad.yml", "backends:\n  - key: live\n    type: dynamic\n    name: app\n"
                + "    version: 1.0\n");
        runner.withPropertyValues("thalassa.config-file=" + yaml).run(context -> assertThat(analysis(context)
                .getDescription()).contains("backends[0]: version"));
        Path twice = Loopback.file("twice.yml", "backends: []\nbackends: []\n");
        runner.withPropertyValues("thalassa.config-file=" + twice).run(context -> assertThat(analysis(context)
                .getDescription()).contains("not YAML", "duplicate key backends"));
        Path typo = Loopback.file("typo.yml", "frontend: []\n");
        runner.withPropertyValues("thalassa.config-file=" + typo).run(context -> assertThat(analysis(context)
                .getDescription()).contains("unknown field \"frontend\""));
    }

    @Test
    void aConfigFileIsReadFromTheClasspathInYaml() {
        io.thalassa.ThalassaConfig c = io.thalassa.spring.internal.ConfigFile.read("classpath:thalassa-static.yml",
                new org.springframework.core.io.DefaultResourceLoader()).config();
        assertThat(c.backend("pool").orElseThrow().members()).extracting(m -> m.port()).containsExactly(18080);
        assertThat(c.frontend("web").orElseThrow().bind().toString()).isEqualTo("127.0.0.1:18081");
    }

    @Test
    void theHealthAutoConfigurationIsSkippedUnreadWithoutSpringBootsHealthModule() throws Exception {
        java.util.Properties metadata = new java.util.Properties();
        try (var in = new ClassPathResource("META-INF/spring-autoconfigure-metadata.properties").getInputStream()) {
            metadata.load(in); // what Spring Boot's import filter reads before it reads a class
        }
        assertThat(metadata.getProperty("io.thalassa.spring.ThalassaHealthAutoConfiguration.ConditionalOnClass"))
                .isEqualTo("org.springframework.boot.health.contributor.HealthIndicator");
        assertThat(new String(new ClassPathResource(
                "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports").getInputStream()
                .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()).containsExactly(
                        "io.thalassa.spring.ThalassaAutoConfiguration", "io.thalassa.spring.ThalassaHealthAutoConfiguration",
                        "io.thalassa.spring.ThalassaActuatorAutoConfiguration");
    }

    @Test
    void theFailureAnalyzerIsRegistered() {
        assertThat(SpringFactoriesLoader.forDefaultResourceLocation().load(FailureAnalyzer.class,
                SpringFactoriesLoader.ArgumentResolver.of(org.springframework.core.env.Environment.class,
                        new org.springframework.core.env.StandardEnvironment()), (type, name, failure) -> { }))
                .hasAtLeastOneElementOfType(ThalassaPropertyFailureAnalyzer.class);
    }

    @Test
    void everyPropertyHasMetadataForIdeCompletion() throws Exception {
        String metadata = new String(new ClassPathResource("META-INF/spring-configuration-metadata.json")
                .getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(metadata).contains("\"thalassa.work-dir\"", "\"thalassa.haproxy.binary\"",
                "\"thalassa.registry.kind\"", "\"thalassa.registry.consul.host\"", "\"thalassa.registry.zookeeper.connect\"",
                "\"thalassa.store.kind\"", "\"thalassa.store.consul.prefix\"", "\"thalassa.tokens-file\"",
                "\"thalassa.http.enabled\"", "\"thalassa.config-file\"", "\"thalassa.haproxy.stop-on-shutdown\"",
                "\"thalassa.haproxy.timeout-client\"", "\"thalassa.haproxy.maxconn\"",
                "\"thalassa.haproxy.forward-for\"", "\"thalassa.haproxy.keep-server-state\"");
    }
}

package io.thalassa.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.EmbeddedRegistry;
import io.thalassa.consul.ConsulAgent;
import io.thalassa.consul.ConsulConfigStore;
import io.thalassa.consul.ConsulRegistry;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.http.ThalassaHttp;
import io.thalassa.micrometer.ThalassaMetrics;
import io.thalassa.runtime.FileConfigStore;
import io.thalassa.runtime.Thalassa;
import io.thalassa.spi.ConfigStore;
import io.thalassa.spi.Registry;
import io.thalassa.spring.internal.EarlyStart;
import io.thalassa.spring.internal.ThalassaPropertyFailureAnalyzer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The starter's beans and their backing off, each context running a real HAProxy on 127.0.0.1. */
class ThalassaAutoConfigurationIT {
    private final Path work = Loopback.workDir("auto");
    private final List<Long> haproxies = new ArrayList<>();
    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ThalassaAutoConfiguration.class,
                    ThalassaHealthAutoConfiguration.class, ThalassaActuatorAutoConfiguration.class))
            .withPropertyValues("thalassa.work-dir=" + work, "thalassa.haproxy.binary="
                    + NamedHttpServer.haproxyBinary());

    @AfterEach
    void stopWhatWasStarted() throws Exception {
        haproxies.forEach(Loopback::stop);
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
    }

    private long remember(Thalassa thalassa) {
        long pid = thalassa.status().masterPid();
        haproxies.add(pid);
        return pid;
    }

    private Thalassa started(Thalassa thalassa) {
        remember(thalassa);
        return thalassa;
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void theDefaultsAreAStartedThalassaWithAnEmbeddedRegistryAndAFileStoreThatLeavesHaproxyServing() {
        long[] pid = new long[1];
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            Thalassa thalassa = context.getBean(Thalassa.class);
            pid[0] = remember(thalassa);
            assertThat(thalassa.status().ready()).isTrue();
            assertThat(thalassa.workDir()).isEqualTo(work);
            assertThat(context.getBean(Registry.class)).isSameAs(thalassa.registry()).isInstanceOf(EmbeddedRegistry.class);
            assertThat(((EmbeddedRegistry) thalassa.registry()).stateFile()).isEqualTo(work.resolve("registrations.state"));
            assertThat(context.getBean(ConfigStore.class)).isSameAs(thalassa.store());
            assertThat(((FileConfigStore) thalassa.store()).file()).isEqualTo(work.resolve("config.json"));
            assertThat(context).hasSingleBean(ThalassaLifecycle.class).hasSingleBean(ThalassaEventRelay.class)
                    .hasSingleBean(ThalassaHealthContributor.class).hasSingleBean(ThalassaInfoContributor.class)
                    .hasSingleBean(ThalassaMetrics.class).doesNotHaveBean(ThalassaHttp.class);
            assertThat(context.getBean(ThalassaLifecycle.class).stopsHaproxy()).isFalse();
            assertThat(context.getBean(EarlyStart.class).startedEarly()).as("started ahead of its bean").isTrue();
        });
        assertThat(alive(pid[0])).as("HAProxy left serving after the context closed").isTrue();
    }

    /**
     * Without Spring Boot's health and actuator modules: the Thalassa, its lifecycle and its meters' binder (the
     * health auto-configuration is skipped before it is read: {@code ThalassaAutoConfigurationTest} checks its
     * metadata).
     */
    @Test
    void aHostWithoutActuatorGetsThalassaAndItsMetersBinderOnly() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ThalassaAutoConfiguration.class,
                ThalassaActuatorAutoConfiguration.class))
                .withClassLoader(new org.springframework.boot.test.context.FilteredClassLoader(
                        "org.springframework.boot.health.", "org.springframework.boot.actuate."))
                .withPropertyValues("thalassa.work-dir=" + work, "thalassa.haproxy.binary="
                        + NamedHttpServer.haproxyBinary(), "thalassa.haproxy.stop-on-shutdown=true").run(context -> {
                    assertThat(context).hasNotFailed();
                    started(context.getBean(Thalassa.class));
                    assertThat(context).doesNotHaveBean("thalassaInfoContributor").hasSingleBean(ThalassaLifecycle.class)
                            .hasSingleBean(ThalassaMetrics.class);
                });
    }

    @Test
    void stopOnShutdownStopsHaproxyWithTheApplication() {
        long[] pid = new long[1];
        runner.withPropertyValues("thalassa.haproxy.stop-on-shutdown=true").run(context -> {
            pid[0] = remember(context.getBean(Thalassa.class));
            assertThat(alive(pid[0])).isTrue();
        });
        Loopback.await(5, "HAProxy stopped with the context (and reaped)", () -> !alive(pid[0]));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnParts {
        static final EmbeddedRegistry REGISTRY = EmbeddedRegistry.create();
        static final FileConfigStore STORE = FileConfigStore.inMemory();

        @Bean
        Registry myRegistry() {
            return REGISTRY;
        }

        @Bean
        ConfigStore myStore() {
            return STORE;
        }

        @Bean
        HaproxySettings myHaproxySettings() {
            Path dir = Loopback.workDir("own-settings");
            return HaproxySettings.builder().statsSocket(dir.resolve("my.sock")).pidFile(dir.resolve("my.pid"))
                    .serverStateFile(dir.resolve("my.state")).statsListener(null).logTarget(null).build();
        }
    }

    @Test
    void theApplicationsRegistryStoreAndHaproxySettingsAreWhatThalassaIsBuiltWith() {
        runner.withPropertyValues("thalassa.haproxy.stop-on-shutdown=true", "thalassa.haproxy.timeout-server=9s")
                .withUserConfiguration(OwnParts.class).run(context -> {
                    assertThat(context).hasNotFailed();
                    Thalassa thalassa = context.getBean(Thalassa.class);
                    remember(thalassa);
                    assertThat(context.getBeansOfType(Registry.class)).containsOnlyKeys("myRegistry");
                    assertThat(context.getBeansOfType(ConfigStore.class)).containsOnlyKeys("myStore");
                    assertThat(thalassa.registry()).isSameAs(OwnParts.REGISTRY);
                    assertThat(thalassa.store()).isSameAs(OwnParts.STORE);
                    assertThat(thalassa.controller().settings().statsSocket().getFileName()).hasToString("my.sock");
                    // the properties tune the application's settings
                    assertThat(thalassa.controller().settings().timeoutServer()).isEqualTo(Duration.ofSeconds(9));
                    assertThat(Files.exists(work.resolve("config.json"))).isFalse();
                    assertThat(context.getBean(EarlyStart.class).startedEarly()).as("started in its bean").isFalse();
                });
    }

    /** A bean of the application's that fails once the Thalassa started ahead of its bean runs HAProxy. */
    @Configuration(proxyBeanMethods = false)
    static class FailsOnceHaproxyRuns {
        static final java.util.concurrent.atomic.AtomicLong PID = new java.util.concurrent.atomic.AtomicLong();

        @Bean
        Object failsOnceHaproxyRuns(org.springframework.core.env.Environment env) {
            Path pidFile = Path.of(env.getProperty("thalassa.work-dir")).resolve("haproxy.pid");
            Loopback.await(30, "HAProxy started ahead of the thalassa bean", () -> {
                try {
                    long pid = Long.parseLong(Files.readString(pidFile).trim());
                    PID.set(pid);
                    return alive(pid);
                } catch (java.io.IOException | NumberFormatException e) {
                    return false;
                }
            });
            throw new IllegalStateException("a bean of the application fails");
        }
    }

    @Test
    void aThalassaStartedAheadThatNoBeanTookIsAbortedWhenTheApplicationFailsToStart() {
        FailsOnceHaproxyRuns.PID.set(0);
        runner.withUserConfiguration(FailsOnceHaproxyRuns.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasRootCauseMessage("a bean of the application fails");
        });
        long pid = FailsOnceHaproxyRuns.PID.get();
        assertThat(pid).as("HAProxy's pid while the application started").isPositive();
        haproxies.add(pid); // stopped after the test, also when this one fails
        Loopback.await(10, "the HAProxy of the failed start stopped", () -> !alive(pid));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnThalassa {
        @Bean(destroyMethod = "stop")
        Thalassa myThalassa() {
            return Thalassa.builder().workDir(Loopback.workDir("own"))
                    .haproxyBinary(NamedHttpServer.haproxyBinary()).start();
        }
    }

    @Test
    void anApplicationsOwnThalassaKeepsTheStarterFromMakingOneAndGetsHealthInfoAndMeters() {
        runner.withUserConfiguration(OwnThalassa.class).run(context -> {
            assertThat(context).hasNotFailed();
            Thalassa own = context.getBean(Thalassa.class);
            remember(own);
            assertThat(context).hasSingleBean(Thalassa.class).doesNotHaveBean(Registry.class)
                    .doesNotHaveBean(ConfigStore.class).doesNotHaveBean(ThalassaLifecycle.class)
                    .doesNotHaveBean(ThalassaEventRelay.class);
            assertThat(context.getBean(ThalassaMetrics.class).thalassa()).isSameAs(own);
            assertThat(context).hasSingleBean(ThalassaHealthContributor.class)
                    .hasSingleBean(ThalassaInfoContributor.class);
            assertThat(Files.exists(work.resolve("haproxy.cfg"))).isFalse();
        });
    }

    @Test
    void haproxysPropertiesAreWhatItRunsWithFromTheEarlyStart() throws Exception {
        NamedHttpServer app = new NamedHttpServer("a");
        closeAfter.add(app);
        int lb = NamedHttpServer.freePort();
        Path json = Loopback.file("lb.json", "{\"backends\":[{\"key\":\"pool\",\"type\":\"static\",\"members\":"
                + "[{\"host\":\"127.0.0.1\",\"port\":" + app.port() + "}]}],\"frontends\":[{\"key\":\"web\","
                + "\"bind\":\"127.0.0.1:" + lb + "\",\"backend\":\"pool\"}]}");
        runner.withPropertyValues("thalassa.config-file=" + json, "thalassa.haproxy.timeout-client=7s",
                "thalassa.haproxy.timeout-tunnel=2h", "thalassa.haproxy.maxconn=1000",
                "thalassa.haproxy.default-maxconn=500", "thalassa.haproxy.forward-for=false",
                "thalassa.haproxy.keep-server-state=false").run(context -> {
                    assertThat(context).hasNotFailed();
                    Thalassa thalassa = started(context.getBean(Thalassa.class));
                    assertThat(context.getBean(EarlyStart.class).startedEarly()).isTrue();
                    assertThat(NamedHttpServer.answerOf(lb)).isEqualTo("200 a");
                    io.thalassa.haproxy.HaproxySettings s = thalassa.controller().settings();
                    assertThat(s.timeoutClient()).isEqualTo(Duration.ofSeconds(7));
                    assertThat(s.keepServerState()).isFalse();
                    assertThat(Files.readString(work.resolve("haproxy.cfg"))).contains("timeout client 7000ms",
                            "timeout tunnel 7200000ms", "maxconn 1000", "maxconn 500")
                            .doesNotContain("option forwardfor", "server-state-file");
                });
    }

    @Test
    void haproxyStartsWithAYamlConfigFileWithoutAReload() throws Exception {
        NamedHttpServer app = new NamedHttpServer("a");
        closeAfter.add(app);
        int lb = NamedHttpServer.freePort();
        Path yaml = Loopback.file("lb.yml", "backends:\n  - key: pool\n    type: static\n    members:\n"
                + "      - host: 127.0.0.1\n        port: " + app.port() + "\nfrontends:\n  - key: web\n"
                + "    bind: 127.0.0.1:" + lb + "\n    backend: pool\n");
        runner.withPropertyValues("thalassa.config-file=" + yaml).run(context -> {
            assertThat(context).hasNotFailed();
            Thalassa thalassa = started(context.getBean(Thalassa.class));
            assertThat(NamedHttpServer.answerOf(lb)).isEqualTo("200 a"); // running before the context was ready
            assertThat(thalassa.controller().reloadCount()).isZero();
            assertThat(FileConfigStore.at(work.resolve("config.json")).load()).contains(thalassa.config());
        });
    }

    @Test
    void aConfigFileHaproxyRefusesFailsTheStartAndStopsTheHaproxyThatStartLaunched() throws Exception {
        NamedHttpServer taken = new NamedHttpServer("taken"); // its port cannot be bound by HAProxy
        closeAfter.add(taken);
        Path json = Loopback.file("lb.json", "{\"backends\":[{\"key\":\"pool\",\"type\":\"static\"}],"
                + "\"frontends\":[{\"key\":\"web\",\"bind\":\"127.0.0.1:" + taken.port() + "\",\"backend\":\"pool\"}]}");
        java.util.concurrent.atomic.AtomicReference<org.springframework.core.env.Environment> env =
                new java.util.concurrent.atomic.AtomicReference<>();
        runner.withInitializer(c -> env.set(c.getEnvironment())).withPropertyValues("thalassa.config-file=" + json)
                .run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis a = new ThalassaPropertyFailureAnalyzer(env.get())
                            .analyze(context.getStartupFailure());
                    assertThat(a.getDescription()).contains("Property: thalassa.config-file",
                            String.valueOf(taken.port()));
                    assertThat(a.getAction()).contains("Fix the file " + json);
                });
        Path pidFile = work.resolve("haproxy.pid");
        if (Files.exists(pidFile)) {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            Loopback.await(10, "no HAProxy left by the failed start", () -> !alive(pid));
        }
        assertThat(work.resolve("config.json")).as("the store as it was").doesNotExist();
    }

    @Test
    void httpEnabledServesTheRestApiOnItsOwnPortAndStopsItBeforeThalassa() {
        int[] port = new int[1];
        runner.withPropertyValues("thalassa.http.enabled=true", "thalassa.http.port=0",
                "thalassa.http.registration-port=0", "thalassa.haproxy.stop-on-shutdown=true").run(context -> {
                    assertThat(context).hasNotFailed();
                    remember(context.getBean(Thalassa.class));
                    ThalassaHttp http = context.getBean(ThalassaHttp.class);
                    port[0] = http.port();
                    assertThat(Loopback.get(port[0], "/frontends")).startsWith("200 ");
                    assertThat(Loopback.get(port[0], "/health/ready")).isEqualTo("200 {\"status\":\"ready\"}");
                    assertThat(Loopback.get(http.registrationPort(), "/registrations")).startsWith("200 ");
                });
        assertThat(Loopback.get(port[0], "/health/live")).startsWith("error ");
    }

    @Test
    void consulAsRegistryAndStoreMakesThisProcessANodeOfAFleet() throws Exception {
        ConsulAgent consul = ConsulAgent.start(Loopback.workDir("consul"));
        closeAfter.add(consul);
        runner.withPropertyValues("thalassa.registry.kind=consul", "thalassa.registry.consul.port="
                + consul.httpPort(), "thalassa.store.kind=consul", "thalassa.store.consul.port=" + consul.httpPort(),
                "thalassa.store.consul.prefix=thalassa/it/", "thalassa.node-name=spring-node",
                "thalassa.haproxy.stop-on-shutdown=true").run(context -> {
                    assertThat(context).hasNotFailed();
                    Thalassa thalassa = context.getBean(Thalassa.class);
                    remember(thalassa);
                    assertThat(thalassa.registry()).isInstanceOf(ConsulRegistry.class);
                    assertThat(thalassa.store()).isInstanceOf(ConsulConfigStore.class);
                    assertThat(thalassa.fleetNode()).contains("spring-node");
                    assertThat(((ConsulConfigStore) thalassa.store()).prefix()).isEqualTo("thalassa/it/");
                    Loopback.await(20, "registry connected", () -> thalassa.registry().health().isConnected());
                });
    }
}

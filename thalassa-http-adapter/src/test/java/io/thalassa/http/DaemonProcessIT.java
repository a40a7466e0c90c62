package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.http.Http.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The packaged daemon ({@code target/thalassa.jar}) as a child process, driven over HTTP: stopping it leaves HAProxy
 * serving, starting it again adopts that HAProxy without a reload or a dropped request and keeps persistence and
 * registrations; two daemons run side by side; a taken port is a clear startup error. Everything listens on
 * 127.0.0.1, on free ports; every file is under the test's temporary directory.
 */
class DaemonProcessIT {
    private static final String HAPROXY = System.getenv().getOrDefault("THALASSA_HAPROXY_BINARY", "haproxy");
    private static final long AWAIT_SECONDS = 30;

    @TempDir
    Path dir;

    private final List<Daemon> daemons = new ArrayList<>();
    private final List<NamedHttpServer> servers = new ArrayList<>();
    private final List<Traffic> traffic = new ArrayList<>();

    /** Prints every daemon's output when a test fails (the temporary directory is gone afterwards). */
    @RegisterExtension
    final TestExecutionExceptionHandler printLogsOnFailure = (context, failure) -> {
        for (Daemon d : daemons) {
            System.err.println("---- output of daemon " + d.name + " ----\n" + d.output());
            if (d.apiAnswers()) {
                System.err.println("---- its activity ----\n" + d.api.get("/activity?limit=100").body());
                System.err.println("---- its haproxy.cfg ----\n" + d.api.get("/haproxy/config").body());
            }
            Path socket = d.home.resolve("haproxy.sock");
            if (Files.exists(socket)) {
                try {
                    io.thalassa.haproxy.RuntimeApi haproxy = io.thalassa.haproxy.RuntimeApi.connect(socket,
                            java.time.Duration.ofSeconds(2));
                    System.err.println("---- its HAProxy's servers ----\n" + haproxy.execute("show servers state")
                            + haproxy.execute("show stat -1 4 -1"));
                } catch (RuntimeException e) {
                    System.err.println("---- its HAProxy did not answer: " + e);
                }
            }
        }
        throw failure;
    };

    @AfterEach
    void tearDown() {
        traffic.forEach(Traffic::close);
        for (Daemon d : daemons) {
            d.stop();
            d.stopHaproxy();
        }
        servers.forEach(NamedHttpServer::close);
    }

    @Test
    void aRestartAdoptsTheRunningHaproxyWithoutAReloadOrADroppedRequest() throws Exception {
        NamedHttpServer a = backendServer("a");
        NamedHttpServer b = backendServer("b");
        Daemon daemon = daemon("d1").start();
        int frontendPort = TestStack.freePort();
        ok(daemon.api.put("/backends/web", "{'type':'dynamic','name':'webapp','version':'1.0.0',"
                + "'balance':'roundrobin','mode':'http','health':{'interval':'2000'}}"));
        ok(daemon.api.put("/frontends/web", "{'bind':'127.0.0.1:" + frontendPort + "','backend':'web',"
                + "'mode':'http'}"));
        ok(daemon.registrations.post(registration(a), "{'secondsToExpire':120}"));
        await("traffic reaches instance a", () -> get(frontendPort).equals("200 a"));
        daemon.awaitReloadsSettled();

        long master = daemon.haproxyMasterPid();
        await("one HAProxy worker once the reloads are done", () -> workerPids(master).size() == 1);
        Set<Long> workers = workerPids(master);
        long reloads = daemon.count("reloadDone");
        JsonNode registered = only(daemon.api.get("/registrations/webapp").json());
        long lastKnown = registered.get("lastKnown").asLong();

        Traffic load = traffic(frontendPort, "200 a");
        load.awaitMore(20);

        long sessionsBefore = daemon.serverSessions("web");
        assertThat(sessionsBefore).as("sessions of backend web in /stats before the stop").isPositive();

        // stop: SIGTERM, the shutdown hook leaves HAProxy running
        int exit = daemon.stop();
        assertThat(exit).as("the daemon ended on SIGTERM (143) or cleanly (0)").isIn(0, 143);
        assertThat(ProcessHandle.of(master).map(ProcessHandle::isAlive)).as("HAProxy master after the stop")
                .contains(true);
        assertThat(daemon.apiAnswers()).as("the API is gone with the daemon").isFalse();
        load.awaitMore(20); // HAProxy serves on its own meanwhile

        // start again with the same options: adopts the running HAProxy
        daemon.start();
        load.awaitMore(20);
        Thread.sleep(3 * daemon.reloadWindowMillis + 500); // any reload the start would cause has run by now

        assertThat(daemon.haproxyMasterPid()).as("same HAProxy master").isEqualTo(master);
        assertThat(workerPids(master)).as("same HAProxy worker: no reload").isEqualTo(workers);
        assertThat(daemon.count("reloadDone")).as("no reload in the activity feed").isEqualTo(reloads);
        assertThat(daemon.output()).contains("adopted running HAProxy, master pid " + master);

        // persistence: the frontend and the backend are back
        JsonNode frontends = daemon.api.get("/frontends").json();
        assertThat(frontends).hasSize(1);
        assertThat(frontends.get(0).get("key").asText()).isEqualTo("web");
        assertThat(frontends.get(0).get("bind").asText()).isEqualTo("127.0.0.1:" + frontendPort);
        JsonNode backend = daemon.api.get("/backends/web").json();
        assertThat(backend.get("type").asText()).isEqualTo("dynamic");
        assertThat(backend.get("version").asText()).isEqualTo("1.0.0");
        // the registration survived in the registry's state file, TTL still running from the first registration
        JsonNode survived = only(daemon.registrations.get("/registrations/webapp").json());
        assertThat(survived.get("port").asInt()).isEqualTo(a.port());
        assertThat(survived.get("lastKnown").asLong()).as("not registered again").isEqualTo(lastKnown);
        assertThat(Instant.ofEpochMilli(lastKnown).plusSeconds(survived.get("meta").get("secondsToExpire").asLong()))
                .as("remaining TTL").isAfter(Instant.now());
        await("member a back in the backend", () -> ports(daemon.api.get("/backends/web/members").json())
                .equals(List.of(a.port())));
        await("/stats counts on from before the stop", () -> daemon.serverSessions("web") > sessionsBefore);
        assertThat(get(frontendPort)).isEqualTo("200 a");

        // a registration change after the restart reaches the adopted HAProxy through the runtime API
        load.accept("200 b");
        ok(daemon.registrations.post(registration(b), "{'secondsToExpire':120}"));
        Reply removed = daemon.registrations.delete(registration(a));
        ok(removed);
        assertThat(removed.json().get("removed").asBoolean()).isTrue();
        await("members are b only", () -> ports(daemon.api.get("/backends/web/members").json())
                .equals(List.of(b.port())));
        await("traffic reaches instance b only", () -> get(frontendPort).equals("200 b")
                && get(frontendPort).equals("200 b") && get(frontendPort).equals("200 b"));
        load.awaitMore(20);
        load.close();

        assertThat(load.failures).as("failed requests during the stop, the start and the change").isEmpty();
        assertThat(load.keepAliveConnections.get()).as("one keep-alive connection served throughout").isEqualTo(1);
        assertThat(load.ok.get()).isGreaterThan(60);
        assertThat(load.keepAliveOk.get()).isGreaterThan(60);
        assertThat(daemon.haproxyMasterPid()).isEqualTo(master);
        assertThat(workerPids(master)).as("the change went through the runtime API").isEqualTo(workers);
        assertThat(daemon.count("reloadDone")).isEqualTo(reloads);
        // b joins behind its first check; a leaves (keeping to serve until b passed when nothing else would)
        List<String> changes = new ArrayList<>();
        daemon.api.get("/activity?verb=runtimeChange&limit=10").json().get("events")
                .forEach(e -> changes.add(e.get("detail").asText()));
        String feed = daemon.api.get("/activity?limit=30").body();
        assertThat(changes).as(feed).anySatisfy(c -> assertThat(c).contains("+127.0.0.1:" + b.port()
                + " (in service once its first check passes)"));
        // a leaves through the runtime API too, in b's change or a change of its own (the registry's two updates may
        // come as one): held while b joins, drained once b passed
        assertThat(changes).as(feed).anySatisfy(c -> assertThat(c).contains("-127.0.0.1:" + a.port()));
        assertThat(feed).contains("/webapp/1.0.0/127.0.0.1/" + a.port() + "\",\"detail\":\"deregistered");
    }

    @Test
    void twoDaemonsSideBySideKeepToTheirOwnHaproxy() throws Exception {
        NamedHttpServer a = backendServer("a");
        NamedHttpServer b = backendServer("b");
        Daemon one = daemon("one").start();
        Daemon two = daemon("two").start();
        int portOne = TestStack.freePort();
        int portTwo = TestStack.freePort();
        // the same service name in both: each daemon has its own embedded registry
        for (Daemon d : List.of(one, two)) {
            ok(d.api.put("/backends/web", "{'type':'dynamic','name':'webapp','version':'1.0.0','mode':'http'}"));
            ok(d.api.put("/frontends/web", "{'bind':'127.0.0.1:" + (d == one ? portOne : portTwo) + "',"
                    + "'backend':'web','mode':'http'}"));
        }
        ok(one.registrations.post(registration(a), "{'secondsToExpire':120}"));
        ok(two.registrations.post(registration(b), "{'secondsToExpire':120}"));
        await("one routes to a", () -> get(portOne).equals("200 a"));
        await("two routes to b", () -> get(portTwo).equals("200 b"));
        assertThat(one.haproxyMasterPid()).isNotEqualTo(two.haproxyMasterPid());
        assertThat(ports(one.registrations.get("/registrations").json())).containsExactly(a.port());
        assertThat(ports(two.registrations.get("/registrations").json())).containsExactly(b.port());
        two.awaitReloadsSettled();
        await("one worker in two's HAProxy", () -> workerPids(two.haproxyMasterPid()).size() == 1);
        Set<Long> workersTwo = workerPids(two.haproxyMasterPid());
        long reloadsTwo = two.count("reloadDone");

        Traffic load = traffic(portTwo, "200 b");
        load.awaitMore(20);
        ok(one.api.delete("/frontends/web"));
        ok(one.api.delete("/backends/web"));
        await("one's frontend is gone", () -> get(portOne).startsWith("error"));
        one.awaitReloadsSettled();
        load.awaitMore(20);
        load.close();

        assertThat(one.api.get("/frontends").json()).isEmpty();
        assertThat(one.api.get("/haproxy/config").body()).doesNotContain("frontend web");
        assertThat(two.api.get("/frontends").json()).hasSize(1);
        assertThat(two.api.get("/haproxy/config").body()).contains("frontend web", "backend web");
        assertThat(load.failures).as("two's traffic while one changed").isEmpty();
        assertThat(load.keepAliveConnections.get()).isEqualTo(1);
        assertThat(workerPids(two.haproxyMasterPid())).as("two did not reload").isEqualTo(workersTwo);
        assertThat(two.count("reloadDone")).isEqualTo(reloadsTwo);
        assertThat(get(portTwo)).isEqualTo("200 b");
    }

    @Test
    void aTakenPortIsAClearStartupErrorAndLeavesNoHaproxy() throws Exception {
        for (String option : List.of("--port", "--registrationPort", "--statsPort")) {
            try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                String port = Integer.toString(taken.getLocalPort());
                Daemon daemon = daemon("taken" + option.substring(2), option, port);
                Process p = daemon.launch();
                assertThat(p.waitFor(AWAIT_SECONDS, TimeUnit.SECONDS)).as("the daemon gives up").isTrue();
                String output = daemon.output();
                assertThat(p.exitValue()).as(output).isEqualTo(1);
                assertThat(output).as(option).contains("thalassa: ", port, "in use");
                assertThat(output).as(option).doesNotContain("Exception in thread");
                assertThat(daemon.haproxyRunning()).as("a HAProxy left behind with " + option + " taken").isEmpty();
                if (!option.equals("--statsPort")) {
                    assertThat(output).as("checked before HAProxy starts").contains(option)
                            .doesNotContain("HAProxy, master pid");
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    @Test
    void logLinesAreJsonObjectsWithJsonAndCarryTheirPriorityUnderTheJournal() throws Exception {
        Daemon json = daemon("json", "--timeoutClient", "30s", "--timeoutTunnel", "5m");
        json.env.put("THALASSA_LOG_FORMAT", "json");
        json.start();
        // HAProxy's options from the command line are what it runs with
        String cfg = Files.readString(json.home.resolve("haproxy.cfg"));
        assertThat(cfg).contains("timeout client 30000ms", "timeout tunnel 300000ms");
        await("the start line", () -> json.output().contains("thalassa: API on"));
        List<String> lines = json.logLines();
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            JsonNode event = Http.JSON.readTree(line);
            assertThat(event.isObject()).as(line).isTrue();
            assertThat(event.propertyNames()).as(line)
                    .contains("timestamp", "level", "threadName", "loggerName", "formattedMessage");
        }
        assertThat(lines).extracting(l -> Http.JSON.readTree(l)).anyMatch(e -> e.get("level").asText().equals("INFO")
                && e.get("loggerName").asText().equals("io.thalassa.http.ThalassaMain")
                && e.get("formattedMessage").asText().startsWith("thalassa: API on http://127.0.0.1:" + json.apiPort));
        json.stop();

        Daemon journal = daemon("journal");
        journal.env.put("JOURNAL_STREAM", "8:4242"); // what systemd sets when the output is the journal
        journal.start();
        await("the start line", () -> journal.output().contains("thalassa: API on"));
        assertThat(journal.logLines()).isNotEmpty().allMatch(l -> l.matches("<[3-7]>\\[[^]]+\\] [A-Z]+ .*"))
                .anyMatch(l -> l.startsWith("<6>[main] INFO io.thalassa.http.ThalassaMain - thalassa: API on"));
        journal.stop();

        Daemon wrong = daemon("wrong");
        wrong.env.put("THALASSA_LOG_FORMAT", "xml");
        assertThat(wrong.launch().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(wrong.process.exitValue()).isEqualTo(2);
        assertThat(wrong.output()).contains("THALASSA_LOG_FORMAT must be one of text, journal, json: xml");
        assertThat(wrong.haproxyRunning()).as("nothing started").isEmpty();
    }

    private Daemon daemon(String name, String... extra) throws IOException {
        Daemon d = new Daemon(name, Files.createDirectories(dir.resolve(name)), extra);
        daemons.add(d);
        return d;
    }

    private NamedHttpServer backendServer(String name) throws IOException {
        NamedHttpServer s = new NamedHttpServer(name);
        servers.add(s);
        return s;
    }

    private Traffic traffic(int port, String answer) {
        Traffic t = new Traffic(port, answer);
        traffic.add(t);
        return t;
    }

    private static String registration(NamedHttpServer server) {
        return "/registrations/webapp/1.0.0/127.0.0.1/" + server.port();
    }

    private static void ok(Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    }

    private static JsonNode only(JsonNode array) {
        assertThat(array).as(array.toString()).hasSize(1);
        return array.get(0);
    }

    private static List<Integer> ports(JsonNode members) {
        List<Integer> ports = new ArrayList<>();
        members.forEach(m -> ports.add(m.get("port").asInt()));
        Collections.sort(ports);
        return ports;
    }

    /** The master's children: the current worker, plus old ones still finishing after a reload. */
    private static Set<Long> workerPids(long master) {
        return ProcessHandle.of(master).orElseThrow(() -> new AssertionError("HAProxy master " + master + " is gone"))
                .children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    static void await(String what, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            if (condition.get()) {
                return;
            }
            Thread.sleep(50);
        }
        assertThat(condition.get()).as(what + " within " + AWAIT_SECONDS + " s").isTrue();
    }

    /** One request on a new connection: {@code "200 body"}, or {@code "error ..."}. */
    static String get(int port) {
        return NamedHttpServer.answerOf(port);
    }

    /** A daemon child process with its own ports and files under {@code home}. */
    static final class Daemon {
        final String name;
        final Path home;
        final int apiPort;
        final int registrationPort;
        final long reloadWindowMillis = 300;
        final Path log;
        final List<String> command = new ArrayList<>();
        final java.util.Map<String, String> env = new java.util.HashMap<>();
        final Http api;
        final Http registrations;
        Process process;

        Daemon(String name, Path home, String... extra) throws IOException {
            this.name = name;
            this.home = home;
            this.log = home.resolve("daemon.log");
            Path jar = jar();
            List<String> options = new ArrayList<>(List.of("--host", "127.0.0.1",
                    "--port", Integer.toString(TestStack.freePort()),
                    "--registrationPort", Integer.toString(TestStack.freePort()),
                    "--statsPort", Integer.toString(TestStack.freePort()),
                    "--haproxyBinary", HAPROXY,
                    "--haproxyCfgPath", home.resolve("haproxy.cfg").toString(),
                    "--haproxySocketPath", home.resolve("haproxy.sock").toString(),
                    "--haproxyPidPath", home.resolve("haproxy.pid").toString(),
                    "--dbPath", home.resolve("db").toString(),
                    "--persistence", home.resolve("thalassa.json").toString(),
                    "--reloadWindow", reloadWindowMillis + "ms"));
            for (int i = 0; i + 1 < extra.length; i += 2) { // later options replace the defaults above
                int at = options.indexOf(extra[i]);
                if (at >= 0) {
                    options.set(at + 1, extra[i + 1]);
                } else {
                    options.addAll(List.of(extra[i], extra[i + 1]));
                }
            }
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                    jar.toString()));
            command.addAll(options);
            apiPort = Integer.parseInt(options.get(options.indexOf("--port") + 1));
            registrationPort = Integer.parseInt(options.get(options.indexOf("--registrationPort") + 1));
            api = new Http("http://127.0.0.1:" + apiPort);
            registrations = new Http("http://127.0.0.1:" + registrationPort);
        }

        static Path jar() {
            Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
            Path jar = module.resolve("target").resolve("thalassa.jar");
            if (!Files.isRegularFile(jar)) {
                fail("the packaged daemon " + jar.toAbsolutePath() + " is missing: run this IT through Maven"
                        + " (mvn verify runs it after package)");
            }
            return jar;
        }

        /** Starts the process, output appended to {@link #log}. */
        Process launch() throws IOException {
            Files.writeString(log, "==== " + Instant.now() + " " + String.join(" ", command) + "\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().remove("JOURNAL_STREAM"); // as if on a terminal, unless a test sets it
            builder.environment().putAll(env);
            process = builder.start();
            return process;
        }

        /** Starts the process and waits until its API answers. */
        Daemon start() throws IOException, InterruptedException {
            launch();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    fail("daemon " + name + " exited with " + process.exitValue() + " before its API answered:\n"
                            + output());
                }
                if (apiAnswers()) {
                    return this;
                }
                Thread.sleep(100);
            }
            fail("the API of daemon " + name + " did not answer within 60 s:\n" + output());
            return this;
        }

        boolean apiAnswers() {
            try {
                return api.get("/frontends").status() == 200;
            } catch (UncheckedIOException e) {
                return false;
            }
        }

        /** SIGTERM, SIGKILL after 30 s; the exit code, or -1 when nothing ran. */
        int stop() {
            if (process == null) {
                return -1;
            }
            try {
                if (process.isAlive()) {
                    process.destroy();
                    if (!process.waitFor(30, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                        process.waitFor(10, TimeUnit.SECONDS);
                    }
                }
                return process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                return -1;
            }
        }

        /** Total sessions of the servers of {@code backend} as /stats reports them, -1 when it is not listed. */
        long serverSessions(String backend) {
            Reply stats = api.get("/stats");
            if (stats.status() != 200 || stats.json().path("backends").path(backend).isMissingNode()) {
                return -1;
            }
            long total = 0;
            for (JsonNode s : stats.json().get("backends").get(backend).get("servers")) {
                total += s.get("totalSessions").asLong();
            }
            return total;
        }

        long haproxyMasterPid() {
            try {
                return Long.parseLong(Files.readString(home.resolve("haproxy.pid")).strip().split("\\s+")[0]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The HAProxy master of this daemon's pid file, when it runs (its command line names this daemon's files). */
        Optional<ProcessHandle> haproxyRunning() {
            try {
                return ProcessHandle.of(haproxyMasterPid()).filter(ProcessHandle::isAlive)
                        .filter(h -> h.info().commandLine().map(c -> c.contains("haproxy")
                                && c.contains(home.resolve("haproxy.cfg").toString())).orElse(false));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }

        /** Stops the HAProxy this daemon started, by the pid in its pid file. */
        void stopHaproxy() {
            haproxyRunning().ifPresent(h -> {
                h.destroy();
                try {
                    h.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
        }

        /** How many events with {@code verb} the activity feed holds. */
        long count(String verb) {
            return api.get("/activity?limit=1000&verb=" + verb).json().get("events").size();
        }

        /** Waits until no reload has happened for a few reload windows. */
        void awaitReloadsSettled() throws InterruptedException {
            long last = -1;
            int stable = 0;
            for (int i = 0; i < 100 && stable < 3; i++) {
                long now = count("reloadDone");
                stable = now == last ? stable + 1 : 0;
                last = now;
                Thread.sleep(reloadWindowMillis + 100);
            }
            assertThat(stable).as("reloads settled").isGreaterThanOrEqualTo(3);
        }

        /** What the daemon wrote, without the lines this helper adds. */
        List<String> logLines() {
            return output().lines().filter(l -> !l.startsWith("==== ") && !l.isBlank()).toList();
        }

        String output() {
            try {
                return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no output)";
            } catch (IOException e) {
                return "(cannot read " + log + ": " + e + ")";
            }
        }
    }

    /**
     * Requests through a frontend until closed: one thread with a new connection per request, one with a single
     * HTTP/1.1 keep-alive connection. Any answer not in {@link #accepted} is a failure; so is a keep-alive connection
     * the proxy closes. Bounded: at most 5 minutes and 20,000 requests per thread.
     */
    static final class Traffic implements AutoCloseable {
        final int port;
        final Set<String> accepted = new CopyOnWriteArraySet<>();
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger keepAliveOk = new AtomicInteger();
        final AtomicInteger keepAliveConnections = new AtomicInteger();
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private final Thread fresh;
        private final Thread keepAlive;
        private volatile boolean stop;

        Traffic(int port, String answer) {
            this.port = port;
            accepted.add(answer);
            fresh = new Thread(() -> loop(() -> check(get(port), ok)), "traffic-new-connections");
            keepAlive = new Thread(this::keepAliveLoop, "traffic-keep-alive");
            fresh.setDaemon(true);
            keepAlive.setDaemon(true);
            fresh.start();
            keepAlive.start();
        }

        void accept(String answer) {
            accepted.add(answer);
        }

        private void check(String answer, AtomicInteger counter) {
            if (accepted.contains(answer)) {
                counter.incrementAndGet();
            } else {
                failures.add(Instant.now() + " " + answer);
            }
        }

        private void loop(Runnable request) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            for (int i = 0; i < 20_000 && !stop && System.nanoTime() < deadline; i++) {
                request.run();
                sleep(20);
            }
        }

        private void keepAliveLoop() {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            int i = 0;
            while (i < 20_000 && !stop && System.nanoTime() < deadline) {
                keepAliveConnections.incrementAndGet();
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                    s.setSoTimeout(5000);
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    for (; i < 20_000 && !stop && System.nanoTime() < deadline; i++) {
                        out.write("GET / HTTP/1.1\r\nHost: it\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        String answer = readResponse(in);
                        if (answer == null) {
                            failures.add(Instant.now() + " keep-alive connection closed by the proxy");
                            break;
                        }
                        check(answer, keepAliveOk);
                        sleep(20);
                    }
                } catch (IOException e) {
                    failures.add(Instant.now() + " keep-alive error " + e);
                    sleep(20);
                }
            }
        }

        /** {@code "status body"}, or null at the end of the stream. */
        private static String readResponse(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    return head.length() == 0 ? null : "error truncated " + head;
                }
                head.append((char) c);
                if (head.length() > 16_384) {
                    return "error header too long";
                }
            }
            int length = 0;
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).strip());
                }
            }
            if (head.length() < 12) {
                return "error short answer " + head;
            }
            byte[] body = in.readNBytes(length);
            return head.substring(9, 12) + " " + new String(body, StandardCharsets.ISO_8859_1);
        }

        /** Waits until both threads answered {@code n} more requests. */
        void awaitMore(int n) throws InterruptedException {
            int fresh0 = ok.get();
            int kept0 = keepAliveOk.get();
            await(n + " more requests on both connections' kinds",
                    () -> ok.get() >= fresh0 + n && keepAliveOk.get() >= kept0 + n);
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            stop = true;
            try {
                fresh.join(10_000);
                keepAlive.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

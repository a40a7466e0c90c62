package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.haproxy.NamedHttpServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The web UI in a real headless Chromium against the real daemon (in-process server on the real stack: HAProxy, the
 * embedded registry), with real traffic through HAProxy. One browser and one daemon for the class; the tests build on
 * each other in order (register, go down, switch, watch the activity, lose the connection, split from the page,
 * 1,000 backends). Every
 * page is photographed into target/ui/ (scripts/refresh-screenshots.sh copies them to docs/ui/), and the browser console must stay free of errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiIT {
    Path dir;

    io.thalassa.runtime.Thalassa backplane;
    ThalassaHttp server;
    int apiPort;
    int registrationPort;
    Http api;
    Http registrations;
    Browser browser;
    int frontendPort;
    final List<NamedHttpServer> instances = new ArrayList<>();
    SlowServer blue1;
    NamedHttpServer blue2;
    NamedHttpServer green;

    @BeforeAll
    void start(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        backplane = TestStack.backplane(dir);
        try {
            apiPort = TestStack.freePort();
            registrationPort = TestStack.freePort();
            server = startServer();
            api = new Http("http://127.0.0.1:" + apiPort);
            registrations = new Http("http://127.0.0.1:" + registrationPort);
            frontendPort = TestStack.freePort();
            assertThat(api.put("/frontends/myapp", "{'bind':'127.0.0.1:" + frontendPort + "','backend':'web',"
                    + "'mode':'http','rules':[{'type':'path','operation':'path_beg','value':'/api/',"
                    + "'backend':'web'}],'natives':['http-response set-header X-Served-By thalassa']}").status())
                    .isEqualTo(200);
            assertThat(api.put("/backends/web", "{'type':'dynamic','name':'myapp','version':'1.0.0',"
                    + "'health':{'interval':'1000'}}").status()).isEqualTo(200);
            blue1 = new SlowServer("blue-1");
            blue2 = instance("blue-2");
            green = instance("green");
            browser = Browser.start(dir);
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    private NamedHttpServer instance(String name) throws java.io.IOException {
        NamedHttpServer s = new NamedHttpServer(name);
        instances.add(s);
        return s;
    }

    private ThalassaHttp startServer() throws java.io.IOException {
        return ThalassaHttp.serve(backplane, DaemonOptions.parse("--host", "127.0.0.1",
                "--port", Integer.toString(apiPort), "--registrationPort", Integer.toString(registrationPort),
                "--dbPath", dir.resolve("db").toString()).http());
    }

    @AfterAll
    void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
            if (backplane != null) {
                TestStack.stop(backplane); // HAProxy stopped by its pid, also when a test failed
            }
            instances.forEach(NamedHttpServer::close);
            if (blue1 != null) {
                blue1.close();
            }
        }
    }

    /**
     * An instance that answers its name at once, and on {@code /slow} after {@link #HOLD}: requests held open through
     * HAProxy keep a leaving member draining long enough to watch.
     */
    static final class SlowServer implements AutoCloseable {
        static final java.time.Duration HOLD = java.time.Duration.ofSeconds(5);
        private final com.sun.net.httpserver.HttpServer server;
        private final ExecutorService threads = Executors.newFixedThreadPool(8);

        SlowServer(String name) throws java.io.IOException {
            server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 64);
            byte[] body = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                if (exchange.getRequestURI().getPath().equals("/slow")) {
                    try {
                        Thread.sleep(HOLD.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                exchange.sendResponseHeaders(200, body.length);
                try (java.io.OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.setExecutor(threads);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }

    /** A GET of {@code /slow} through HAProxy, answered after {@link SlowServer#HOLD}: its body. */
    private java.util.concurrent.CompletableFuture<String> slowRequest() {
        return java.net.http.HttpClient.newHttpClient().sendAsync(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + frontendPort + "/slow"))
                .timeout(java.time.Duration.ofSeconds(20)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).thenApply(java.net.http.HttpResponse::body);
    }

    /** No test leaves an error in the browser console (a WebSocket refused while the daemon is down aside). */
    @AfterEach
    void consoleIsClean() {
        assertThat(browser.consoleErrors(m -> m.contains("WebSocket connection to")))
                .as("browser console errors").isEmpty();
    }

    String ui() {
        return "http://127.0.0.1:" + apiPort + "/";
    }

    private void register(NamedHttpServer s, String version) {
        register(s.port(), version);
    }

    private void register(SlowServer s, String version) {
        register(s.port(), version);
    }

    private void register(int port, String version) {
        assertThat(registrations.post("/registrations/myapp/" + version + "/127.0.0.1/" + port,
                "{'secondsToExpire':'600'}").status()).isEqualTo(200);
    }

    private String memberStatus(int port) {
        return (String) browser.js("const r = document.querySelector(\"#backend-web tr[data-addr='127.0.0.1:"
                + port + "']\"); return r ? r.dataset.status : null;");
    }

    private void awaitLive() {
        browser.await(10, "the connection indicator says Live",
                d -> "live".equals(browser.find("#connection").getAttribute("data-state")));
    }

    @Test
    @Order(1)
    void registeredInstanceShowsAsUpWithinThreeSeconds() {
        browser.open(ui());
        awaitLive();
        browser.await(5, "the backend card", d -> browser.first("#backend-web") != null);
        assertThat(browser.find("#backend-web .service").getText()).isEqualTo("myapp@1.0.0");
        assertThat(browser.find("#backend-web td.empty").getText()).contains("no instance of myapp@1.0.0");
        // each filter says what it matches
        assertThat(browser.find("#backends-filter").getAttribute("placeholder"))
                .isEqualTo("name, service, version or address");
        assertThat(browser.find("#frontends-filter").getAttribute("placeholder")).isEqualTo("name, bind or backend");

        long start = System.nanoTime();
        register(blue1, "1.0.0");
        browser.await(3, "127.0.0.1:" + blue1.port() + " UP within 3 s", d -> "UP".equals(memberStatus(blue1.port())));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(ms).isLessThan(3000);
        WebElement badge = browser.find("#backend-web tr[data-addr='127.0.0.1:" + blue1.port() + "'] .badge");
        assertThat(badge.getText()).isEqualTo("UP"); // the word, not only the colour
        TestStack.await(() -> NamedHttpServer.answerOf(frontendPort).equals("200 blue-1"));
        browser.await(5, "the frontend is OPEN",
                d -> browser.find("#frontend-myapp .status").getText().equals("OPEN"));
        assertThat(browser.find("#frontend-myapp .props").getText()).contains("127.0.0.1:" + frontendPort, "web");
        assertThat(browser.find("#frontend-myapp table.rules").getText()).contains("path_beg", "/api/");
        assertThat(browser.find("#frontend-myapp .natives").getText()).contains("X-Served-By");

        // the same data in the API: the member's live status, and the history for polling clients
        var members = api.get("/backends/web/members?status=true").json();
        assertThat(members.get(0).get("status").get("status").asText()).isEqualTo("UP");
        assertThat(members.get(0).get("status").get("addr").asText()).isEqualTo("127.0.0.1:" + blue1.port());
        assertThat(api.get("/backends/web/members").json().get(0).has("status")).isFalse(); // shape unchanged
        // the history is sampled every 2 s: the first sample with web may come after the member is UP
        TestStack.await(() -> api.get("/stats?since=0").json().path("backends").has("web"));
        var history = api.get("/stats?since=0").json();
        assertThat(history.get("times").size()).isPositive();
        assertThat(history.get("backends").has("web")).isTrue();
        assertThat(history.get("frontends").has("stats")).isFalse(); // HAProxy's own listener is not shown
        var page = api.get("/");
        assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'");
        assertThat(page.body()).doesNotContain("<script>").contains("<script type=\"module\" src=\"/ui/app.js\">");
    }

    @Test
    @Order(2)
    void memberWhoseProcessStopsTurnsDown() {
        register(blue2, "1.0.0");
        browser.await(5, "the second member UP", d -> "UP".equals(memberStatus(blue2.port())));
        blue2.close(); // its process stops: HAProxy's health check (every 1 s, fall 3) marks it DOWN
        browser.await(20, "127.0.0.1:" + blue2.port() + " DOWN", d -> "DOWN".equals(memberStatus(blue2.port())));
        assertThat(browser.find("#backend-web tr[data-addr='127.0.0.1:" + blue2.port() + "'] .badge").getText())
                .isEqualTo("DOWN");
        assertThat(browser.find("#backend-web .health-text").getText()).isEqualTo("1/2 healthy");
        browser.await(6, "a chart with points", d -> browser.all("#backend-web .chart canvas").size() == 1);
        browser.screenshot("overview");
    }

    @Test
    @Order(3)
    void versionDropDownListsVersionsWithCountsAndSwitchesWithoutReload() throws Exception {
        register(green, "2.0.0");
        long reloads = backplane.controller().reloadCount();
        String select = "#backend-web select.version-select";
        browser.await(5, "2.0.0 in the drop-down", d -> browser.first(select) != null
                && browser.find(select).getText().contains("2.0.0 (1 instance)"));
        List<String> options = new Select(browser.find(select)).getOptions().stream().map(WebElement::getText)
                .toList();
        assertThat(options).containsExactly("1.0.0 (2 instances) · in use", "2.0.0 (1 instance)");

        new Select(browser.find(select)).selectByValue("2.0.0");
        browser.find("#backend-web button.switch").click();
        browser.await(3, "the confirmation", d -> browser.find("#switch-dialog").isDisplayed());
        assertThat(browser.find("#switch-text").getText()).contains("from myapp@1.0.0 to myapp@2.0.0", "drain");
        browser.screenshot("version-switch-confirm");
        // two requests held open on blue-1: after the switch it drains until they are answered
        var held = List.of(slowRequest(), slowRequest());
        TestStack.await(() -> backplane.controller().stats().map(st -> st.backends().get("web").currentSessions())
                .orElse(0L) >= 2);
        browser.find("#switch-confirm").click();

        browser.await(5, "the backend on 2.0.0",
                d -> browser.find("#backend-web .service").getText().equals("myapp@2.0.0"));
        browser.await(4, "blue-1 shown draining", d -> "DRAIN".equals(memberStatus(blue1.port())));
        assertThat(browser.find("#backend-web tr[data-addr='127.0.0.1:" + blue1.port() + "'] .badge").getText())
                .isEqualTo("DRAIN (leaving)");
        // the leaving members drain once the joining one passed its first check (up to a check interval after)
        browser.await(8, "the drain in progress", d -> browser.find("#backend-web .switch-note").getText()
                .matches("Switched to 2\\.0\\.0: [12] member\\(s\\) of 1\\.0\\.0 draining"));
        browser.screenshot("version-switch-draining");
        for (var answer : held) {
            assertThat(answer.get(20, TimeUnit.SECONDS)).isEqualTo("blue-1"); // the leaving member finished them
        }
        browser.await(8, "the drain done", d -> browser.find("#backend-web .switch-note").getText()
                .startsWith("Switched to 2.0.0: the members of 1.0.0 are drained"));
        // the note follows the drain events; the member's row goes with the next live poll
        browser.await(5, "blue-1 gone from the card", d -> memberStatus(blue1.port()) == null);
        TestStack.await(() -> NamedHttpServer.answerOf(frontendPort).equals("200 green"));
        for (int i = 0; i < 10; i++) {
            assertThat(NamedHttpServer.answerOf(frontendPort)).isEqualTo("200 green");
        }
        browser.await(5, "the green member UP", d -> "UP".equals(memberStatus(green.port())));
        assertThat(backplane.controller().reloadCount()).as("reloads for the switch").isEqualTo(reloads);
        browser.screenshot("overview-switched");
    }

    @Test
    @Order(4)
    void activityShowsTheSwitchLiveAndFilters() {
        browser.open(ui() + "#/activity");
        browser.await(5, "the activity list", d -> browser.all("#activity-list li").size() > 3);
        assertThat(browser.find("#activity-list li").getAttribute("data-verb")).isNotEmpty();
        int switchesBefore = browser.all("#activity-list li[data-verb='versionSwitched']").size();

        assertThat(api.post("/backends/web", "{'version':'1.0.0'}").status()).isEqualTo(200); // not from the page
        browser.await(5, "the switch back, live and first", d -> {
            WebElement top = browser.first("#activity-list li[data-verb='versionSwitched']");
            return top != null && top.getText().contains("myapp@2.0.0") && top.getText().contains("1.0.0")
                    && browser.all("#activity-list li[data-verb='versionSwitched']").size() == switchesBefore + 1;
        });
        String firstVerb = browser.find("#activity-list li:not([hidden])").getAttribute("data-verb");
        assertThat(firstVerb).isNotNull();

        new Select(browser.find("#activity-verb")).selectByValue("versionSwitched");
        browser.await(5, "only version switches", d -> {
            List<WebElement> shown = browser.all("#activity-list li:not([hidden])");
            return shown.size() == 2 && shown.stream().allMatch(li -> "versionSwitched".equals(
                    li.getAttribute("data-verb")));
        });
        browser.screenshot("activity-filtered");
        browser.find("#activity-text").sendKeys("no-such-text");
        browser.await(3, "nothing matches", d -> browser.all("#activity-list li:not([hidden])").isEmpty());
        browser.find("#activity-text").clear();
        browser.js("document.getElementById('activity-text').dispatchEvent(new Event('input'))");
        new Select(browser.find("#activity-verb")).selectByValue("");
        browser.await(5, "everything again", d -> browser.all("#activity-list li:not([hidden])").size() > 5);
        browser.screenshot("activity");

        // paging into the history: 5 at a time, older ones appended after, none twice
        // (live events, such as the switch's drain, may arrive meanwhile and come first)
        browser.open(ui() + "#/activity?limit=5");
        browser.await(5, "the first 5", d -> browser.all("#activity-list li").size() >= 5);
        int firstPage = browser.all("#activity-list li").size();
        browser.find("#activity-older").click();
        browser.await(5, "5 older ones after them", d -> browser.all("#activity-list li").size() >= firstPage + 5);
        List<Long> ids = browser.all("#activity-list li").stream().map(li -> Long.parseLong(li.getAttribute(
                "data-id"))).toList();
        assertThat(ids).doesNotHaveDuplicates().isSortedAccordingTo(java.util.Comparator.reverseOrder());
        TestStack.await(() -> NamedHttpServer.answerOf(frontendPort).equals("200 blue-1"));
    }

    @Test
    @Order(5)
    void configStatusAndDocsPagesShowTheirData() {
        browser.open(ui() + "#/config");
        browser.await(5, "haproxy.cfg", d -> browser.find("#config-text").getText().contains("backend web"));
        assertThat(browser.find("#config-text").getText()).contains("frontend myapp", "127.0.0.1:" + blue1.port());
        browser.screenshot("config");

        browser.find("nav a[data-page='status']").click();
        browser.await(5, "the status facts", d -> browser.find("#status-list").getText().contains("masterPid"));
        assertThat(browser.find("#status-list").getText()).contains("haproxy.reloads", "registry.kind", "embedded");
        assertThat(browser.find("nav a[aria-current='page']").getText()).isEqualTo("Status");
        browser.screenshot("status");

        browser.open("http://127.0.0.1:" + apiPort + "/docs");
        browser.await(15, "Swagger UI on /openapi.json", d -> browser.first(".swagger-ui .info .title") != null
                && browser.all(".swagger-ui .opblock").size() > 10);
        assertThat(browser.find(".swagger-ui .info .title").getText()).containsIgnoringCase("thalassa");
        browser.screenshot("docs");
        // nothing was fetched from outside the daemon
        Object outside = browser.js("return performance.getEntriesByType('resource').map(e => e.name)"
                + ".filter(n => !n.startsWith(location.origin)).length;");
        assertThat(((Number) outside).intValue()).isZero();
    }

    @Test
    @Order(6)
    void narrowLayoutWorksWithoutAMouse() {
        browser.open(ui());
        awaitLive();
        browser.await(5, "the member rows", d -> "UP".equals(memberStatus(blue1.port())));
        browser.size(390, 844);
        try {
            browser.await(5, "no horizontal scrolling", d -> {
                var s = browser.sizes();
                return ((Number) s.get("scroll")).intValue() <= ((Number) s.get("inner")).intValue();
            });
            browser.screenshot("overview-phone");
            // keyboard: skip link first, then the pages
            browser.find("body").sendKeys(org.openqa.selenium.Keys.TAB);
            assertThat(browser.driver.switchTo().activeElement().getText()).isEqualTo("Skip to content");
            WebElement activity = browser.find("nav a[data-page='activity']");
            activity.sendKeys(org.openqa.selenium.Keys.ENTER);
            browser.await(5, "the activity page by keyboard",
                    d -> !browser.find("#page-activity").getAttribute("class").isEmpty()
                            && browser.find("#page-activity").isDisplayed());
        } finally {
            browser.size(1400, 1000);
        }
    }

    @Test
    @Order(7)
    void indicatorShowsALostConnectionAndRecoversWhenTheDaemonIsBack() throws Exception {
        browser.open(ui());
        awaitLive();
        server.close();
        server = null;
        browser.await(5, "the indicator shows the lost connection",
                d -> "lost".equals(browser.find("#connection").getAttribute("data-state")));
        assertThat(browser.find("#connection").getText()).contains("Connection lost");
        browser.screenshot("connection-lost");
        server = startServer();
        browser.await(15, "the indicator is live again", d -> "live".equals(
                browser.find("#connection").getAttribute("data-state")));
        browser.await(5, "the members again", d -> "UP".equals(memberStatus(blue1.port())));
    }

    /** The weight HAProxy runs for each server of backend {@code key}, by address (from the controller's stats). */
    private java.util.Map<String, Integer> weights(String key) {
        java.util.Map<String, Integer> out = new java.util.TreeMap<>();
        backplane.controller().stats().map(st -> st.backends().get(key)).ifPresent(b -> b.servers()
                .forEach(s -> out.put(s.address(), s.weight())));
        return out;
    }

    /** Types {@code value} over the input's value, as a user selecting it all first. */
    private static void typeWeight(WebElement input, String value) {
        input.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"), value);
    }

    private long statusReloads() {
        return api.get("/status").json().path("haproxy").path("reloads").asLong(-1);
    }

    /** Whether the split dialog is inside the window and needs no scrolling sideways. */
    private boolean dialogFits() {
        return Boolean.TRUE.equals(browser.js("const d = document.getElementById('split-dialog');"
                + " const r = d.getBoundingClientRect(); return r.left >= 0"
                + " && r.right <= document.documentElement.clientWidth && d.scrollWidth <= d.clientWidth;"));
    }

    /** The split dialog of web with every weight 0: refused in the page, Enter does nothing, Escape closes it. */
    private void refusedInThePage() {
        browser.find("#backend-web button.split").click();
        browser.await(3, "the split dialog again", d -> browser.find("#split-dialog").isDisplayed());
        assertThat(browser.find("#split-rows input[data-version='2.0.0']").getDomProperty("value")).isEqualTo("10");
        assertThat(browser.find("#split-total").getText()).isEqualTo("These are the weights in use now.");
        assertThat(browser.find("#split-total").getAttribute("class")).as("a remark, not shown as a mistake")
                .doesNotContain("bad");
        for (String v : List.of("1.0.0", "2.0.0")) {
            WebElement in = browser.find("#split-rows input[data-version='" + v + "']");
            typeWeight(in, "0");
        }
        browser.await(2, "all zero refused", d -> browser.find("#split-total").getText().startsWith(
                "Every weight is 0: give at least one version a weight above 0"));
        assertThat(browser.find("#split-confirm").isEnabled()).isFalse();
        assertThat(browser.find("#split-text").getText()).isEmpty();
        browser.find("#split-rows input[data-version='2.0.0']").sendKeys(org.openqa.selenium.Keys.ENTER);
        assertThat(browser.find("#split-dialog").isDisplayed()).as("Enter does not submit a refused split").isTrue();
        assertThat(dialogFits()).as("the dialog fits a phone-wide window, with no scrolling sideways").isTrue();
        browser.screenshot("version-split-refused-phone");
        browser.find("#split-rows input[data-version='2.0.0']").sendKeys(org.openqa.selenium.Keys.ESCAPE);
        browser.await(3, "the dialog closed", d -> !browser.find("#split-dialog").isDisplayed());
        browser.await(3, "no horizontal scrolling", d -> {
            var sz = browser.sizes();
            return ((Number) sz.get("scroll")).intValue() <= ((Number) sz.get("inner")).intValue();
        });
    }

    @Test
    @Order(8)
    void splitDialogSetsAWeightedSplitWithoutReloadAndRefusesWhatCannotBeSplit() {
        browser.open(ui());
        awaitLive();
        browser.await(5, "the member rows", d -> "UP".equals(memberStatus(blue1.port())));
        long reloads = backplane.controller().reloadCount();
        long statusReloads = statusReloads();
        assertThat(statusReloads).isEqualTo(reloads);
        String blue = "127.0.0.1:" + blue1.port();
        String canaryAddr = "127.0.0.1:" + green.port();

        // open the dialog by keyboard: it lists the versions with their instance counts, the canary focused
        browser.await(5, "the versions loaded", d -> browser.find("#backend-web select.version-select").getText()
                .contains("2.0.0 (1 instance)"));
        browser.find("#backend-web button.split").sendKeys(org.openqa.selenium.Keys.ENTER);
        browser.await(3, "the split dialog", d -> browser.find("#split-dialog").isDisplayed());
        assertThat(browser.find("#split-title").getText()).isEqualTo("Split the traffic of web");
        assertThat(browser.find("#split-rows").getText()).contains("1.0.0 (2 instances)", "2.0.0 (1 instance)");
        WebElement stable = browser.find("#split-rows input[data-version='1.0.0']");
        WebElement canary = browser.find("#split-rows input[data-version='2.0.0']");
        assertThat(browser.driver.switchTo().activeElement()).isEqualTo(canary);
        assertThat(stable.getDomProperty("value")).isEqualTo("100");
        assertThat(canary.getDomProperty("value")).isEqualTo("0");
        assertThat(browser.find("#split-confirm").isEnabled()).as("nothing to split yet").isFalse();
        assertThat(browser.find("#split-total").getText()).contains("use Switch");

        typeWeight(canary, "10");
        browser.await(2, "the sum refused", d -> browser.find("#split-total").getText()
                .equals("The weights add up to 110 %, not 100 %: 10 % too many."));
        assertThat(browser.find("#split-confirm").isEnabled()).isFalse();
        typeWeight(stable, "90");
        browser.await(2, "a valid split", d -> browser.find("#split-total").getText().equals("Total 100 %."));
        assertThat(browser.find(".split-row[data-version='1.0.0'] .split-serves").getText()).isEqualTo("serves 90 %");
        assertThat(browser.find(".split-row[data-version='2.0.0'] .split-serves").getText()).isEqualTo("serves 10 %");
        assertThat(browser.find("#split-text").getText()).isEqualTo("Split backend web between myapp@1.0.0 at 90 %"
                + " (2 instances), myapp@2.0.0 at 10 % (1 instance)? HAProxy's weights change through its runtime"
                + " API without a reload.");
        assertThat(dialogFits()).as("the dialog fits the window, with no scrolling sideways").isTrue();
        browser.screenshot("version-split-dialog");
        browser.find("#split-confirm").click();

        // the card, the API and HAProxy have the split: weights changed at run time, no reload
        browser.await(5, "the split on the card", d -> browser.first("#backend-web .split-weights") != null
                && browser.find("#backend-web .split-weights").getText().equals("split 90 / 10: 1.0.0 · 2.0.0"));
        assertThat(browser.find("#backend-web .service").getText()).isEqualTo("myapp@1.0.0 90 % · 2.0.0 10 %");
        browser.await(3, "the note", d -> browser.find("#backend-web .switch-note").getText().equals(
                "Split set: 1.0.0 90 % · 2.0.0 10 %, through HAProxy's runtime API without a reload."));
        var backend = api.get("/backends/web").json();
        assertThat(backend.get("versions").get("1.0.0").asInt()).isEqualTo(90);
        assertThat(backend.get("versions").get("2.0.0").asInt()).isEqualTo(10);
        assertThat(backend.get("version").asText()).isEqualTo("1.0.0");
        var expected = io.thalassa.SplitWeights.weights(io.thalassa.VersionSplit.of(java.util.Map.of("1.0.0", 90,
                "2.0.0", 10)), java.util.Map.of("1.0.0", 2, "2.0.0", 1)); // blue-2 is down but registered
        TestStack.await(() -> {
            var w = weights("web");
            return w.getOrDefault(blue, 0).equals(expected.get("1.0.0"))
                    && w.getOrDefault(canaryAddr, 0).equals(expected.get("2.0.0"));
        });
        java.util.Set<String> answers = new java.util.HashSet<>();
        for (int i = 0; i < 200 && answers.size() < 2; i++) {
            answers.add(NamedHttpServer.answerOf(frontendPort));
        }
        assertThat(answers).as("both versions serve within 200 requests").containsExactlyInAnyOrder("200 blue-1",
                "200 green");
        java.util.regex.Pattern served = java.util.regex.Pattern.compile(
                "served in the last minute: 1\\.0\\.0 [0-9.]+ % · 2\\.0\\.0 [0-9.]+ %");
        // 1.0.0's member joins with the split: in service once its first check passed, then ramped up over the
        // backend's slowstart (10 s), so both versions serve within a few polls
        browser.await(40, "the served shares of both versions", d -> {
            for (int i = 0; i < 20; i++) {
                NamedHttpServer.answerOf(frontendPort);
            }
            String text = browser.find("#backend-web .split-served").getText();
            if (!served.matcher(text).matches()) {
                return false;
            }
            double share = Double.parseDouble(text.replaceAll(".*2\\.0\\.0 ([0-9.]+) %$", "$1"));
            return share >= 1.0 && share <= 99.0;
        });
        assertThat(backplane.controller().reloadCount()).as("reloads for the split").isEqualTo(reloads);
        assertThat(statusReloads()).as("/status haproxy.reloads").isEqualTo(statusReloads);
        browser.screenshot("overview-split");

        // all weights 0: refused in the page, nothing sent (in a phone-wide window)
        browser.size(390, 844);
        try {
            refusedInThePage();
        } finally {
            browser.size(1400, 1000);
        }
        assertThat(browser.driver.switchTo().activeElement().getText()).isEqualTo("Split…");
        assertThat(api.get("/backends/web").json().get("versions").toString()).isEqualTo("{\"1.0.0\":90,\"2.0.0\":10}");

        // back to one version: the switch, to the split's primary version too
        String select = "#backend-web select.version-select";
        assertThat(new Select(browser.find(select)).getOptions().stream().map(WebElement::getText).toList())
                .containsExactly("1.0.0 (2 instances) · in split 90 %", "2.0.0 (1 instance) · in split 10 %");
        new Select(browser.find(select)).selectByValue("1.0.0");
        assertThat(browser.find("#backend-web button.switch").isEnabled()).isTrue();
        browser.find("#backend-web button.switch").click();
        browser.await(3, "the switch's confirmation", d -> browser.find("#switch-dialog").isDisplayed());
        assertThat(browser.find("#switch-text").getText()).startsWith("Switch backend web from myapp@1.0.0 90 %"
                + " · 2.0.0 10 % to myapp@1.0.0? Its 1 member(s) of 2.0.0 drain");
        browser.find("#switch-confirm").click();
        browser.await(5, "the backend on 1.0.0 alone",
                d -> browser.find("#backend-web .service").getText().equals("myapp@1.0.0"));
        assertThat(browser.first("#backend-web .split-line")).isNull();
        assertThat(api.get("/backends/web").json().has("versions")).isFalse();
        TestStack.await(() -> !weights("web").containsKey(canaryAddr));
        assertThat(backplane.controller().reloadCount()).as("reloads for the split and back").isEqualTo(reloads);
                // a balance that ignores runtime weights: the API refuses, the note says why in its words
        assertThat(api.put("/backends/hashed", "{'type':'dynamic','name':'myapp','version':'1.0.0',"
                + "'balance':'source'}").status()).isEqualTo(200);
        try {
            browser.await(5, "the hashed card with its versions", d -> browser.first("#backend-hashed button.split")
                    != null && browser.find("#backend-hashed select.version-select").getText().contains("2.0.0"));
            browser.find("#backend-hashed button.split").click();
            browser.await(3, "the split dialog for hashed", d -> browser.find("#split-dialog").isDisplayed());
            WebElement hashedCanary = browser.find("#split-rows input[data-version='2.0.0']");
            typeWeight(hashedCanary, "5");
            WebElement hashedStable = browser.find("#split-rows input[data-version='1.0.0']");
            typeWeight(hashedStable, "95");
            browser.await(2, "a valid split", d -> browser.find("#split-confirm").isEnabled());
            browser.find("#split-confirm").click();
            WebElement note = browser.find("#backend-hashed .switch-note");
            browser.await(5, "the refusal", d -> note.getText().startsWith("Split refused: "));
            assertThat(note.getText()).contains("balance source ignores them", "(field versions)");
            assertThat(note.getAttribute("role")).isEqualTo("alert");
            assertThat(api.get("/backends/hashed").json().has("versions")).isFalse();
            // the browser logs the refused request itself; nothing else
            assertThat(browser.consoleErrors(m -> m.contains("/backends/hashed - Failed to load resource")
                    && m.contains("400"))).as("browser console errors").isEmpty();
        } finally {
            assertThat(api.delete("/backends/hashed").status()).isEqualTo(200);
        }
    }

    /** Requests through HAProxy from a thread until the answer is closed. */
    private AutoCloseable traffic() {
        java.util.concurrent.atomic.AtomicBoolean on = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread t = new Thread(() -> {
            while (on.get()) {
                NamedHttpServer.answerOf(frontendPort);
            }
        }, "webui-traffic");
        t.setDaemon(true);
        t.start();
        return () -> {
            on.set(false);
            t.join(10_000);
        };
    }

    /** Clicks {@code css}, again if live data replaced the element meanwhile. */
    private void click(String css) {
        browser.await(5, "a click on " + css, d -> {
            browser.find(css).click();
            return true;
        });
    }

    private String rolloutState() {
        return (String) browser.js("const r = document.querySelector('#backend-web .rollout');"
                + " return r && !r.hidden ? r.dataset.state : null;");
    }

    @Test
    @Order(9)
    void rolloutFromTheCardShowsItsProgressAgainstTheGuardAndAbortsOrFinishes() throws Exception {
        try {
            rolloutFromTheCard();
        } finally { // the tests after this one start from web on 1.0.0 with no rollout, also when it failed
            api.delete("/backends/web/rollout");
            assertThat(api.post("/backends/web", "{'version':'1.0.0'}").status()).isEqualTo(200);
        }
    }

    private void rolloutFromTheCard() throws Exception {
        browser.open(ui());
        awaitLive();
        browser.await(10, "the versions loaded", d -> browser.first("#backend-web select.version-select") != null
                && browser.find("#backend-web select.version-select").getText().contains("2.0.0 (1 instance)"));
        long reloads = backplane.controller().reloadCount();
        browser.find("#backend-web button.rollout-start").click();
        browser.await(3, "the rollout dialog", d -> browser.find("#rollout-dialog").isDisplayed());
        assertThat(new Select(browser.find("#rollout-version")).getFirstSelectedOption().getText())
                .isEqualTo("2.0.0 (1 instance)");
        typeWeight(browser.find("#rollout-steps"), "50, 100, 75");
        browser.await(2, "steps refused in the page", d -> browser.find("#rollout-check").getText()
                .contains("Steps increase strictly"));
        assertThat(browser.find("#rollout-confirm").isEnabled()).isFalse();
        typeWeight(browser.find("#rollout-steps"), "50, 100");
        typeWeight(browser.find("#rollout-seconds"), "3");
        typeWeight(browser.find("#rollout-min"), "5");
        browser.await(2, "a valid plan", d -> browser.find("#rollout-confirm").isEnabled());
        assertThat(browser.find("#rollout-text").getText()).startsWith("Move web from myapp@1.0.0 to 2.0.0"
                + " (1 instance) in steps of 50, 100 %, each at least 3 s");
        browser.screenshot("rollout-dialog");
        browser.find("#rollout-confirm").click();

        browser.await(5, "the rollout on the card", d -> "running".equals(rolloutState()));
        assertThat(browser.text("#backend-web .rollout-head"))
                .isEqualTo("Rollout 1.0.0 → 2.0.0, step 1 of 2: 50 % to 2.0.0 · running");
        click("#backend-web .rollout-pause");
        String[] state = {""};
        try {
            browser.await(15, "paused", d -> "paused".equals(state[0] = rolloutState()));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("the card's rollout is " + state[0] + "; the API's: "
                    + api.get("/backends/web/rollout"), e);
        }
        try (AutoCloseable load = traffic()) {
            browser.await(15, "numbers of the new version", d -> browser.find(
                    "#backend-web .rollout-numbers tr[data-version='2.0.0'] td").getText().matches("[1-9][0-9]*"));
            browser.screenshot("rollout-progress");
            click("#backend-web .rollout-abort");
            browser.await(5, "aborted, back on 1.0.0", d -> "aborted".equals(rolloutState()));
            assertThat(browser.text("#backend-web .rollout-reason")).startsWith("aborted by hand at step 1");
            browser.await(5, "the card back on 1.0.0",
                    d -> browser.find("#backend-web .service").getText().equals("myapp@1.0.0"));
            browser.screenshot("rollout-aborted");

            // again from the API, to the end: the card follows it live
            assertThat(api.post("/backends/web/rollout", "{'version':'2.0.0','steps':[50,100],'stepSeconds':2,"
                    + "'guard':{'minRequests':5}}").status()).isEqualTo(201);
            browser.await(60, "done", d -> "done".equals(rolloutState()));
        }
        assertThat(browser.text("#backend-web .rollout-head"))
                .isEqualTo("Rollout 1.0.0 → 2.0.0, done: web serves 2.0.0");
        browser.await(5, "the card on 2.0.0", d -> browser.find("#backend-web .service").getText()
                .equals("myapp@2.0.0"));
        browser.screenshot("rollout-done");
        assertThat(backplane.controller().reloadCount()).as("reloads for the rollouts").isEqualTo(reloads);
    }

    @Test
    @Order(10)
    void historyListsTheRevisionsWithTheirDiffAndRevertsAfterAConfirmation() {
        assertThat(api.put("/backends/extra", "{'type':'static','members':[{'host':'127.0.0.1','port':"
                + blue1.port() + "}]}").status()).isEqualTo(200);
        long before = api.get("/history?limit=2").json().get("revisions").get(1).get("revision").asLong();
        browser.open(ui() + "#/history");
        browser.await(10, "the revisions", d -> browser.all("#history-list tr").size() >= 3);
        WebElement latest = browser.find("#history-list tr");
        assertThat(latest.getText()).contains("backend/extra (added)");
        browser.await(5, "the latest diff", d -> browser.find("#history-diff").getText().contains("backend/extra"));
        click("#history-list tr[data-revision='" + before + "'] th a");
        browser.await(5, "the diff of the rollout's end", d -> browser.find("#history-diff-title").getText()
                .equals("Revision " + before));
        browser.screenshot("history");
        click("#history-list tr[data-revision='" + before + "'] button.revert");
        browser.await(3, "the confirmation", d -> browser.find("#revert-dialog").isDisplayed());
        assertThat(browser.find("#revert-text").getText()).startsWith("Put the frontends and backends back as they"
                + " were right after revision " + before);
        browser.screenshot("history-revert-confirm");
        browser.find("#revert-confirm").click();
        browser.await(15, "reverted", d -> browser.find("#history-note").getText().startsWith(
                "Reverted to revision " + before));
        assertThat(api.get("/backends/extra").status()).isEqualTo(404);
    }

    @Test
    @Order(11)
    @Timeout(value = 300) // 1,000 PUTs are about 120 validations and reloads of a growing file: 90 s idle, more loaded
    void overviewWith1000BackendsLoadsAPageAndKeepsItsCardsOnTicks() throws Exception {
        browser.open(ui());
        awaitLive();
        int count = 1000;
        int member = blue1.port(); // UP; one check per backend every 10 s
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> puts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String key = String.format("b%04d", i);
                puts.add(pool.submit(() -> api.put("/backends/" + key, "{'type':'static','members':[{'host':"
                        + "'127.0.0.1','port':" + member + "}],'health':{'interval':'10000'}}").status()));
            }
            for (Future<Integer> f : puts) {
                assertThat(f.get(120, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        int total = api.get("/backends").json().size(); // the 1,000 and web
        // the page left open got them pushed, through the reloads they caused, still connected
        browser.await(30, "every backend pushed to the open page",
                d -> browser.find("#backend-count").getText().equals("(" + total + ")"));
        assertThat(browser.find("#connection").getAttribute("data-state")).isEqualTo("live");
        long start = System.nanoTime();
        browser.open(ui());
        browser.await(30, "every backend counted", d -> browser.find("#backend-count").getText().equals("(" + total + ")"));
        long loadMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long pageMs = Long.parseLong(browser.find("#page-overview").getAttribute("data-loaded-ms"));
        // above 50 backends: the compact table, one page of rows, the unhealthy first (web: blue-2 is DOWN)
        browser.await(10, "the table", d -> browser.all("#backend-table tbody tr").size() == 50);
        assertThat(browser.all("#backend-list > li")).as("no cards under the table").isEmpty();
        assertThat(browser.find("#backend-tools").isDisplayed()).as("no second filter, the cards', under the table")
                .isFalse();
        browser.await(15, "live data in the table", d -> browser.find("#backend-table tr[data-key='b0000'] .badge")
                .getText().equals("UP"));
        // once every b* backend's member is UP, web (one member DOWN) is the only unhealthy one: first
        browser.await(90, "web first", d -> browser.find("#backend-table tbody tr").getAttribute("data-key")
                .equals("web"));
        List<Integer> priorities = browser.all("#backend-table tbody tr").stream()
                .map(tr -> Integer.parseInt(tr.getAttribute("data-priority"))).toList();
        assertThat(priorities).isSorted();
        assertThat(browser.find("#backend-table tbody tr").getText()).contains("1/2", "myapp@1.0.0");
        browser.screenshot("overview-1000");
        click("#backend-table th[data-column='key'] button");
        click("#backend-table th[data-column='key'] button");
        browser.await(3, "sorted by name, descending", d -> "descending".equals(browser.find(
                "#backend-table th[data-column='key']").getAttribute("aria-sort"))
                && browser.find("#backend-table tbody tr").getAttribute("data-key").equals("web"));
        browser.find("#backend-table-filter").sendKeys("b0999");
        browser.await(3, "one match", d -> browser.all("#backend-table tbody tr").size() == 1);
        click("#backend-table tr[data-key='b0999']");
        browser.await(5, "its card", d -> browser.first("#backend-detail #backend-b0999") != null
                && browser.find("#backend-detail").isDisplayed());
        browser.screenshot("overview-1000-card");
        click("#backend-detail-close");

        // the cards on request: one page of them, kept across ticks
        click("#backend-view");
        browser.await(5, "cards", d -> browser.all("#backend-list > li").size() == 12);
        assertThat(browser.find("#backend-table-wrap").isDisplayed()).as("the table is gone with the cards").isFalse();
        browser.await(15, "live data on the page", d -> browser.find("#backend-b0000 .badge").getText()
                .equals("UP"));
        browser.js("document.getElementById('backend-b0000').dataset.probe = 'kept';");
        long ticks = System.nanoTime();
        browser.await(10, "two stats ticks", d -> TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - ticks) >= 5);
        assertThat(browser.find("#backend-b0000").getAttribute("data-probe")).as("card kept across ticks")
                .isEqualTo("kept");
        click("#backend-tools .pager-next");
        browser.await(3, "page 2", d -> browser.find("#backend-tools .pager-range").getText()
                .equals("13–24 of " + total));
        browser.find("#backends-filter").sendKeys("b0999");
        browser.await(3, "one match", d -> browser.all("#backend-list > li").size() == 1
                && browser.find("#backend-count").getText().equals("(1 of " + total + ")"));
        click("#backend-view");
        System.out.printf("web-ui backends=%d load_ms=%d page_loaded_ms=%d rows=50%n", total, loadMs, pageMs);
        assertThat(loadMs).as("overview load with 1,001 backends").isLessThan(15_000);
    }

    @Test
    @Order(12)
    void aSplitBackendShowsItsSplitAndTheShareEachVersionServed() {
        // the reloads the tests before caused are done first: this one counts its own (none)
        TestStack.await(() -> backplane.status().haproxy().pending().isEmpty());
        long reloads = backplane.controller().reloadCount();
        var split = api.post("/backends/web", "{'versions':{'1.0.0':50,'2.0.0':50}}");
        assertThat(split.status()).as(split.toString()).isEqualTo(200);
        browser.open(ui());
        awaitLive();
        browser.await(30, "the table", d -> browser.first("#backend-table-filter") != null
                && browser.first("#backend-table tr[data-key='web']") != null);
        browser.find("#backend-table tr[data-key='web']").click(); // a row opens its card
        browser.await(10, "the split on the card", d -> browser.first("#backend-web .service") != null
                && browser.find("#backend-web .service").getText().equals("myapp@1.0.0 50 % · 2.0.0 50 %"));
        // traffic through HAProxy: blue-1 (1.0.0; blue-2 is down) and green (2.0.0) answer, and the card shows
        // what each version served since the last poll
        java.util.regex.Pattern served = java.util.regex.Pattern.compile(
                "served in the last minute: 1\\.0\\.0 [0-9.]+ % · 2\\.0\\.0 [0-9.]+ %");
        // 1.0.0's member joins with the split: in service once its first check passed, then ramped up over the
        // backend's slowstart (10 s), so both versions serve within a few polls
        browser.await(40, "the served shares of both versions", d -> {
            for (int i = 0; i < 20; i++) {
                NamedHttpServer.answerOf(frontendPort);
            }
            String text = browser.find("#backend-web .split-served").getText();
            if (!served.matcher(text).matches()) {
                return false;
            }
            double share = Double.parseDouble(text.replaceAll(".*2\\.0\\.0 ([0-9.]+) %$", "$1"));
            return share >= 1.0 && share <= 99.0;
        });
        String line = browser.find("#backend-web .split-served").getText();
        double canary = Double.parseDouble(line.replaceAll(".*2\\.0\\.0 ([0-9.]+) %$", "$1"));
        assertThat(canary).as(line).isBetween(1.0, 99.0); // both versions served
        assertThat(backplane.controller().reloadCount()).as("reloads for the split").isEqualTo(reloads);
    }
}

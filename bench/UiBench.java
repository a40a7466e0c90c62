import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Load time of the web UI's overview with N backends, run by bench/ui.sh: starts {@code thalassa.jar} on free
 * loopback ports, PUTs N static backends (one member each, a small HTTP server here, so they are UP), then opens the
 * overview in headless Chromium R times and measures navigation to "all backends counted, first page shown", the
 * page's own time to its first render, the cards in the DOM, a filter and a page turn, the JS heap, and the size of
 * the /ws greeting. Everything on 127.0.0.1; every loop bounded; the daemon and its HAProxy are stopped by pid.
 *
 * <pre>UiBench &lt;thalassa.jar&gt; &lt;workdir&gt; &lt;backends&gt; &lt;runs&gt;</pre>
 */
public class UiBench {
    static final String HAPROXY = System.getenv().getOrDefault("THALASSA_HAPROXY_BINARY", "haproxy");
    static Process daemon;
    static Path dir;
    static HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]).toAbsolutePath();
        dir = Path.of(args[1]).toAbsolutePath();
        int backends = Integer.parseInt(args[2]);
        int runs = Integer.parseInt(args[3]);
        Files.createDirectories(dir);
        com.sun.net.httpserver.HttpServer app = com.sun.net.httpserver.HttpServer.create(
                new InetSocketAddress("127.0.0.1", 0), 64);
        app.createContext("/", x -> {
            byte[] b = "app".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, b.length);
            try (OutputStream o = x.getResponseBody()) {
                o.write(b);
            }
        });
        app.setExecutor(Executors.newFixedThreadPool(2));
        app.start();
        int code = 0;
        try {
            run(jar, backends, runs, app.getAddress().getPort());
        } catch (Exception e) {
            e.printStackTrace();
            code = 1;
        } finally {
            stop();
            app.stop(0);
        }
        System.exit(code);
    }

    static void run(Path jar, int backends, int runs, int appPort) throws Exception {
        int port = freePort();
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms32m", "-Xmx128m", "-XX:+UseSerialGC", "-jar", jar.toString(), "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--registrationPort", Integer.toString(freePort()),
                "--statsPort", Integer.toString(freePort()), "--haproxyBinary", HAPROXY,
                "--haproxyCfgPath", dir.resolve("haproxy.cfg").toString(),
                "--haproxySocketPath", dir.resolve("haproxy.sock").toString(),
                "--haproxyPidPath", dir.resolve("haproxy.pid").toString(),
                "--dbPath", dir.resolve("db").toString());
        daemon = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile())
                .start();
        Files.writeString(dir.resolve("daemon.pid"), daemon.pid() + "\n");
        String api = "http://127.0.0.1:" + port;
        for (int i = 0; i < 300 && status(api + "/status") != 200; i++) {
            Thread.sleep(100);
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> puts = new ArrayList<>();
            for (int i = 0; i < backends; i++) {
                String key = String.format(Locale.ROOT, "b%04d", i);
                String body = "{\"type\":\"static\",\"members\":[{\"host\":\"127.0.0.1\",\"port\":" + appPort + "}],"
                        + "\"health\":{\"interval\":\"10000\"}}";
                puts.add(pool.submit(() -> client.send(HttpRequest.newBuilder(URI.create(api + "/backends/" + key))
                        .timeout(Duration.ofSeconds(60)).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode()));
            }
            for (Future<Integer> f : puts) {
                if (f.get(120, TimeUnit.SECONDS) != 200) {
                    throw new IllegalStateException("a PUT failed");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        System.err.println("setup: " + backends + " backends");
        // wait until HAProxy serves them all (the live view counts them UP), bounded
        for (int i = 0; i < 600; i++) {
            String members = body(api + "/backends/b" + String.format(Locale.ROOT, "%04d", backends - 1)
                    + "/members?status=true");
            if (members.contains("\"status\":\"UP\"")) {
                break;
            }
            Thread.sleep(100);
        }
        long greeting = greetingBytes(port);

        Path profile = Files.createTempDirectory(dir, "chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getenv().getOrDefault("THALASSA_CHROMIUM", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriver driver = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(
                new File(System.getenv().getOrDefault("THALASSA_CHROMEDRIVER", "/usr/bin/chromedriver")))
                .usingAnyFreePort().build(), options);
        List<Long> loads = new ArrayList<>();
        List<Long> ready = new ArrayList<>();
        long cards = 0;
        long filterMs = 0;
        long pageMs = 0;
        double heapMb = 0;
        String expected = "(" + backends + ")";
        try {
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60), Duration.ofMillis(10));
            for (int r = 0; r < runs; r++) {
                driver.get("about:blank");
                long t = System.nanoTime();
                driver.get(api + "/");
                wait.until(d -> d.findElement(By.id("backend-count")).getText().equals(expected)
                        && !d.findElements(By.cssSelector("#backend-b0000 .badge")).isEmpty()
                        && d.findElement(By.cssSelector("#backend-b0000 .badge")).getText().equals("UP"));
                loads.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
                ready.add(Long.parseLong(driver.findElement(By.id("page-overview")).getAttribute("data-loaded-ms")));
            }
            cards = driver.findElements(By.cssSelector("#backend-list > li")).size();
            long t = System.nanoTime();
            driver.findElement(By.id("backends-filter")).sendKeys(String.format(Locale.ROOT, "b%04d", backends - 1));
            wait.until(d -> d.findElements(By.cssSelector("#backend-list > li")).size() == 1);
            filterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
            driver.findElement(By.id("backends-filter")).clear();
            driver.executeScript("document.getElementById('backends-filter').dispatchEvent(new Event('input'))");
            wait.until(d -> d.findElements(By.cssSelector("#backend-list > li")).size() == 12);
            t = System.nanoTime();
            driver.findElement(By.cssSelector("#backend-tools .pager-next")).click();
            wait.until(d -> !d.findElements(By.id("backend-b0012")).isEmpty());
            pageMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
            Thread.sleep(5000); // a few stats ticks on the open page
            Object heap = driver.executeScript("return performance.memory ? performance.memory.usedJSHeapSize : 0;");
            heapMb = ((Number) heap).doubleValue() / (1 << 20);
        } finally {
            driver.quit();
        }
        List<Long> sorted = new ArrayList<>(loads);
        Collections.sort(sorted);
        Collections.sort(ready);
        System.err.println("loads (ms): " + loads + ", page ready (ms since navigation start): " + ready);
        System.out.printf(Locale.ROOT, "backends=%d runs=%d load_first_ms=%d load_median_ms=%d page_ready_median_ms=%d "
                        + "dom_cards=%d filter_ms=%d next_page_ms=%d js_heap_mb=%.1f ws_greeting_kb=%d%n", backends,
                runs, loads.get(0), sorted.get(sorted.size() / 2), ready.get(ready.size() / 2), cards, filterMs, pageMs,
                heapMb, greeting / 1024);
    }

    /** Bytes of the first four /ws messages (hello, config, history, live) on a new connection. */
    static long greetingBytes(int port) throws Exception {
        AtomicLong bytes = new AtomicLong();
        CompletableFuture<Void> done = new CompletableFuture<>();
        WebSocket ws = client.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port
                + "/ws?stats=false"), new WebSocket.Listener() {
                    int messages;

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        bytes.addAndGet(data.toString().getBytes(StandardCharsets.UTF_8).length);
                        if (last && ++messages == 4) {
                            done.complete(null);
                        }
                        w.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        done.get(30, TimeUnit.SECONDS);
        ws.abort();
        return bytes.get();
    }

    static int status(String url) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static String body(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** The daemon by its pid (TERM, then KILL after 20 s), then the HAProxy master of the pid file in our dir. */
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.destroy();
            if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
        Path pidFile = dir.resolve("haproxy.pid");
        if (Files.exists(pidFile)) {
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            ProcessHandle.of(pid).filter(p -> p.info().commandLine().orElse("").contains(dir.toString()))
                    .ifPresent(p -> {
                        p.destroy();
                        try {
                            p.onExit().get(10, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            p.destroyForcibly();
                        }
                    });
        }
    }
}

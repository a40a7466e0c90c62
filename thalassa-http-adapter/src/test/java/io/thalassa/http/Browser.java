package io.thalassa.http;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium under ChromeDriver for the web UI's tests, with a fresh profile; screenshots go to
 * {@code target/ui/} of the module (never into the source tree: {@code scripts/refresh-screenshots.sh} copies them to
 * the README's {@code docs/ui/} on purpose), the browser console is read with {@link #consoleErrors}.
 */
final class Browser implements AutoCloseable {
    static final String CHROMIUM = System.getenv().getOrDefault("THALASSA_CHROMIUM", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getenv().getOrDefault("THALASSA_CHROMEDRIVER", "/usr/bin/chromedriver");
    /** Where the screenshots go: target/ui/ of the module (the tests run in the module's directory). */
    static final Path SHOTS = Path.of("target", "ui");

    final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts Chromium headless; fails saying how to install it when it or ChromeDriver is missing. */
    static Browser start(Path workDir) throws IOException {
        for (String binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(Path.of(binary))) {
                throw new IllegalStateException(binary + " is not installed: run bash scripts/install-tools.sh (it "
                        + "installs Debian's chromium and chromium-driver), or set THALASSA_CHROMIUM and "
                        + "THALASSA_CHROMEDRIVER");
            }
        }
        Path profile = Files.createDirectories(workDir.resolve("chromium-profile"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--user-data-dir=" + profile.toAbsolutePath());
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        return new Browser(driver, profile);
    }

    void open(String url) {
        driver.get(url);
    }

    /** Waits up to {@code seconds} for {@code condition}; fails with {@code what}. */
    <T> T await(double seconds, String what, java.util.function.Function<ChromeDriver, T> condition) {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofMillis((long) (seconds * 1000)),
                Duration.ofMillis(50));
        wait.withMessage(what);
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class); // live updates replace elements
        return wait.until(d -> condition.apply((ChromeDriver) d));
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /** The text of {@code css}, read again if live data replaced the element while it was read. */
    String text(String css) {
        for (int attempt = 1; ; attempt++) {
            try {
                return find(css).getText();
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** The first element for {@code css}, or null. */
    WebElement first(String css) {
        List<WebElement> found = all(css);
        return found.isEmpty() ? null : found.get(0);
    }

    Object js(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    /**
     * A PNG of the whole page (the window made as tall as the page, up to 2,400 px, then set back) into
     * target/ui/{@code name}.png.
     */
    Path screenshot(String name) {
        org.openqa.selenium.Dimension before = driver.manage().window().getSize();
        try {
            Files.createDirectories(SHOTS);
            Path file = SHOTS.resolve(name + ".png");
            long height = ((Number) js("return document.documentElement.scrollHeight;")).longValue();
            long chrome = before.getHeight() - ((Number) js("return window.innerHeight;")).longValue();
            int tall = (int) Math.min(2400, Math.max(before.getHeight(), height + chrome));
            if (tall != before.getHeight()) {
                driver.manage().window().setSize(new org.openqa.selenium.Dimension(before.getWidth(), tall));
                Thread.sleep(300); // layout and charts settle
            }
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            driver.manage().window().setSize(before);
        }
    }

    /** The console's errors since the last call, except those {@code expected} accepts. */
    List<String> consoleErrors(Predicate<String> expected) {
        List<String> out = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue() && !expected.test(e.getMessage())) {
                out.add(e.getMessage());
            }
        }
        return out;
    }

    List<String> consoleErrors() {
        return consoleErrors(m -> false);
    }

    void size(int width, int height) {
        driver.manage().window().setSize(new org.openqa.selenium.Dimension(width, height));
    }

    Map<String, Object> sizes() {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) js("return {scroll: document.documentElement.scrollWidth,"
                + " inner: document.documentElement.clientWidth};");
        return m;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            deleteQuietly(profile);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temp dir; JUnit removes what is left
        }
    }
}

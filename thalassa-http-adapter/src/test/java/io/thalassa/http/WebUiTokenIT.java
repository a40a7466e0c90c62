package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With --tokens the UI asks once for a token, keeps it for the browser session and opens /ws with it. */
class WebUiTokenIT {
    @TempDir
    Path dir;

    @Test
    void theUiAsksOnceForATokenAndKeepsItForTheSession() throws Exception {
        try (TestStack stack = TestStack.start(dir, "--tokens", AuthIT.tokensFile(dir).toString());
                Browser browser = Browser.start(dir)) {
            assertThat(stack.api.put("/backends/web", "{'type':'static'}", "Authorization", "Bearer " + AuthIT.ADMIN)
                    .status()).isEqualTo(200);
            browser.open("http://127.0.0.1:" + stack.server.port() + "/");
            browser.await(10, "the sign-in dialog", d -> (Boolean) browser.js(
                    "return document.getElementById('token-dialog').open;"));
            assertThat(browser.find("#connection").getAttribute("data-state")).isNotEqualTo("live");
            browser.screenshot("token");
            browser.find("#token-input").sendKeys(AuthIT.READ);
            browser.find("#token-submit").click();
            browser.await(10, "live with the token", d -> "live".equals(browser.find("#connection")
                    .getAttribute("data-state")));
            browser.await(10, "the backend shown", d -> browser.first("#backend-web") != null);
            assertThat(browser.js("return sessionStorage.getItem('thalassa.token');")).isEqualTo(AuthIT.READ);
            assertThat(browser.js("return localStorage.getItem('thalassa.token');")).isNull();

            browser.open("http://127.0.0.1:" + stack.server.port() + "/#/config");
            browser.await(10, "live again without asking", d -> "live".equals(browser.find("#connection")
                    .getAttribute("data-state")));
            assertThat(browser.js("return document.getElementById('token-dialog').open;")).isEqualTo(false);
            browser.await(10, "the config for a reader, secrets hidden", d -> browser.find("#config-text").getText()
                    .contains("<hidden: admin only>"));
        }
    }
}

package io.thalassa.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.ConfigDiff;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxySettings;
import org.junit.jupiter.api.Test;

class ModelExampleTest {
    @Test
    void readmeExampleRendersBothPoolsAndTheHostRule() {
        String text = HaproxyConfigRenderer.defaultTemplate()
                .render(ModelExample.model(), HaproxySettings.defaults()).text();
        assertThat(text).contains("server live_127.0.0.1:8081 127.0.0.1:8081 check inter 5000")
                .contains("server staged_127.0.0.1:8082 127.0.0.1:8082 check inter 2000")
                .containsPattern("acl header_[a-z2-7]{8} hdr_dom\\(host\\) staged.example.com");
    }

    @Test
    void readmeVersionSwitchNeedsNoReload() {
        ThalassaConfig before = ModelExample.model();
        ThalassaConfig after = before.withBackend(before.backend("live").orElseThrow().withService("myapp", "1.1.0"));
        assertThat(ConfigDiff.between(before, after).isMembershipOnly()).isTrue();
    }
}

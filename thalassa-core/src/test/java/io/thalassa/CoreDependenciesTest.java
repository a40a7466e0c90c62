package io.thalassa;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CoreDependenciesTest {
    @Test
    void coreCarriesNeitherGuavaNorOkHttp() {
        assertThatThrownBy(() -> Class.forName("com.google.common.base.Preconditions"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("okhttp3.OkHttpClient")).isInstanceOf(ClassNotFoundException.class);
    }
}

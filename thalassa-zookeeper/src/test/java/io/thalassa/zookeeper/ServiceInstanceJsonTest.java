package io.thalassa.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.Member;
import io.thalassa.spi.Registration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.zookeeper.discovery.ZookeeperInstance;

/** The instance JSON as Curator, Spring Cloud and hand-written clients leave it in ZooKeeper, read without a server. */
class ServiceInstanceJsonTest {
    private static final Instant WRITTEN = Instant.parse("2025-01-02T03:04:05Z");

    private static byte[] utf8(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static <T> byte[] curator(T payload, Class<T> type) throws Exception {
        ServiceInstance<T> instance = ServiceInstance.<T>builder().name("myapp").id("i-1").address("127.0.0.1")
                .port(8080).payload(payload).registrationTimeUTC(1_700_000_000_000L)
                .serviceType(ServiceType.DYNAMIC).build();
        return new JsonInstanceSerializer<>(type).serialize(instance);
    }

    @Test
    void springCloudPayloadGivesItsMetadataAndTheVersionFromIt() {
        byte[] json = utf8("{\"name\":\"myapp\",\"id\":\"3f1c\",\"address\":\"127.0.0.7\",\"port\":8080,"
                + "\"sslPort\":null,\"payload\":{\"@class\":\"org.springframework.cloud.zookeeper.discovery"
                + ".ZookeeperInstance\",\"id\":\"myapp-1\",\"name\":\"myapp\",\"metadata\":{\"version\":\"1.0.0\","
                + "\"zone\":\"a\"}},\"registrationTimeUTC\":1700000000000,\"serviceType\":\"DYNAMIC\","
                + "\"uriSpec\":{\"parts\":[{\"value\":\"scheme\",\"variable\":true},{\"value\":\"://\","
                + "\"variable\":false}]}}");

        ServiceInstanceJson.Instance i = ServiceInstanceJson.parse(json);

        assertThat(i.id()).isEqualTo("3f1c");
        assertThat(i.address()).isEqualTo("127.0.0.7");
        assertThat(i.port()).isEqualTo(8080);
        assertThat(i.enabled()).isTrue();
        assertThat(i.metadata()).containsExactly(Map.entry("version", "1.0.0"), Map.entry("zone", "a"));
        Member m = i.toMember("myapp", "version", WRITTEN);
        assertThat(m).isEqualTo(Member.registered("myapp", "1.0.0", "127.0.0.7", 8080,
                Instant.ofEpochMilli(1_700_000_000_000L), Map.of("version", "1.0.0", "zone", "a")));
    }

    @Test
    void anUnknownPayloadClassWithMetadataIsReadWithoutLoadingTheClass() {
        byte[] json = utf8("{\"address\":\"127.0.0.1\",\"port\":9000,\"payload\":{\"@class\":\"com.example"
                + ".DoesNotExist\",\"metadata\":{\"release\":\"2.1.0\"},\"other\":[1,2]}}");

        ServiceInstanceJson.Instance i = ServiceInstanceJson.parse(json);

        assertThat(i.metadata()).containsExactly(Map.entry("release", "2.1.0"));
        assertThat(i.version("release")).isEqualTo("2.1.0");
        assertThat(i.version("version")).isNull();
    }

    @Test
    void curatorsMapPayloadGivesTheMapWithoutItsClass() throws Exception {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("version", "1.0.0");
        payload.put("weight", 5);
        @SuppressWarnings({"unchecked", "rawtypes"})
        byte[] json = curator((Map) payload, (Class) Map.class);
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"@class\":\"java.util.LinkedHashMap\"");

        ServiceInstanceJson.Instance i = ServiceInstanceJson.parse(json);

        assertThat(i.metadata()).containsExactly(Map.entry("version", "1.0.0"), Map.entry("weight", "5"));
        assertThat(i.registrationTimeUtc()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void aPlainMapPayloadWithoutClassIsTheMetadata() {
        ServiceInstanceJson.Instance i = ServiceInstanceJson.parse(utf8(
                "{\"address\":\"h1.example\",\"port\":\"8080\",\"payload\":{\"version\":\"3\"}}"));

        assertThat(i.port()).isEqualTo(8080);
        assertThat(i.metadata()).containsExactly(Map.entry("version", "3"));
    }

    @Test
    void aScalarOrListPayloadHasNoMetadata() throws Exception {
        byte[] text = curator("just text", String.class);
        @SuppressWarnings({"unchecked", "rawtypes"})
        byte[] list = curator((List) new java.util.ArrayList<>(List.of("version")), (Class) List.class);
        assertThat(new String(text, StandardCharsets.UTF_8)).contains("\"payload\":\"just text\"");
        assertThat(new String(list, StandardCharsets.UTF_8)).contains("[\"java.util.ArrayList\",[\"version\"]]");

        assertThat(ServiceInstanceJson.parse(text).metadata()).isEmpty();
        assertThat(ServiceInstanceJson.parse(list).metadata()).isEmpty();
    }

    @Test
    void aMapInAWrapperArrayIsReadLikeAnyMap() {
        ServiceInstanceJson.Instance i = ServiceInstanceJson.parse(utf8("{\"address\":\"127.0.0.1\",\"port\":1,"
                + "\"payload\":[\"com.example.Meta\",{\"metadata\":{\"version\":\"1.0.0\"}}]}"));

        assertThat(i.version("version")).isEqualTo("1.0.0");
    }

    @Test
    void anAbsentOrNullPayloadHasNoVersionAndSoIsNoMember() throws Exception {
        for (byte[] json : List.of(utf8("{\"address\":\"127.0.0.1\",\"port\":8080}"),
                utf8("{\"address\":\"127.0.0.1\",\"port\":8080,\"payload\":null}"), curator(null, Object.class))) {
            ServiceInstanceJson.Instance i = ServiceInstanceJson.parse(json);

            assertThat(i.metadata()).isEmpty();
            assertThat(i.version("version")).isNull();
            assertThatThrownBy(() -> i.toMember("myapp", "version", WRITTEN))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("no version in its metadata");
        }
    }

    @Test
    void metadataValuesBecomeStringsAndNullsAreLeftOut() {
        ServiceInstanceJson.Instance i = ServiceInstanceJson.parse(utf8("{\"address\":\"127.0.0.1\",\"port\":8080,"
                + "\"payload\":{\"metadata\":{\"version\":1.5,\"canary\":true,\"gone\":null,"
                + "\"tags\":[\"a\",\"b\"],\"limits\":{\"rps\":10}}}}"));

        assertThat(i.metadata()).containsExactly(Map.entry("canary", "true"), Map.entry("limits", "{\"rps\":10}"),
                Map.entry("tags", "[\"a\",\"b\"]"), Map.entry("version", "1.5"));
    }

    @Test
    void aBlankVersionIsNoVersion() {
        ServiceInstanceJson.Instance i = ServiceInstanceJson.parse(utf8("{\"address\":\"127.0.0.1\",\"port\":8080,"
                + "\"payload\":{\"metadata\":{\"version\":\" \"}}}"));

        assertThat(i.version("version")).isNull();
    }

    @Test
    void aDisabledInstanceIsReadAsDisabled() {
        ServiceInstanceJson.Instance i = ServiceInstanceJson.parse(utf8("{\"address\":\"127.0.0.1\",\"port\":8080,"
                + "\"enabled\":false}"));

        assertThat(i.enabled()).isFalse();
    }

    @Test
    void withoutRegistrationTimeTheMemberIsLastKnownWhenTheZnodeWasWritten() {
        ServiceInstanceJson.Instance i = ServiceInstanceJson.parse(utf8("{\"address\":\"127.0.0.1\",\"port\":8080,"
                + "\"payload\":{\"metadata\":{\"version\":\"1.0.0\"}}}"));

        assertThat(i.toMember("myapp", "version", WRITTEN).lastKnown()).isEqualTo(WRITTEN);
    }

    @Test
    void anInvalidVersionOrAddressIsRefusedWhenMadeAMember() {
        ServiceInstanceJson.Instance badVersion = ServiceInstanceJson.parse(utf8("{\"address\":\"127.0.0.1\","
                + "\"port\":8080,\"payload\":{\"metadata\":{\"version\":\"1.0 beta\"}}}"));
        ServiceInstanceJson.Instance badHost = ServiceInstanceJson.parse(utf8("{\"address\":\"not a host\","
                + "\"port\":8080,\"payload\":{\"metadata\":{\"version\":\"1.0.0\"}}}"));

        assertThatThrownBy(() -> badVersion.toMember("myapp", "version", WRITTEN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.0 beta");
        assertThatThrownBy(() -> badHost.toMember("myapp", "version", WRITTEN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a host");
    }

    @Test
    void whatIsNoInstanceIsRefusedSayingWhy() {
        assertThatThrownBy(() -> ServiceInstanceJson.parse(new byte[0])).hasMessage("no data");
        assertThatThrownBy(() -> ServiceInstanceJson.parse(null)).hasMessage("no data");
        assertThatThrownBy(() -> ServiceInstanceJson.parse(utf8("{\"address\":"))).hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> ServiceInstanceJson.parse(utf8("[1]"))).hasMessage("not a JSON object");
        assertThatThrownBy(() -> ServiceInstanceJson.parse(utf8("{\"port\":80}"))).hasMessage("no address");
        assertThatThrownBy(() -> ServiceInstanceJson.parse(utf8("{\"address\":\"h\"}"))).hasMessage("no port");
        assertThatThrownBy(() -> ServiceInstanceJson.parse(utf8("{\"address\":\"h\",\"port\":null}")))
                .hasMessage("no port");
        assertThatThrownBy(() -> ServiceInstanceJson.parse(utf8("{\"address\":\"h\",\"port\":70000}")))
                .hasMessage("port must be in 1..65535: 70000");
        assertThatThrownBy(() -> ServiceInstanceJson.parse(utf8("{\"address\":\"h\",\"port\":80.5}")))
                .hasMessage("port must be a whole number: 80.5");
        assertThatThrownBy(() -> ServiceInstanceJson.parse(utf8("{\"address\":\"h\",\"port\":\"http\"}")))
                .hasMessage("port must be a whole number: \"http\"");
    }

    @Test
    void whatThalassaWritesItReadsBack() {
        Registration r = Registration.of("myapp", "1.0.0", "127.0.0.1", 8080, Map.of("zone", "a", "weight", 5,
                "version", "ignored"), Duration.ofSeconds(30));

        ServiceInstanceJson.Instance i = ServiceInstanceJson.parse(ServiceInstanceJson.write(r, "i-1", "version",
                1_700_000_000_000L));

        assertThat(i.id()).isEqualTo("i-1");
        assertThat(i.toMember("myapp", "version", WRITTEN)).isEqualTo(Member.registered("myapp", "1.0.0",
                "127.0.0.1", 8080, Instant.ofEpochMilli(1_700_000_000_000L),
                Map.of("zone", "a", "weight", "5", "version", "1.0.0")));
    }

    @Test
    void whatThalassaWritesSpringCloudsReaderReads() throws Exception {
        Registration r = Registration.of("myapp", "2.0.0", "127.0.0.1", 8081, Map.of("zone", "b"),
                Duration.ofSeconds(30));

        ServiceInstance<ZookeeperInstance> read = new JsonInstanceSerializer<>(ZookeeperInstance.class)
                .deserialize(ServiceInstanceJson.write(r, "i-2", "version", 1_700_000_000_000L));

        assertThat(read.getName()).isEqualTo("myapp");
        assertThat(read.getId()).isEqualTo("i-2");
        assertThat(read.getAddress()).isEqualTo("127.0.0.1");
        assertThat(read.getPort()).isEqualTo(8081);
        assertThat(read.getServiceType()).isEqualTo(ServiceType.DYNAMIC);
        assertThat(read.getRegistrationTimeUTC()).isEqualTo(1_700_000_000_000L);
        assertThat(read.getPayload().getMetadata()).isEqualTo(Map.of("zone", "b", "version", "2.0.0"));
    }
}

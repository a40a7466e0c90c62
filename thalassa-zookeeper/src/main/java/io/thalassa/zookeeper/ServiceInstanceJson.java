package io.thalassa.zookeeper;

import io.thalassa.Member;
import io.thalassa.spi.Registration;
import java.io.IOException;
import java.time.Instant;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes the JSON of Curator's {@code ServiceInstance}, the content of one instance znode, without ever
 * instantiating a class the data names.
 *
 * <p>Reading is tolerant: unknown fields are ignored; {@code address} and a {@code port} in 1..65535 (a number, or a
 * string of digits) are required, {@code sslPort} is not used;
 * {@code "enabled": false} (Curator's optional field) marks an instance that is no member. The metadata comes from the
 * payload:
 * <ul>
 *   <li>an object with a {@code metadata} object (Spring Cloud Zookeeper's {@code ZookeeperInstance}, or any other
 *       class): that object;</li>
 *   <li>an object without one (a plain map, with or without Jackson's {@code @class}): its own fields except
 *       {@code @class};</li>
 *   <li>Jackson's wrapper-array form {@code ["<class>", value]}: the same rules applied to {@code value};</li>
 *   <li>absent, null, or anything else (a string, a number): no metadata.</li>
 * </ul>
 * The {@code @class} is never looked up or loaded. Metadata values become strings: text as it is, numbers and booleans
 * as their JSON text, objects and arrays as compact JSON; null values are left out.
 */
final class ServiceInstanceJson {
    /** The payload class written, Spring Cloud Zookeeper's: its clients read instances registered by Thalassa. */
    static final String SPRING_CLOUD_PAYLOAD_CLASS = "org.springframework.cloud.zookeeper.discovery.ZookeeperInstance";

    private static final ObjectMapper JSON = tools.jackson.databind.json.JsonMapper.builderWithJackson2Defaults()
            .build();

    private ServiceInstanceJson() {
    }

    /**
     * One instance as read from its znode.
     *
     * @param id                  the instance id ({@code id}), or null when absent
     * @param address             host the instance is reached at
     * @param port                1..65535
     * @param enabled             false only when the JSON says {@code "enabled": false}
     * @param registrationTimeUtc epoch millis, or 0 when absent
     * @param metadata            unmodifiable, sorted by key
     */
    record Instance(String id, String address, int port, boolean enabled, long registrationTimeUtc,
            Map<String, String> metadata) {

        /** The version under {@code versionKey}, or null when the metadata has none (such an instance is no member). */
        String version(String versionKey) {
            String v = metadata.get(versionKey);
            return v == null || v.isBlank() ? null : v;
        }

        /**
         * This instance as a member of service {@code name}, seen last at its registration time (or {@code written}
         * when it gives none).
         *
         * @throws IllegalArgumentException when it has no valid version, or its address is no valid host
         */
        Member toMember(String name, String versionKey, Instant written) {
            String version = version(versionKey);
            if (version == null) {
                throw new IllegalArgumentException("no " + versionKey + " in its metadata");
            }
            Instant lastKnown = registrationTimeUtc > 0 ? Instant.ofEpochMilli(registrationTimeUtc) : written;
            return Member.registered(name, version, address, port, lastKnown, metadata);
        }
    }

    /**
     * Reads one instance.
     *
     * @throws IllegalArgumentException saying what is wrong when the bytes are no instance Thalassa can use
     */
    static Instance parse(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new IllegalArgumentException("no data");
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode address = root.get("address");
        if (address == null || !address.isTextual() || address.asText().isBlank()) {
            throw new IllegalArgumentException("no address");
        }
        int port = port(root.get("port"));
        JsonNode id = root.get("id");
        JsonNode enabled = root.get("enabled");
        JsonNode time = root.get("registrationTimeUTC");
        return new Instance(id != null && id.isTextual() ? id.asText() : null, address.asText(), port,
                enabled == null || !enabled.isBoolean() || enabled.asBoolean(),
                time != null && time.canConvertToLong() ? Math.max(0, time.asLong()) : 0,
                metadata(root.get("payload")));
    }

    /** A whole number, or a string of digits, in 1..65535. */
    private static int port(JsonNode port) {
        if (port == null || port.isNull()) {
            throw new IllegalArgumentException("no port");
        }
        long value;
        if (port.isIntegralNumber() && port.canConvertToLong()) {
            value = port.asLong();
        } else if (port.isTextual() && port.asText().matches("[0-9]{1,5}")) {
            value = Long.parseLong(port.asText());
        } else {
            throw new IllegalArgumentException("port must be a whole number: " + port);
        }
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535: " + value);
        }
        return (int) value;
    }

    private static Map<String, String> metadata(JsonNode payload) {
        if (payload != null && payload.isArray() && payload.size() == 2 && payload.get(0).isTextual()) {
            payload = payload.get(1); // Jackson's WRAPPER_ARRAY type information: ["<class>", value]
        }
        if (payload == null || !payload.isObject()) {
            return Map.of();
        }
        JsonNode source = payload.get("metadata");
        boolean nested = source != null && source.isObject();
        if (!nested) {
            source = payload;
        }
        TreeMap<String, String> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = source.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isNull() || (!nested && e.getKey().equals("@class"))) {
                continue;
            }
            out.put(e.getKey(), v.isValueNode() ? v.asText() : v.toString());
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * The JSON Curator's {@code JsonInstanceSerializer} writes for this registration as a {@code DYNAMIC} instance
     * {@code id}, with a Spring Cloud Zookeeper payload whose metadata holds the registration's meta (values as
     * strings) and its version under {@code versionKey} (which wins over a meta entry of that name).
     */
    static byte[] write(Registration r, String id, String versionKey, long registrationTimeUtc) {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : r.meta().entrySet()) {
            metadata.put(e.getKey(), stringify(e.getValue()));
        }
        metadata.put(versionKey, r.version());
        ObjectNode root = JSON.createObjectNode();
        root.put("name", r.name());
        root.put("id", id);
        root.put("address", r.host());
        root.put("port", r.port());
        root.putNull("sslPort");
        ObjectNode payload = root.putObject("payload");
        payload.put("@class", SPRING_CLOUD_PAYLOAD_CLASS);
        payload.put("id", id);
        payload.put("name", r.name());
        ObjectNode meta = payload.putObject("metadata");
        metadata.forEach(meta::put);
        root.put("registrationTimeUTC", registrationTimeUtc);
        root.put("serviceType", "DYNAMIC");
        root.putNull("uriSpec");
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JacksonException e) {
            throw new IllegalStateException("could not write the instance " + id, e);
        }
    }

    private static String stringify(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Number || v instanceof Boolean) {
            return String.valueOf(v);
        }
        try {
            return JSON.writeValueAsString(v);
        } catch (JacksonException e) {
            return String.valueOf(v);
        }
    }
}

package io.thalassa;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.thalassa.internal.Checks;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A backend's load-balancing algorithm, one of HAProxy 2.6's {@code balance} algorithms.
 *
 * <p>Accepted forms: {@code roundrobin}, {@code static-rr}, {@code leastconn}, {@code first}, {@code source},
 * {@code random}, {@code random(<draws>)}, {@code uri} (optionally followed by {@code whole}, {@code len <n>},
 * {@code depth <n>}), {@code url_param <name>}, {@code hdr(<name>)} (optionally followed by
 * {@code use_domain_only}), {@code rdp-cookie} and {@code rdp-cookie(<name>)}.
 */
public final class Balance {
    public static final Balance ROUNDROBIN = new Balance("roundrobin", "roundrobin");
    public static final Balance STATIC_RR = new Balance("static-rr", "static-rr");
    public static final Balance LEASTCONN = new Balance("leastconn", "leastconn");
    public static final Balance FIRST = new Balance("first", "first");
    public static final Balance SOURCE = new Balance("source", "source");
    public static final Balance RANDOM = new Balance("random", "random");
    public static final Balance URI = new Balance("uri", "uri");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern RANDOM_DRAWS = Pattern.compile("random\\(([1-9][0-9]{0,2})\\)");
    private static final Pattern HDR = Pattern.compile("(?i:hdr)\\(([A-Za-z0-9_-]{1,64})\\)((?i: use_domain_only))?");
    private static final Pattern RDP = Pattern.compile("(?i:rdp-cookie)(\\(([A-Za-z0-9_-]{1,64})\\))?");
    private static final Pattern URI_ARGS = Pattern.compile("uri((?: whole| len [1-9][0-9]{0,4}| depth [1-9][0-9]{0,2})*)");
    private static final Pattern URL_PARAM = Pattern.compile("(?i:url_param) ([A-Za-z0-9_.-]{1,64})((?i: check_post))?");

    private final String algorithm;
    private final String text;

    private Balance(String algorithm, String text) {
        this.algorithm = algorithm;
        this.text = text;
    }

    /**
     * Parses a {@code balance} value; runs of whitespace are collapsed, case of the algorithm is ignored.
     *
     * @throws IllegalArgumentException naming {@code balance} and the value when HAProxy would not accept it
     */
    @JsonCreator
    public static Balance of(String value) {
        Checks.notNull("balance", value);
        Checks.noControl("balance", value);
        String v = value.trim().replaceAll("\\s+", " ");
        String lower = v.toLowerCase(java.util.Locale.ROOT);
        switch (lower) {
            case "roundrobin": return ROUNDROBIN;
            case "static-rr": return STATIC_RR;
            case "leastconn": return LEASTCONN;
            case "first": return FIRST;
            case "source": return SOURCE;
            case "random": return RANDOM;
            case "uri": return URI;
            default: break;
        }
        if (RANDOM_DRAWS.matcher(lower).matches()) {
            return new Balance("random", lower);
        }
        Matcher m = HDR.matcher(v);
        if (m.matches()) {
            return new Balance("hdr", "hdr(" + m.group(1) + ")" + (m.group(2) == null ? "" : " use_domain_only"));
        }
        m = RDP.matcher(v);
        if (m.matches()) {
            return new Balance("rdp-cookie", m.group(2) == null ? "rdp-cookie" : "rdp-cookie(" + m.group(2) + ")");
        }
        if (URI_ARGS.matcher(lower).matches()) {
            return new Balance("uri", lower);
        }
        m = URL_PARAM.matcher(v);
        if (m.matches()) {
            return new Balance("url_param", "url_param " + m.group(1) + (m.group(2) == null ? "" : " check_post"));
        }
        throw new InvalidValueException("balance", value, "balance must be one of roundrobin|static-rr|leastconn|first|source|random"
                + "|random(<n>)|uri [whole|len <n>|depth <n>]|url_param <name>|hdr(<name>) [use_domain_only]"
                + "|rdp-cookie[(<name>)]: " + Checks.quote(value));
    }

    /** {@code hdr(<header>)}: hash of the named request header. */
    public static Balance hdr(String header) {
        if (header == null || !NAME.matcher(header).matches()) {
            throw new InvalidValueException("balance", header, "balance header must be an HTTP header name: "
                    + Checks.quote(header));
        }
        return new Balance("hdr", "hdr(" + header + ")");
    }

    /** {@code url_param <name>}: hash of a query-string parameter. */
    public static Balance urlParam(String name) {
        return of("url_param " + name);
    }

    /** The algorithm's keyword, e.g. {@code hdr} for {@code hdr(host)}. */
    public String algorithm() {
        return algorithm;
    }

    /**
     * Whether HAProxy 2.6 accepts servers added at run time ({@code add server}) in a backend using this algorithm:
     * true for roundrobin, leastconn, first and random; false for the map-based hashes and static-rr.
     */
    public boolean isDynamic() {
        return switch (algorithm) {
            case "roundrobin", "leastconn", "first", "random" -> true;
            default -> false;
        };
    }

    /**
     * Whether HAProxy 2.6 follows server weights changed at run time ({@code set server <b>/<s> weight}) with this
     * algorithm, which a {@link VersionSplit} needs: true for roundrobin, leastconn and random. static-rr and the
     * map-based hashes (source, uri, url_param, hdr, rdp-cookie) ignore runtime weights, and first ignores weights.
     */
    public boolean honoursRuntimeWeights() {
        return switch (algorithm) {
            case "roundrobin", "leastconn", "random" -> true;
            default -> false;
        };
    }

    /**
     * Whether the algorithm hashes something of the request to pick a server: source, uri, url_param, hdr and
     * rdp-cookie. Thalassa renders these with {@code hash-type consistent}, so a member joining or leaving moves only
     * the keys it takes or held, not most of them.
     */
    public boolean isHash() {
        return switch (algorithm) {
            case "source", "uri", "url_param", "hdr", "rdp-cookie" -> true;
            default -> false;
        };
    }

    /** Whether the algorithm looks into HTTP requests and so needs {@code mode http}. */
    public boolean needsHttp() {
        return switch (algorithm) {
            case "hdr", "uri", "url_param" -> true;
            default -> false;
        };
    }

    /** The value as written after {@code balance} in haproxy.cfg and in JSON. */
    @JsonValue
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Balance b && b.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}

package io.thalassa.http.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import io.thalassa.runtime.Batch;
import io.thalassa.runtime.ItemVersions;

/**
 * ETags and RFC 9110's If-Match / If-None-Match evaluation. A frontend's or backend's ETag is the version of the
 * stored item ({@code "12"}: {@link io.thalassa.runtime.Thalassa#version}), the same on every node of a fleet and
 * changed only by a write to that item; other answers (lists, members, the UI's files) get a hash of their bytes.
 */
public final class Preconditions {
    private Preconditions() {
    }

    /**
     * The ETag of a stored item at {@code version}: {@code "12"}; null for {@link ItemVersions#ABSENT} (it does not
     * exist), a tag no client holds for {@link ItemVersions#UNSAVED}.
     */
    public static String etag(long version) {
        if (version == ItemVersions.ABSENT) {
            return null;
        }
        return version == ItemVersions.UNSAVED ? "\"unsaved\"" : "\"" + version + "\"";
    }

    /**
     * The version an item ETag names, as a batch operation's {@code ifMatch} gives it: {@code "12"} is 12, {@code *}
     * any existing version ({@link Batch#EXISTS}).
     *
     * @throws ApiException 400 naming {@code field} when it is not an item ETag
     */
    public static long version(String field, String etag) {
        String t = etag == null ? "" : etag.strip();
        if (t.equals("*")) {
            return Batch.EXISTS;
        }
        if (t.length() > 2 && t.length() < 21 && t.startsWith("\"") && t.endsWith("\"")
                && io.thalassa.internal.Checks.isAsciiDigits(t.substring(1, t.length() - 1), 18)) {
            long v = Long.parseLong(t.substring(1, t.length() - 1));
            if (v > 0) {
                return v;
            }
        }
        throw new ApiException(400, "invalid_value", field, field + " must be an ETag as a GET gives it, such as"
                + " \"12\", or *: " + io.thalassa.internal.Checks.quote(Json.shown(t)), Map.of("value",
                Json.shown(t)));
    }

    /** A strong entity tag: the first 128 bits of SHA-256 over the representation, quoted. */
    public static String etag(byte[] representation) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(representation);
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Checks If-Match and If-None-Match of a state-changing request.
     *
     * @param current the ETag of the item now, or null when it does not exist
     * @throws ApiException 412 when a precondition fails
     */
    public static void checkChange(ApiRequest request, String current) {
        List<Tag> ifMatch = parse(request.headerValues("If-Match"));
        if (!ifMatch.isEmpty()) {
            boolean ok = current != null && ifMatch.stream().anyMatch(t -> t.star || !t.weak && t.value.equals(current));
            if (!ok) {
                throw failed("If-Match", current);
            }
        }
        List<Tag> ifNoneMatch = parse(request.headerValues("If-None-Match"));
        if (!ifNoneMatch.isEmpty() && current != null
                && ifNoneMatch.stream().anyMatch(t -> t.star || t.value.equals(current))) {
            throw failed("If-None-Match", current);
        }
    }

    /** Whether a GET's If-None-Match matches (weak comparison), so 304 is the answer. */
    public static boolean notModified(ApiRequest request, String current) {
        return parse(request.headerValues("If-None-Match")).stream().anyMatch(t -> t.star || t.value.equals(current));
    }

    private static ApiException failed(String header, String current) {
        return new ApiException(412, "precondition_failed", null, header + " does not hold: the item "
                + (current == null ? "does not exist" : "is now " + current));
    }

    /** One entity tag of a header: {@code *}, {@code "x"} or {@code W/"x"}; {@code value} keeps the quotes. */
    record Tag(boolean star, boolean weak, String value) {
    }

    /** Parses the entity-tag lists of every value of the header; unparseable parts are skipped. */
    static List<Tag> parse(List<String> headerValues) {
        List<Tag> tags = new ArrayList<>();
        for (String header : headerValues) {
            int i = 0;
            int n = header.length();
            while (i < n) {
                char c = header.charAt(i);
                if (c == ' ' || c == '\t' || c == ',') {
                    i++;
                } else if (c == '*') {
                    tags.add(new Tag(true, false, "*"));
                    i++;
                } else {
                    boolean weak = header.startsWith("W/", i);
                    int start = weak ? i + 2 : i;
                    if (start < n && header.charAt(start) == '"') {
                        int end = header.indexOf('"', start + 1);
                        if (end < 0) {
                            break;
                        }
                        tags.add(new Tag(false, weak, header.substring(start, end + 1)));
                        i = end + 1;
                    } else {
                        int comma = header.indexOf(',', i);
                        i = comma < 0 ? n : comma + 1;
                    }
                }
            }
        }
        return tags;
    }
}

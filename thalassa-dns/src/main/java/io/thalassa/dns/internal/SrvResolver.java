package io.thalassa.dns.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Asks one DNS server for an SRV name and the addresses of its targets, with a bound on every query; no cache, so
 * every answer is the server's own, with its TTLs.
 */
public final class SrvResolver {
    /** What the server answered. */
    public enum Status {
        /** Records (possibly none: the name exists without SRV records). */
        FOUND,
        /** NXDOMAIN: no such name, so no instances. */
        NO_SUCH_NAME,
        /** SERVFAIL, REFUSED, a timeout, an unreachable server: the answer is unknown. */
        FAILED
    }

    /**
     * One SRV record with its target's address.
     *
     * @param address  the target's IPv4 or IPv6 address
     * @param port     the record's port
     * @param priority lower is preferred
     * @param weight   the share among records of one priority
     * @param target   the target's name, as the record gives it
     */
    public record Target(String address, int port, int priority, int weight, String target) {
    }

    /**
     * An answer.
     *
     * @param status     what the server said
     * @param targets    the records whose targets have an address (FOUND only)
     * @param ttl        the lowest TTL of the records used, or null when there were none
     * @param unresolved the records whose target has no address (its address null)
     * @param detail     why it failed; may be empty
     */
    public record Answer(Status status, List<Target> targets, List<Target> unresolved, Duration ttl, String detail) {
    }

    private final SimpleResolver resolver;

    public SrvResolver(InetSocketAddress server, Duration timeout) {
        this.resolver = new SimpleResolver(server);
        resolver.setTimeout(timeout);
    }

    /** Looks {@code srvName} up; never throws for what the server or the network does. */
    public Answer lookup(String srvName) {
        Name name;
        try {
            name = Name.fromString(srvName);
        } catch (TextParseException e) {
            return new Answer(Status.FAILED, List.of(), List.of(), null, "not a DNS name: " + srvName);
        }
        Message response;
        try {
            response = resolver.send(Message.newQuery(Record.newRecord(name, Type.SRV, DClass.IN)));
        } catch (IOException e) {
            return new Answer(Status.FAILED, List.of(), List.of(), null, "no answer for " + srvName + ": " + e);
        }
        int rcode = response.getRcode();
        if (rcode == Rcode.NXDOMAIN) {
            return new Answer(Status.NO_SUCH_NAME, List.of(), List.of(), null, "");
        }
        if (rcode != Rcode.NOERROR) {
            return new Answer(Status.FAILED, List.of(), List.of(), null, Rcode.string(rcode) + " for " + srvName);
        }
        long ttl = Long.MAX_VALUE;
        Map<Name, List<Record>> glue = new HashMap<>();
        for (Record r : response.getSection(Section.ADDITIONAL)) {
            if (r instanceof ARecord || r instanceof AAAARecord) {
                glue.computeIfAbsent(r.getName(), k -> new ArrayList<>()).add(r);
            }
        }
        List<Target> targets = new ArrayList<>();
        List<Target> missing = new ArrayList<>();
        for (Record r : response.getSection(Section.ANSWER)) {
            if (!(r instanceof SRVRecord srv)) {
                continue;
            }
            ttl = Math.min(ttl, srv.getTTL());
            List<Record> addresses = glue.get(srv.getTarget());
            if (addresses == null) {
                addresses = addresses(srv.getTarget());
                if (addresses == null) {
                    return new Answer(Status.FAILED, List.of(), List.of(), null, "no answer for the address of "
                            + srv.getTarget());
                }
            }
            if (addresses.isEmpty()) {
                missing.add(new Target(null, srv.getPort(), srv.getPriority(), srv.getWeight(),
                        srv.getTarget().toString()));
            }
            for (Record a : addresses) {
                ttl = Math.min(ttl, a.getTTL());
                String ip = a instanceof ARecord ar ? ar.getAddress().getHostAddress()
                        : ((AAAARecord) a).getAddress().getHostAddress();
                targets.add(new Target(ip, srv.getPort(), srv.getPriority(), srv.getWeight(),
                        srv.getTarget().toString()));
            }
        }
        return new Answer(Status.FOUND, List.copyOf(targets), List.copyOf(missing),
                ttl == Long.MAX_VALUE ? null : Duration.ofSeconds(ttl), "");
    }

    /**
     * The A and AAAA records of a target; empty when it has none or the server will not say (one target without an
     * address never hides the others); null when the server did not answer in time.
     */
    private List<Record> addresses(Name target) {
        List<Record> out = new ArrayList<>();
        for (int type : new int[] {Type.A, Type.AAAA}) {
            Message m;
            try {
                m = resolver.send(Message.newQuery(Record.newRecord(target, type, DClass.IN)));
            } catch (IOException e) {
                return null;
            }
            if (m.getRcode() != Rcode.NOERROR) {
                return List.of(); // NXDOMAIN, REFUSED (outside the server's zones)...: this target has no address
            }
            for (Record r : m.getSection(Section.ANSWER)) {
                if (r.getType() == type) {
                    out.add(r);
                }
            }
        }
        return out;
    }
}

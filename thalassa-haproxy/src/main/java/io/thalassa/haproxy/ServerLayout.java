package io.thalassa.haproxy;

import io.thalassa.Backend;
import io.thalassa.Member;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a backend's members into {@code server} lines. The default names each server {@code <backend>_<host>:<port>},
 * as the original Thalassa did; a controller that changes members at run time supplies a layout of stable slots.
 */
@FunctionalInterface
public interface ServerLayout {
    /** One server per member, named {@code <backend key>_<host>:<port>}, in member order. */
    ServerLayout PER_MEMBER = backend -> {
        List<ServerLine> lines = new ArrayList<>(backend.members().size());
        for (Member m : backend.members()) {
            lines.add(new ServerLine(backend.key() + "_" + m.host() + ":" + m.port(), m.host(), m.port(), false));
        }
        return lines;
    };

    /** The server lines of {@code backend}, in the order they are rendered. */
    List<ServerLine> servers(Backend backend);
}

package io.thalassa.examples;

import static io.thalassa.examples.Requests.awaitAnswer;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.consul.ConsulConfigStore;
import io.thalassa.consul.ConsulRegistry;
import io.thalassa.runtime.Change;
import io.thalassa.runtime.Thalassa;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A fleet of two: two embedded Thalassas, each with its own HAProxy, sharing one configuration in Consul's KV store.
 * A write on one node is served by both; each node's frontends listen on its own loopback address (127.0.0.2 and
 * 127.0.0.3), as two machines would listen on theirs.
 *
 * <p>Usage: {@code FleetExample <work dir> <frontend port> <consul host> <consul HTTP port> [haproxy binary]}; prints
 * what each node's HAProxy answered.
 */
public final class FleetExample {
    private FleetExample() {
    }

    /** One node: its own work directory, HAProxy and bind address; the fleet's store and registry in Consul. */
    static Thalassa node(int n, String[] args) {
        String consul = args[2];
        int consulPort = Integer.parseInt(args[3]);
        return Thalassa.builder().workDir(Path.of(args[0], "node" + n)).nodeName("node" + n)
                .haproxyBinary(args.length > 4 ? args[4] : "haproxy").bindAddress("127.0.0." + (n + 1))
                .store(ConsulConfigStore.builder().agent(consul, consulPort).prefix("thalassa/example/").build())
                .registry(ConsulRegistry.builder().agent(consul, consulPort).build())
                .stopHaproxyOnClose(true).start();
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        try (Instances instances = new Instances(); Thalassa one = node(1, args); Thalassa two = node(2, args)) {
            int app = instances.start("app");
            Change change = one.update(config -> config   // written on node1, with check-and-set in Consul
                    .withBackend(Backend.staticBackend("pool").member("127.0.0.1", app).build())
                    .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("pool").build()))
                    .await(Duration.ofSeconds(10));
            one.awaitFleet(change.revision(), Duration.ofSeconds(20)); // until every node runs that revision
            System.out.println("node1 127.0.0.2 -> " + awaitAnswer("127.0.0.2", port, "app"));
            System.out.println("node2 127.0.0.3 -> " + awaitAnswer("127.0.0.3", port, "app"));
            System.out.println("fleet converged: " + two.fleet().orElseThrow().get("converged"));
            one.update(config -> config.withoutFrontend("web").withoutBackend("pool")); // leave Consul as found
        }
    }
}

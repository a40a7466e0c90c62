#!/usr/bin/env bash
# Registries benchmark: event to member in HAProxy for the embedded registry, a real Consul agent, a real ZooKeeper
# (Debian's, started here) and a real BIND 9 (DNS SRV records changed with nsupdate), each on loopback free ports and
# stopped by its pid; then the load a Thalassa with 750 watched services puts on Consul and on ZooKeeper, idle and
# during churn (20 changes a second), and how Consul's watches come back after a 10 s outage. Prints:
#   registry=<embedded|consul|zookeeper|dns> events=<n> p50_ms=<x> p99_ms=<y> max_ms=<z>
#   load=consul services=750 idle_rps= churn_rps= ... reconnect_peak_per_100ms= reconnect_spread_ms=
#   load=zookeeper services=750 idle_rps= churn_rps=
# Targets: zookeeper p99 <= 50 ms; dns p99 <= TTL (1 s here) + 100 ms. Arguments: <events> (200) <dnsEvents> (30).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh >/dev/null
export THALASSA_CONSUL_BINARY=${THALASSA_CONSUL_BINARY:-$PWD/.tools/consul/consul}
export THALASSA_HAPROXY_BINARY=${THALASSA_HAPROXY_BINARY:-$(command -v haproxy || echo /usr/sbin/haproxy)}
EVENTS=${1:-200}
DNS_EVENTS=${2:-30}
OUT=bench/out
WORK="$PWD/$OUT/registries"
rm -rf "$WORK"
mkdir -p "$WORK"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ZooKeeper from Debian's jars, on loopback
ZK_PORT=$(free_port)
mkdir -p "$WORK/zk/data"
printf 'dataDir=%s\nclientPort=%s\nclientPortAddress=127.0.0.1\ntickTime=500\nadmin.enableServer=false\nmaxClientCnxns=0\n' \
  "$WORK/zk/data" "$ZK_PORT" > "$WORK/zk/zk.cfg"
java -cp "/usr/share/java/*" org.apache.zookeeper.server.quorum.QuorumPeerMain "$WORK/zk/zk.cfg" \
  >"$WORK/zk/zk.log" 2>&1 &
pids+=($!)

# BIND 9 with zone svc.example, TTL 1 s, dynamic updates from 127.0.0.1
DNS_PORT=$(free_port)
mkdir -p "$WORK/bind"
cat > "$WORK/bind/named.conf" <<CONF
options { directory "$WORK/bind"; listen-on port $DNS_PORT { 127.0.0.1; }; listen-on-v6 { none; };
          pid-file "$WORK/bind/named.pid"; recursion no; dnssec-validation no; max-records-per-type 1000; };
controls { };
zone "svc.example" { type master; file "$WORK/bind/svc.example.zone"; allow-update { 127.0.0.1; }; };
CONF
printf '$TTL 1\n@ IN SOA ns.svc.example. admin.svc.example. 1 60 60 600 1\n@ IN NS ns.svc.example.\nns IN A 127.0.0.1\napp IN A 127.0.0.1\n' \
  > "$WORK/bind/svc.example.zone"
/usr/sbin/named -c "$WORK/bind/named.conf" -u root -g >"$WORK/bind/named.log" 2>&1 &
pids+=($!)

mvn -B -q -DskipTests package dependency:build-classpath -DincludeScope=runtime \
  -Dmdep.outputFile="$PWD/$OUT/registries-cp.txt" -pl thalassa-http-adapter -am >"$OUT/registries-build.log" 2>&1 \
  || { cat "$OUT/registries-build.log" >&2; exit 1; }
mvn -B -q -DskipTests test-compile -pl thalassa-consul -am >>"$OUT/registries-build.log" 2>&1
CP="thalassa-core/target/classes:thalassa-haproxy/target/classes:thalassa-consul/target/classes"
CP="$CP:thalassa-consul/target/test-classes:thalassa-zookeeper/target/classes:thalassa-dns/target/classes"
CP="$CP:$(cat "$OUT/registries-cp.txt")"
for i in $(seq 1 60); do
  dig @127.0.0.1 -p "$DNS_PORT" +short +time=1 +tries=1 SOA svc.example. 2>/dev/null | grep -q ns && break
  sleep 0.5
done
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" bench/RegistriesBench.java "$EVENTS" "$DNS_EVENTS" \
  "127.0.0.1:$ZK_PORT" "$DNS_PORT" "$WORK/thalassa" "$WORK/consul-logs" | tee "$OUT/registries.txt"

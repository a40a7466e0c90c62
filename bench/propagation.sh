#!/usr/bin/env bash
# Propagation benchmark: for the embedded registry and for a real Consul agent (started here on loopback free ports,
# stopped by its pid), alternately registers and deregisters 127.0.0.1 instances and times each registry call until a
# MembershipEngine sink holds the new member set. Prints one line per registry:
#   registry=<embedded|consul> events=<n> p50_ms=<x> p99_ms=<y> max_ms=<z>
# Targets: embedded p99 <= 20 ms, consul p99 <= 100 ms. Optional arguments: <events> (default 400) <warmup> (40).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh >/dev/null
export THALASSA_CONSUL_BINARY=${THALASSA_CONSUL_BINARY:-$PWD/.tools/consul/consul}
EVENTS=${1:-400}
WARMUP=${2:-40}
OUT=bench/out
mkdir -p "$OUT"
# Build (no install; test classes hold the ConsulAgent launcher) and write thalassa-consul's runtime classpath.
mvn -B -q -DskipTests package dependency:build-classpath -DincludeScope=runtime \
  -Dmdep.outputFile="$PWD/$OUT/propagation-cp.txt" -pl thalassa-consul -am >"$OUT/propagation-build.log" 2>&1 \
  || { cat "$OUT/propagation-build.log" >&2; exit 1; }
CP="thalassa-core/target/classes:thalassa-consul/target/classes:thalassa-consul/target/test-classes:$(cat "$OUT/propagation-cp.txt")"
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" bench/PropagationBench.java "$EVENTS" "$WARMUP" \
  "$PWD/$OUT/consul-logs" | tee "$OUT/propagation.txt"

#!/usr/bin/env bash
# Fleet benchmark (issue 14): one Consul dev agent and three daemons (thalassa.jar, separate JVMs, each with its own
# HAProxy, --store consul, --bindAddress 127.0.0.1/.2/.3), all on loopback. A dynamic backend on a service with two
# instances of each of two versions (registered through the nodes' registration ports) behind one frontend on
# 127.0.0.1:P. Then <changes> changes, one at a time, each to a node picked at random (seeded): half version switches
# (POST /backends/live {"version": ...}, alternating), half structural (PUT /frontends/web with a changed native
# `http-response set-header X-Change <n>`, a reload), with --reloadWindow at its 2 s default. Each change is timed from
# the write's 200 until all three HAProxys serve it, seen through traffic to 127.0.0.N:P (polled every 5 ms, 15 s at
# most). At the end: lost updates (the (place, item) pairs among Consul's KV and the 3 nodes' GET /backends/live and
# /frontends/web that differ from the last acknowledged write) and diverged nodes (not current in some node's
# GET /fleet, or showing or serving something else). Last line:
#   nodes=3 changes=<n> switch_p99_ms=<a> structural_p99_ms=<b> lost_updates=<l> diverged_nodes=<d>
# Targets: a <= 250, b <= reload window + 1000 = 3000, l = 0, d = 0.
# Arguments: [changes (200)] [seed (14)]. The daemons' JVM flags come from THALASSA_BENCH_JVM_FLAGS (default below;
# set it empty for the JVM's own defaults). Per-change lines and the processes' logs: bench/out/fleet.log and
# bench/out/fleet/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh >/dev/null
export THALASSA_HAPROXY_BINARY=${THALASSA_HAPROXY_BINARY:-$(command -v haproxy || echo /usr/sbin/haproxy)}
export THALASSA_CONSUL_BINARY=${THALASSA_CONSUL_BINARY:-$PWD/.tools/consul/consul}
CHANGES=${1:-200}
SEED=${2:-14}
JVM_FLAGS=${THALASSA_BENCH_JVM_FLAGS--Xms32m -Xmx64m -XX:+UseSerialGC}
OUT=bench/out
WORK=$OUT/fleet
mkdir -p "$OUT"

# Stops what a run left behind, by the pids in its own files, and only while that pid runs with this work directory
# on its command line: the bench first, then each daemon (it would start HAProxy again), its HAProxy master, Consul.
ours() { # <pid> <text on its command line>
  [ -n "$1" ] && [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$2"
}
stop_pid() { # <pid file> <text on its command line>
  local pid
  [ -f "$1" ] || return 0
  pid=$(head -1 "$1" | awk '{print $1}')
  if ours "$pid" "$2"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do ours "$pid" "$2" || break; sleep 0.2; done
    if ours "$pid" "$2"; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
}
bench_pid=""
stop_ours() {
  local dir=$PWD/$WORK n
  if [ -n "$bench_pid" ]; then
    kill -TERM "$bench_pid" 2>/dev/null || true
    wait "$bench_pid" 2>/dev/null || true
  fi
  for n in 1 2 3; do stop_pid "$dir/node$n/daemon.pid" "$dir/node$n/"; done
  for n in 1 2 3; do stop_pid "$dir/node$n/haproxy.pid" "$dir/node$n/haproxy.cfg"; done
  stop_pid "$dir/consul.pid" "$dir/consul.pid"
}
stop_ours
trap stop_ours EXIT
trap 'exit 130' INT TERM
rm -rf "$WORK"
mkdir -p "$WORK"

# Build (no install): the daemon's runnable jar; its Jackson also serves FleetBench.
mvn -B -q -DskipTests package -pl thalassa-http-adapter -am >"$OUT/fleet-build.log" 2>&1 \
  || { cat "$OUT/fleet-build.log" >&2; exit 1; }
JAR=thalassa-http-adapter/target/thalassa.jar
# In the background, so that a signal to this script runs its traps at once.
# shellcheck disable=SC2086 # the flags are words
timeout 900 java -cp "$JAR" bench/FleetBench.java "$JAR" "$WORK" "$CHANGES" "$SEED" $JVM_FLAGS \
  >"$OUT/fleet.txt" 2>"$OUT/fleet.log" &
bench_pid=$!
wait "$bench_pid" || { bench_pid=""; tail -50 "$OUT/fleet.log" >&2; exit 1; }
bench_pid=""
grep -E '^(consul|daemons|setup|fleet|node[123] (at|serves|GET)|consul kv|writes|switch|structural)' "$OUT/fleet.log" >&2 \
  || true
cat "$OUT/fleet.txt"

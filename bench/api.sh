#!/usr/bin/env bash
# REST API benchmark of the daemon (thalassa.jar): started here with lean JVM flags on free loopback ports (reload
# window left at its 2 s default), it gets <backends> static backends and 4 frontends through concurrent PUTs; then
# wrk measures GET /backends (-t2 -c8, 3 s warm-up, 10 s); then a burst of <burst> concurrent PUTs (half new backends,
# half changed ones; structural) whose reloads are counted in GET /activity once they settle, and every burst item is
# checked in GET /backends; last, the daemon's VmRSS and VmHWM. Last line:
#   backends=<n> get_rps=<r> get_bytes=<b> burst_puts=<p> burst_ms=<t> burst_reloads=<k> visible=<v> rss_mb=<m>
#   hwm_mb=<h> burst_errors=<e> get_errors=<g> burst_coalesced=<c> setup_put_avg_ms=<a>
# Targets: k <= 3, m <= 200, v = p, e = g = 0.
# Arguments: [backends (1000)] [burst (200)] [burst PUTs in flight (32)]. The daemon's JVM flags come from
# THALASSA_BENCH_JVM_FLAGS (default below; set it empty for the JVM's own defaults).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh >/dev/null
export THALASSA_HAPROXY_BINARY=${THALASSA_HAPROXY_BINARY:-$(command -v haproxy || echo /usr/sbin/haproxy)}
BACKENDS=${1:-1000}
BURST=${2:-200}
IN_FLIGHT=${3:-32}
JVM_FLAGS=${THALASSA_BENCH_JVM_FLAGS--Xms32m -Xmx64m -XX:+UseSerialGC}
OUT=bench/out
WORK=$OUT/api
mkdir -p "$OUT"

# Stops what a run left behind, by the pids in its own files, and only while that pid runs with this work directory
# on its command line: the daemon first (it would start HAProxy again), then HAProxy's master.
ours() { # <pid> <text on its command line>
  [ -n "$1" ] && [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$2"
}
bench_pid=""
stop_ours() {
  local dir=$PWD/$WORK pid
  if [ -n "$bench_pid" ]; then kill -TERM "$bench_pid" 2>/dev/null || true; fi
  if [ -f "$dir/daemon.pid" ]; then
    pid=$(head -1 "$dir/daemon.pid")
    if ours "$pid" "$dir/"; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do ours "$pid" "$dir/" || break; sleep 0.2; done
      if ours "$pid" "$dir/"; then kill -KILL "$pid" 2>/dev/null || true; fi
    fi
  fi
  if [ -f "$dir/haproxy.pid" ]; then
    pid=$(head -1 "$dir/haproxy.pid")
    if ours "$pid" "$dir/haproxy.cfg"; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do ours "$pid" "$dir/haproxy.cfg" || break; sleep 0.2; done
    fi
  fi
}
stop_ours
trap stop_ours EXIT
trap 'exit 130' INT TERM
rm -rf "$WORK"
mkdir -p "$WORK"

# Build (no install): the daemon's runnable jar; its shaded Jackson also serves ApiBench.
mvn -B -q -DskipTests package -pl thalassa-http-adapter -am >"$OUT/api-build.log" 2>&1 \
  || { cat "$OUT/api-build.log" >&2; exit 1; }
JAR=thalassa-http-adapter/target/thalassa.jar
# In the background, so that a signal to this script runs its traps at once.
# shellcheck disable=SC2086 # the flags are words
timeout 900 java -cp "$JAR" bench/ApiBench.java "$JAR" "$WORK" "$BACKENDS" "$BURST" "$IN_FLIGHT" $JVM_FLAGS \
  >"$OUT/api.txt" 2>"$OUT/api.log" &
bench_pid=$!
wait "$bench_pid" || { bench_pid=""; cat "$OUT/api.log" >&2; exit 1; }
bench_pid=""
grep -E '^(daemon|setup|request|after|GET /backends|burst|coalesced|visible)' "$OUT/api.log" >&2 || true
cat "$OUT/api.txt"

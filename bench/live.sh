#!/usr/bin/env bash
# Live stats at scale: what the web UI's live view costs HAProxy and the controller with <backends> x <members>
# static servers (default 750 x 20 = 15,000; checks every 10 s and maxconn 1000/1000 as bench/scale.sh, for the
# 20,000 file-descriptor hard limit) plus a probe backend whose member changes <changes> times (default 30) per mode:
# no live view ("off"), the view fed by the whole `show stat` every tick ("full", how LiveStats read before) and by
# LiveStats' bounded reads ("bounded"); a tick every 500 ms (the rate right after changes). Last line:
#   servers=.. full_tick_ms_p50=.. full_tick_ms_p99=.. full_bytes_per_tick=.. bounded_tick_ms_p50=..
#   bounded_tick_ms_p99=.. bounded_bytes_per_tick=.. off_membership_p99_ms=.. full_membership_p99_ms=..
#   bounded_membership_p99_ms=.. full_up_p99_ms=.. bounded_up_p99_ms=.. off/full/bounded_haproxy_cpu_pct=..
# membership: apply to the first request the new member answers; up: apply to the live view showing it UP.
# Usage: bench/live.sh [backends] [members] [changes]. Bounded (timeout); HAProxy is stopped by its pid.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh >/dev/null
export THALASSA_HAPROXY_BINARY=${THALASSA_HAPROXY_BINARY:-$(command -v haproxy || echo /usr/sbin/haproxy)}
BACKENDS=${1:-750}
MEMBERS=${2:-20}
CHANGES=${3:-30}
OUT=bench/out
WORK=$OUT/live
mkdir -p "$OUT"
stop_started() { # the HAProxy master of our pid file, if it is still ours
  local f=$PWD/$WORK/ctl/haproxy.pid pid
  [ -f "$f" ] || return 0
  pid=$(tr -dc '0-9' <"$f")
  if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$PWD/$WORK/"; then
    kill -TERM "$pid" 2>/dev/null || true
  fi
}
trap stop_started EXIT
rm -rf "$WORK"
mkdir -p "$WORK"
mvn -B -q -DskipTests package dependency:build-classpath -DincludeScope=runtime \
  -Dmdep.outputFile="$PWD/$OUT/live-cp.txt" -pl thalassa-http-adapter -am >"$OUT/live-build.log" 2>&1 \
  || { cat "$OUT/live-build.log" >&2; exit 1; }
CP="thalassa-http-adapter/target/classes:thalassa-haproxy/target/classes:thalassa-core/target/classes:$(cat "$OUT/live-cp.txt")"
# 600 s at most, SIGTERM first (the JVM's shutdown hook stops its HAProxy), SIGKILL 20 s later
timeout -k 20 600 java -Xms64m -Xmx512m -XX:+UseSerialGC -cp "$CP" bench/LiveBench.java "$PWD/$WORK" \
  "$BACKENDS" "$MEMBERS" "$CHANGES" 2>"$OUT/live.log" | tee "$OUT/live.txt"
exit "${PIPESTATUS[0]}"

#!/usr/bin/env bash
# Scale: HAProxy with <backends> x <members> static servers (default 750 x 20 = 15,000) plus a probe backend, built
# through the library (HaproxyController + ThalassaConfig); then 400 membership changes of the probe (every other one a
# version switch; 400 rather than 200 so that each p99 rests on 4 samples, not 2), each timed from the apply call to
# the first request the new member answers; the same changes on a config of 10 servers, in the same run. Last line:
# servers=<n> p50_ms=<a> p99_ms=<b> small_p99_ms=<c> failed_reloads=<f> membership_reloads=<r> rss_mb=<m>
# Targets: p99 <= 50 ms, b/c <= 2, f = 0, r = 0.
#
# Usage: bench/scale.sh [backends] [members] [changes (400)]. When HAProxy cannot start at the requested size (e.g. its file
# descriptors exceed `ulimit -n`), the script says so, runs the fallback size SCALE_FALLBACK (default "500 20 1000
# 1000": backends, members, global maxconn, defaults maxconn; empty to skip) so there is still a figure, prints that
# run's line last and exits 2. Every run is bounded (timeout), every HAProxy it started is stopped by its pid.
source "$(dirname "$0")/common.sh"
BACKENDS=${1:-750}
MEMBERS=${2:-20}
CHANGES=${3:-400}
FALLBACK=${SCALE_FALLBACK-500 20 1000 1000}
# 2 x maxconn descriptors plus one per checked server must fit the hard limit (20,000 on the measuring machine)
MAXCONN=${SCALE_MAXCONN-1000 1000}
# the big backends' members are 20 listeners in the benchmark's own JVM: at HAProxy's default 2 s, 15,000 members are
# 7,500 health checks a second on this machine's 2 cores (docs/benchmarks.md gives both figures)
export SCALE_CHECK_INTERVAL_MS=${SCALE_CHECK_INTERVAL_MS-10000}
JVM_FLAGS=${THALASSA_BENCH_JVM_FLAGS:--Xms32m -Xmx256m -XX:+UseSerialGC}
WORK="$OUT/scale"
rm -rf "$WORK"
mkdir -p "$WORK"
: >"$OUT/scale.log"

stop_started() { # every HAProxy master whose pid file is under $WORK (only ours), by pid
  local f pid
  for f in "$WORK"/*/*/ctl/haproxy.pid; do
    [ -f "$f" ] || continue
    pid=$(tr -dc '0-9' <"$f")
    if [ -n "$pid" ] && grep -q haproxy "/proc/$pid/cmdline" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
}
trap stop_started EXIT

run() { # <name> <backends> <members> [globalMaxconn defaultsMaxconn]
  local name=$1
  shift
  echo "== $name: ${1} x ${2}, changes=$CHANGES, maxconn ${3:-default} ${4:-}, ulimit -n $(ulimit -n)" >>"$OUT/scale.log"
  # 300 s per run, SIGTERM first (the JVM's shutdown hook stops its HAProxy), SIGKILL 20 s later
  # shellcheck disable=SC2086
  timeout -k 20 300 java $JVM_FLAGS -cp "$CP" bench/ScaleBench.java "$WORK/$name" "$1" "$2" "$CHANGES" "${@:3}" \
    2>>"$OUT/scale.log" | tee "$OUT/scale-$name.txt"
  return "${PIPESTATUS[0]}"
}

status=0
# shellcheck disable=SC2086
run main "$BACKENDS" "$MEMBERS" $MAXCONN || status=$?
if [ "$status" -ne 0 ]; then
  echo "scale: the requested size ${BACKENDS} x ${MEMBERS} failed (exit $status); details in $OUT/scale.log"
  if [ -n "$FALLBACK" ]; then
    # shellcheck disable=SC2086
    set -- $FALLBACK
    echo "scale: fallback run at $1 x $2, maxconn ${3:-default}/${4:-default}"
    run fallback "$@" || echo "scale: the fallback failed too (exit $?)" >&2
  fi
  exit 2
fi

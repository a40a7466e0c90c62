#!/usr/bin/env bash
# Web UI benchmark: the overview's load time with <backends> backends (default 1000) in headless Chromium, against
# the daemon jar started on free loopback ports (bench/UiBench.java). Last line:
#   backends=<n> runs=<r> load_first_ms=.. load_median_ms=.. page_ready_median_ms=.. dom_cards=.. filter_ms=..
#   next_page_ms=.. js_heap_mb=.. ws_greeting_kb=..
# load_*: navigation until every backend is counted and the first page's cards show their live status;
# page_ready: the page's own performance.now() at its first render; dom_cards: backend cards in the DOM.
# Arguments: [backends (1000)] [runs (5)].
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh >/dev/null
export THALASSA_HAPROXY_BINARY=${THALASSA_HAPROXY_BINARY:-$(command -v haproxy || echo /usr/sbin/haproxy)}
BACKENDS=${1:-1000}
RUNS=${2:-5}
OUT=bench/out
WORK=$OUT/ui
mkdir -p "$OUT"

ours() { # <pid> <text on its command line>
  [ -n "$1" ] && [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$2"
}
bench_pid=""
stop_ours() { # what a run left behind, by the pids in its own files
  local dir=$PWD/$WORK pid
  if [ -n "$bench_pid" ]; then kill -TERM "$bench_pid" 2>/dev/null || true; fi
  for f in daemon.pid haproxy.pid; do
    if [ -f "$dir/$f" ]; then
      pid=$(head -1 "$dir/$f")
      if ours "$pid" "$dir/"; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do ours "$pid" "$dir/" || break; sleep 0.2; done
      fi
    fi
  done
}
stop_ours
trap stop_ours EXIT
trap 'exit 130' INT TERM
rm -rf "$WORK"
mkdir -p "$WORK"

mvn -B -q -DskipTests package dependency:build-classpath -DincludeScope=test \
  -Dmdep.outputFile="$PWD/$OUT/ui-cp.txt" -pl thalassa-http-adapter -am >"$OUT/ui-build.log" 2>&1 \
  || { cat "$OUT/ui-build.log" >&2; exit 1; }
JAR=thalassa-http-adapter/target/thalassa.jar
timeout 900 java -cp "$(cat "$OUT/ui-cp.txt")" bench/UiBench.java "$JAR" "$WORK" "$BACKENDS" "$RUNS" \
  >"$OUT/ui.txt" 2>"$OUT/ui.log" &
bench_pid=$!
wait "$bench_pid" || { bench_pid=""; cat "$OUT/ui.log" >&2; exit 1; }
bench_pid=""
grep -E '^(setup|loads)' "$OUT/ui.log" >&2 || true
cat "$OUT/ui.txt"

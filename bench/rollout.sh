#!/usr/bin/env bash
# Rollouts under load: the library's Thalassa with a real HAProxy, wrk at a fixed rate (400 requests/s by default,
# paced by a delay per request, bounded by -d), 10 rollouts (steps 10, 50, 100 %, 3 s each, guard: 1 % errors, 1 s
# rtime, judged after 20 requests) to good versions and 10 to bad ones whose instances answer 500 to one request in
# ten. Last line:
# rollouts=<n> good_completed=<g> bad_aborted=<b> abort_detect_s_p99=<d> bad_requests_after_abort=<a> reloads=<r>
# failed_requests_good=<f>.
# Targets: g = b = n/2, d <= 2 x stepSeconds, a = 0, r = 0, f = 0.
source "$(dirname "$0")/common.sh"
rm -rf "$OUT/rollout"
java -Dsun.net.httpserver.nodelay=true -cp "$CP" bench/RolloutBench.java "$OUT/rollout" "${1:-10}" "${2:-3}" \
  "${3:-400}" 2>"$OUT/rollout.log" | tee "$OUT/rollout.txt"

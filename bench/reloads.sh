#!/usr/bin/env bash
# Hitless reloads: wrk (keep-alive and Connection: close) through HAProxy while >= 100 structural changes each cause
# a real reload through the controller, then the same load against the naive `haproxy -D -sf <oldpid>` reload.
# Last line: reloads=<n> failed_requests=<f> naive_failed_requests=<g>. Target: f = 0.
source "$(dirname "$0")/common.sh"
rm -rf "$OUT/reloads"
java -cp "$CP" bench/ControlBench.java reloads "$OUT/reloads" "${1:-100}" 2>"$OUT/reloads.log" | tee "$OUT/reloads.txt"

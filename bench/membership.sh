#!/usr/bin/env bash
# Live membership: >= 200 member replacements and version switches under wrk load, each timed from the apply call to
# the first request the new member answers. Last line:
# changes=<n> p50_ms=<x> p99_ms=<y> reloads=<r> failed_requests=<f>. Targets: r = 0, f = 0, p99 <= 100 ms.
source "$(dirname "$0")/common.sh"
rm -rf "$OUT/membership"
java -cp "$CP" bench/ControlBench.java membership "$OUT/membership" "${1:-200}" 2>"$OUT/membership.log" \
  | tee "$OUT/membership.txt"

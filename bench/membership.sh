#!/usr/bin/env bash
# Live membership: >= 200 member replacements and version switches under wrk load (at most 120 s per run), each timed
# from the apply call to the first request the new member answers. A joining member takes requests once HAProxy's
# first check of it passed, so the figure follows the backend's check interval: one run at the default (2 s), one at
# 100 ms. Last line of each: check_ms=<i> changes=<n> p50_ms=<x> p99_ms=<y> reloads=<r> failed_requests=<f>.
# Targets: r = 0, f = 0; the apply call alone (the line before) p99 <= 100 ms.
source "$(dirname "$0")/common.sh"
rm -rf "$OUT/membership" "$OUT/membership.txt"
for check in ${CHECK_MS:-2000 100}; do
  java -cp "$CP" bench/ControlBench.java membership "$OUT/membership/$check" "${1:-200}" "$check" \
    2>"$OUT/membership-$check.log" | tee -a "$OUT/membership.txt"
done

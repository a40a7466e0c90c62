#!/usr/bin/env bash
# Canary steps: 4 instances of 1.0.0 and 1 of 2.0.0 through 100/0 -> 95/5 -> 75/25 -> 50/50 -> 0/100 -> 100/0 (3 rounds
# by default, after one unmeasured warm-up round) under wrk load, each step's share per version counted by the instances themselves (>= 2,000 requests a
# step), each step timed from the apply call to the new weights in HAProxy (show servers state). The backend has no
# slowstart and a 100 ms HTTP check (a version back from 0 % joins once its first check passes). Last line:
# steps=<n> max_share_error_pct=<e> reloads=<r> failed_requests=<f> step_p99_ms=<p> join_steps=<j> join_p99_ms=<q>
# (p: the steps that only re-weight serving versions; q: those where a version at 0 % comes back, whose members serve
# once a check passed, so q is bounded by the check interval). Targets: e <= 2, r = 0, f = 0, p <= 50 ms.
source "$(dirname "$0")/common.sh"
rm -rf "$OUT/split"
java -Dsun.net.httpserver.nodelay=true -cp "$CP" bench/SplitBench.java "$OUT/split" "${1:-3}" 2>"$OUT/split.log" | tee "$OUT/split.txt"

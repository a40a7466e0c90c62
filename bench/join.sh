#!/usr/bin/env bash
# Health-gated joins: under steady wrk load, >= 20 members join one at a time behind an HTTP check, each answering 500
# to everything for its first 1.5 s (an app that accepts connections before it is ready); the member of the round
# before leaves. Counts the real requests a joining member answered 500 and wrk's failures, and times each member's
# first real request from its first passed check. Last line:
# joins=<n> error_responses_during_join=<e> first_traffic_after_check_ms_p99=<p>. Target: e = 0.
source "$(dirname "$0")/common.sh"
rm -rf "$OUT/join"
java -cp "$CP" bench/JoinBench.java "$OUT/join" "${1:-20}" 2>"$OUT/join.log" | tee "$OUT/join.txt"

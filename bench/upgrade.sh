#!/usr/bin/env bash
# Package upgrades under load (root; installs and purges the Debian package, binds 127.0.0.1:80): builds N+1
# packages of rising versions (default N = 5), installs the first, runs its unit as systemd would
# (scripts/package-test/lib.sh), puts a frontend on 127.0.0.1:80 through the API, then N times installs the next
# package over the running one while paced wrk (keep-alive and Connection: close, about 200 requests a second each,
# 20 s) goes through HAProxy, and restarts the daemon as the postinst has systemd do. Counts failed requests, HAProxy's
# reloads (its master's counter) and the gap of each restart (SIGTERM to the old daemon until the new one's API
# answers, of which the old daemon's exit; HAProxy serves throughout). Purges the package at the end.
# Last line: upgrades=<n> failed_requests=<f> reloads=<r> daemon_gap_ms=<max> (targets: f = 0, r = 0).
set -euo pipefail
cd "$(dirname "$0")/.."
PKG_NAME=upgrade
# shellcheck source=scripts/package-test/lib.sh
source scripts/package-test/lib.sh
UPGRADES=${1:-5}
OUT=$PWD/bench/out/upgrade

package_preconditions
bash scripts/install-tools.sh >/dev/null
rm -rf "$OUT"
mkdir -p "$OUT"
trap package_cleanup EXIT
trap 'exit 130' INT TERM

debs=()
for ((i = 0; i <= UPGRADES; i++)); do
  say "building package $((i + 1)) of $((UPGRADES + 1))"
  debs+=("$(build_package "build-$i")")
  if [ "$i" -gt 0 ]; then
    dpkg --compare-versions "$(dpkg-deb -f "${debs[i]}" Version)" gt "$(dpkg-deb -f "${debs[i - 1]}" Version)" \
      || die "package versions do not rise: ${debs[*]}"
  fi
done

DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q "${debs[0]}" >"$OUT/install-0.log" 2>&1 \
  || { cat "$OUT/install-0.log" >&2; die "apt-get install"; }
INSTALLED=1
API_PORT=$(free_port)
conf_set port "$API_PORT"
conf_set registrationPort "$(free_port)"
conf_set statsPort "$(free_port)"
BACKEND_PORT=$(free_port)
java scripts/package-test/Backend.java "$BACKEND_PORT" backend >"$OUT/backend.log" 2>&1 &
BACKEND_PID=$!
await_http "http://127.0.0.1:$BACKEND_PORT/" 60 || die "the backend did not start"
unit_start "$OUT/daemon-0.log"
await_http "http://127.0.0.1:$API_PORT/health/ready" 120 || die "the daemon did not start: $(cat "$OUT/daemon-0.log")"
curl -sf --max-time 30 -o /dev/null -X PUT "http://127.0.0.1:$API_PORT/backends/web?wait=10s" \
  -d "{\"type\":\"static\",\"members\":[{\"host\":\"127.0.0.1\",\"port\":$BACKEND_PORT}]}" || die "PUT /backends/web"
curl -sf --max-time 30 -o /dev/null -X PUT "http://127.0.0.1:$API_PORT/frontends/web?wait=10s" \
  -d '{"bind":"127.0.0.1:80","backend":"web","mode":"http"}' || die "PUT /frontends/web"
[ "$(curl -s --max-time 5 http://127.0.0.1:80/)" = backend ] || die "no answer through HAProxy on port 80"

master=$(haproxy_pid)
workers=$(worker_pids)
reloads_before=$(master_reloads)
requests=0
failed=0
gaps=()
for ((i = 1; i <= UPGRADES; i++)); do
  upgrade_under_load "${debs[i]}" "upgrade-$i" "$API_PORT"
  [ "$(haproxy_pid)" = "$master" ] || die "HAProxy's master changed in upgrade $i"
  [ "$(worker_pids)" = "$workers" ] || die "HAProxy's workers changed in upgrade $i"
  requests=$((requests + UPGRADE_REQUESTS))
  failed=$((failed + UPGRADE_FAILED))
  gaps+=("$UPGRADE_GAP_MS")
  echo "upgrade $i: $(dpkg-query -W -f='${Version}' thalassa) requests=$UPGRADE_REQUESTS failed=$UPGRADE_FAILED" \
    "daemon_gap_ms=$UPGRADE_GAP_MS (stop $UPGRADE_STOP_MS ms)" | tee -a "$OUT/upgrade.txt"
done
reloads=$(($(master_reloads) - reloads_before))
unit_stop
max_gap=$(printf '%s\n' "${gaps[@]}" | sort -n | tail -n 1)
echo "requests=$requests gaps_ms=${gaps[*]} haproxy_master=$master workers=${workers% }" | tee -a "$OUT/upgrade.txt"
echo "upgrades=$UPGRADES failed_requests=$failed reloads=$reloads daemon_gap_ms=$max_gap" | tee -a "$OUT/upgrade.txt"

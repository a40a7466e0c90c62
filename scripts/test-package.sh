#!/usr/bin/env bash
# The Debian package on this machine, as root (scripts/test.sh runs it after mvn verify; CI's machine is fresh):
#   1. lintian on the package of the build: no error, no warning (the overrides it ships carry their reasons);
#   2. apt-get install ./thalassa_*.deb; systemd-analyze verify of its unit; the user, files and man page;
#   3. the unit's ExecStart run as systemd would run it (PID 1 is not systemd here): scripts/package-test/lib.sh;
#   4. through the API, a frontend on 127.0.0.1:80 (HAProxy as user thalassa, with only CAP_NET_BIND_SERVICE) and
#      traffic through it;
#   5. a second package with a higher version built and installed over the first while wrk runs at a fixed low rate,
#      the daemon restarted as the postinst has systemd do: 0 failed requests, 0 reloads, the new daemon adopts the
#      same HAProxy master and workers;
#   6. apt-get remove: daemon and HAProxy stopped, configuration and state kept; apt-get purge: nothing left.
# Bounded (about 3 minutes); on failure or interruption it stops what it started, by pid, and purges the package.
# Its files go to thalassa-deb/target/package-test/. Last line: the figures.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PKG_NAME=test-package
# shellcheck source=scripts/package-test/lib.sh
source scripts/package-test/lib.sh
OUT=$ROOT/thalassa-deb/target/package-test

package_preconditions
rm -rf "$OUT"
mkdir -p "$OUT"
trap package_cleanup EXIT
trap 'exit 130' INT TERM

start_s=$(date +%s)
api() { curl -s --max-time 30 -o "$OUT/answer.json" -w '%{http_code}' -X "$1" -d "${3:-}" "http://127.0.0.1:$API_PORT$2"; }

# ---- 1. the package of the build, and lintian
deb=$(ls -t thalassa-deb/target/thalassa_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
  say "building the package (mvn -pl thalassa-deb -am package)"
  DEB1=$(build_package build-1)
else
  cp "$deb" "$OUT/"
  DEB1=$OUT/$(basename "$deb")
fi
V1=$(dpkg-deb -f "$DEB1" Version)
say "lintian $(basename "$DEB1")"
lintian_rc=0
lintian --fail-on error,warning --display-info "$DEB1" >"$OUT/lintian.txt" 2>&1 || lintian_rc=$?
sed -i '/running with root privileges is not recommended/d' "$OUT/lintian.txt"
cat "$OUT/lintian.txt" >&2
[ "$lintian_rc" = 0 ] || die "lintian exited with $lintian_rc"
if grep -qE '^[EW]:' "$OUT/lintian.txt"; then die "lintian: $(grep -E '^[EW]:' "$OUT/lintian.txt")"; fi

# ---- 2. install
say "apt-get install $DEB1"
DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q "$DEB1" >"$OUT/install-1.log" 2>&1 \
  || { cat "$OUT/install-1.log" >&2; die "apt-get install"; }
INSTALLED=1
grep -q "systemd is not running here, so the service was not started" "$OUT/install-1.log" \
  || die "the postinst did not say that it left the service alone: $(cat "$OUT/install-1.log")"
systemd-analyze verify "$PKG_UNIT" >"$OUT/systemd-analyze.txt" 2>&1 || { cat "$OUT/systemd-analyze.txt" >&2; die "systemd-analyze verify"; }
grep -i thalassa "$OUT/systemd-analyze.txt" >&2 && die "systemd-analyze verify has something to say about the unit"
getent passwd thalassa | grep -q ':/var/lib/thalassa:/usr/sbin/nologin$' || die "user thalassa: $(getent passwd thalassa)"
getent group thalassa >/dev/null || die "no group thalassa"
[ "$(stat -c '%U:%G %a' /var/lib/thalassa)" = "thalassa:thalassa 750" ] || die "/var/lib/thalassa: $(stat -c '%U:%G %a' /var/lib/thalassa)"
for f in /usr/share/thalassa/thalassa.jar /usr/bin/thalassa /etc/thalassa/thalassa.conf /etc/default/thalassa "$PKG_UNIT" \
  /usr/share/man/man1/thalassa.1.gz /usr/share/doc/thalassa/copyright /usr/share/doc/thalassa/changelog.gz \
  /usr/share/doc/thalassa/THIRD-PARTY; do
  [ -f "$f" ] || die "$f is missing"
done
[ "$(sort /var/lib/dpkg/info/thalassa.conffiles | tr '\n' ' ')" = "/etc/default/thalassa /etc/thalassa/thalassa.conf " ] \
  || die "conffiles: $(cat /var/lib/dpkg/info/thalassa.conffiles)"
zcat /usr/share/man/man1/thalassa.1.gz | grep -q -- 'config' || die "the man page does not name --config"
[ -L /etc/systemd/system/multi-user.target.wants/thalassa.service ] || die "the unit is not enabled"

# ---- 3. the service, as systemd starts it; ports of this machine's choosing (an operator's edit of the conffile)
API_PORT=$(free_port)
conf_set port "$API_PORT"
conf_set registrationPort "$(free_port)"
conf_set statsPort "$(free_port)"
BACKEND_PORT=$(free_port)
java scripts/package-test/Backend.java "$BACKEND_PORT" backend-1 >"$OUT/backend.log" 2>&1 &
BACKEND_PID=$!
await_http "http://127.0.0.1:$BACKEND_PORT/" 60 || die "the backend did not start: $(cat "$OUT/backend.log")"
say "starting the unit as systemd would"
unit_start "$OUT/daemon-1.log"
await_http "http://127.0.0.1:$API_PORT/health/live" 120 || die "the daemon did not answer: $(cat "$OUT/daemon-1.log")"
await_http "http://127.0.0.1:$API_PORT/health/ready" 60 || die "HAProxy not ready: $(cat "$OUT/daemon-1.log")"

# what the unit allows the daemon and HAProxy
MASTER=$(haproxy_pid)
[ -n "$MASTER" ] || die "no HAProxy pid in $(conf_get haproxyPidPath)"
uid=$(id -u thalassa)
for pid in "$UNIT_PID" "$MASTER"; do
  what="$(cat "/proc/$pid/comm") ($pid)"
  [ "$(proc_status "$pid" Uid)" = "$uid" ] || die "$what does not run as thalassa"
  [ "$(proc_status "$pid" CapEff)" = 0000000000000400 ] || die "$what capabilities: $(proc_status "$pid" CapEff)"
  [ "$(proc_status "$pid" CapAmb)" = 0000000000000400 ] || die "$what ambient capabilities: $(proc_status "$pid" CapAmb)"
  [ "$(proc_status "$pid" CapBnd)" = 0000000000000400 ] || die "$what bounding set: $(proc_status "$pid" CapBnd)"
  [ "$(proc_status "$pid" NoNewPrivs)" = 1 ] || die "$what may gain privileges"
  # its file system: / read-only, the state and runtime directories writable, a private /tmp
  awk '$5 == "/" { split($6, o, ","); print o[1] }' "/proc/$pid/mountinfo" | grep -qx ro || die "$what: / is writable"
  awk '$5 == "/var/lib/thalassa" || $5 == "/run/thalassa" { split($6, o, ","); print o[1] }' "/proc/$pid/mountinfo" \
    | sort -u | grep -qx rw || die "$what: the state and runtime directories are not writable"
  awk '$5 == "/tmp" { print $9 }' "/proc/$pid/mountinfo" | grep -qx tmpfs || die "$what: /tmp is not private"
done
grep -qE '^[[:space:]]*(user|group)[[:space:]]' "$(conf_get haproxyCfgPath)" && die "haproxy.cfg names a user: HAProxy should stay thalassa"
grep -qE '^<[3-7]>\[' "$OUT/daemon-1.log" || die "the daemon's lines are not the journal's: $(head -3 "$OUT/daemon-1.log")"

# ---- 4. a frontend on port 80 through the API, and traffic
[ "$(api PUT '/backends/web?wait=10s' "{\"type\":\"static\",\"members\":[{\"host\":\"127.0.0.1\",\"port\":$BACKEND_PORT}]}")" = 200 ] \
  || die "PUT /backends/web: $(cat "$OUT/answer.json")"
[ "$(api PUT '/frontends/web?wait=10s' '{"bind":"127.0.0.1:80","backend":"web","mode":"http"}')" = 200 ] \
  || die "PUT /frontends/web: $(cat "$OUT/answer.json")"
[ "$(curl -s --max-time 5 http://127.0.0.1:80/)" = backend-1 ] || die "no answer through HAProxy on port 80"
say "HAProxy (master $MASTER, user thalassa) serves 127.0.0.1:80"

# ---- 5. a higher version installed over the running one, under load
say "building a second package"
DEB2=$(build_package build-2)
V2=$(dpkg-deb -f "$DEB2" Version)
dpkg --compare-versions "$V2" gt "$V1" || die "the second package's version $V2 is not above $V1"
workers_before=$(worker_pids)
reloads_before=$(master_reloads)
[ -n "$workers_before" ] && [ -n "$reloads_before" ] || die "HAProxy's master CLI: $(show_proc)"
say "apt-get install $V2 over $V1 under load"
upgrade_under_load "$DEB2" upgrade "$API_PORT"
REQUESTS=$UPGRADE_REQUESTS
FAILED=$UPGRADE_FAILED
GAP_MS=$UPGRADE_GAP_MS
[ "$(dpkg-query -W -f='${Version}' thalassa)" = "$V2" ] || die "the installed version is not $V2"
[ "$(haproxy_pid)" = "$MASTER" ] || die "HAProxy's master changed: $MASTER -> $(haproxy_pid)"
RELOADS=$(($(master_reloads) - reloads_before))
[ "$(worker_pids)" = "$workers_before" ] || die "HAProxy's workers changed: $workers_before -> $(worker_pids)"
status_json=$(curl -s --max-time 10 "http://127.0.0.1:$API_PORT/status")
echo "$status_json" | grep -q "\"masterPid\":$MASTER," || die "the new daemon does not name master $MASTER: $status_json"
echo "$status_json" | grep -q '"reloads":0,' || die "the new daemon reloaded HAProxy: $status_json"
[ "$(curl -s --max-time 5 http://127.0.0.1:80/)" = backend-1 ] || die "no answer through HAProxy after the upgrade"
say "upgrade: $REQUESTS requests, $FAILED failed, $RELOADS reloads, daemon gap $GAP_MS ms"
[ "$REQUESTS" -gt 1000 ] || die "too few requests went through: $REQUESTS"
[ "$FAILED" = 0 ] || die "$FAILED requests failed during the upgrade: $(cat "$OUT"/upgrade-wrk-*.txt)"
[ "$RELOADS" = 0 ] || die "HAProxy reloaded $RELOADS times during the upgrade"

# ---- 6. remove keeps configuration and state, purge removes everything
unit_stop # what the prerm has systemd do before the removal
DEBIAN_FRONTEND=noninteractive timeout 300 apt-get remove -y -q thalassa >"$OUT/remove.log" 2>&1 \
  || { cat "$OUT/remove.log" >&2; die "apt-get remove"; }
for ((i = 0; i < 100; i++)); do kill -0 "$MASTER" 2>/dev/null || break; sleep 0.1; done
kill -0 "$MASTER" 2>/dev/null && die "HAProxy $MASTER still runs after the removal"
(exec 3<>/dev/tcp/127.0.0.1/80) 2>/dev/null && die "127.0.0.1:80 still answers after the removal"
[ "$(dpkg-query -W -f='${Status}' thalassa)" = "deinstall ok config-files" ] || die "status after remove: $(dpkg-query -W -f='${Status}' thalassa)"
grep -q "^port = $API_PORT$" /etc/thalassa/thalassa.conf || die "the edited configuration was not kept"
for f in /etc/default/thalassa /var/lib/thalassa/config.json /var/lib/thalassa/db; do
  [ -e "$f" ] || die "$f was not kept by the removal"
done
for f in /usr/share/thalassa /usr/bin/thalassa "$PKG_UNIT"; do
  [ ! -e "$f" ] || die "$f is still there after the removal"
done
DEBIAN_FRONTEND=noninteractive timeout 300 apt-get purge -y -q thalassa >"$OUT/purge.log" 2>&1 \
  || { cat "$OUT/purge.log" >&2; die "apt-get purge"; }
INSTALLED=""
dpkg-query -W thalassa >/dev/null 2>&1 && die "dpkg still knows thalassa after the purge"
left=$(ls -d /etc/thalassa /etc/default/thalassa /var/lib/thalassa /run/thalassa /usr/share/thalassa /usr/share/doc/thalassa \
  /etc/systemd/system/*/thalassa.service /var/lib/systemd/deb-systemd-helper-*/*thalassa* 2>/dev/null || true)
[ -z "$left" ] || die "left after the purge: $left"
getent passwd thalassa >/dev/null && die "the user thalassa is left after the purge"
getent group thalassa >/dev/null && die "the group thalassa is left after the purge"
say "removed (configuration and state kept), purged (nothing left) in $(($(date +%s) - start_s)) s"
echo "package: lintian=clean installed=$V1 upgraded=$V2 requests=$REQUESTS failed_requests=$FAILED reloads=$RELOADS daemon_gap_ms=$GAP_MS removed=kept_config_and_state purged=nothing_left"

#!/bin/sh
# in-systemd.sh FIRST.deb SECOND.deb: run inside a container whose PID 1 is systemd (scripts/test-package-systemd.sh
# copies it there), as root. Installs the package and checks, with systemd itself: the service started by the postinst;
# user, capabilities, no new privileges and file system of the daemon and HAProxy; a frontend on 127.0.0.1:80;
# `systemctl restart` and a kill -9 (Restart=on-failure) adopt the same HAProxy master and worker; `systemctl stop`
# leaves HAProxy serving and keeps /run/thalassa; an upgrade by apt-get under traffic restarts the daemon with no failed
# request and no reload; the documented way to stop both; remove and purge. Last line: the figures.
set -eu
FIRST=$1
SECOND=$2
fail() { echo "in-systemd: FAILED: $*" >&2; exit 1; }
ready() {
    i=0
    while [ $i -lt 120 ]; do
        curl -sf -o /dev/null --max-time 2 http://127.0.0.1:10000/health/ready && return 0
        sleep 0.5
        i=$((i + 1))
    done
    journalctl -u thalassa --no-pager -n 50 >&2
    fail "the API is not ready"
}
proc() { echo "show proc" | socat - UNIX-CONNECT:/var/lib/thalassa/haproxy.cfg.master.sock | awk '$2 == "master" || $2 == "worker" { print $2, $1, $3 }' | tr '\n' ' '; }
main_pid() { systemctl show -p MainPID --value thalassa; }

DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$FIRST" >/root/install-1.log 2>&1 || { cat /root/install-1.log; fail "install"; }
systemctl is-enabled thalassa >/dev/null || fail "not enabled"
ready
# a member behind HAProxy: another HAProxy answering 200 ok
cat >/root/backend.cfg <<EOF
global
    pidfile /root/backend.pid
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend backend
    bind 127.0.0.1:18081
    http-request return status 200 content-type text/plain string ok
EOF
haproxy -D -f /root/backend.cfg
curl -sf --max-time 30 -o /dev/null -X PUT -d '{"type":"static","members":[{"host":"127.0.0.1","port":18081}]}' \
    'http://127.0.0.1:10000/backends/web?wait=10s' || fail "PUT /backends/web"
curl -sf --max-time 30 -o /dev/null -X PUT -d '{"bind":"127.0.0.1:80","backend":"web","mode":"http"}' \
    'http://127.0.0.1:10000/frontends/web?wait=10s' || fail "PUT /frontends/web"
[ "$(curl -s --max-time 5 http://127.0.0.1:80/)" = ok ] || fail "no answer on port 80"

master=$(cat /run/thalassa/haproxy.pid)
for pid in $(main_pid) "$master"; do
    what="$(cat /proc/"$pid"/comm) $pid"
    [ "$(awk '/^Uid:/ { print $2 }' /proc/"$pid"/status)" = "$(id -u thalassa)" ] || fail "$what is not thalassa"
    for cap in CapEff CapAmb CapBnd; do
        [ "$(awk -v k="$cap:" '$1 == k { print $2 }' /proc/"$pid"/status)" = 0000000000000400 ] || fail "$what $cap"
    done
    [ "$(awk '/^NoNewPrivs:/ { print $2 }' /proc/"$pid"/status)" = 1 ] || fail "$what may gain privileges"
    awk '$5 == "/" { split($6, o, ","); print o[1] }' /proc/"$pid"/mountinfo | grep -qx ro || fail "$what: / writable"
done
grep -qE '^[[:space:]]*user[[:space:]]' /var/lib/thalassa/haproxy.cfg && fail "haproxy.cfg names a user"
before=$(proc)

systemctl restart thalassa
ready
[ "$(proc)" = "$before" ] || fail "restart: $before -> $(proc)"
kill -9 "$(main_pid)"
sleep 4 # RestartSec=2s
ready
[ "$(systemctl show -p NRestarts --value thalassa)" -ge 1 ] || fail "no restart after kill -9"
[ "$(proc)" = "$before" ] || fail "restart after a failure: $before -> $(proc)"
systemctl stop thalassa
[ "$(systemctl is-active thalassa || true)" = inactive ] || fail "stop"
[ -S /run/thalassa/haproxy.sock ] || fail "/run/thalassa not kept"
[ "$(curl -s --max-time 5 http://127.0.0.1:80/)" = ok ] || fail "HAProxy does not serve with the daemon stopped"
systemctl start thalassa
ready
[ "$(proc)" = "$before" ] || fail "start after stop: $before -> $(proc)"

# an upgrade under traffic: new connections, one after the other
rm -f /root/stop
( ok=0; bad=0
  while [ ! -e /root/stop ]; do
      if [ "$(curl -s --max-time 5 http://127.0.0.1:80/)" = ok ]; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
  done
  echo "$ok $bad" >/root/load ) &
sleep 2
old_main=$(main_pid)
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$SECOND" >/root/install-2.log 2>&1 || { cat /root/install-2.log; fail "upgrade"; }
ready
sleep 2
touch /root/stop
wait
read -r requests failed </root/load
[ "$(main_pid)" != "$old_main" ] || fail "the upgrade did not restart the daemon"
[ "$(proc)" = "$before" ] || fail "upgrade: $before -> $(proc)"
[ "$failed" = 0 ] || fail "$failed of $((requests + failed)) requests failed during the upgrade"
journalctl -u thalassa --no-pager -n 100 | grep -q "adopted running HAProxy, master pid $master" || fail "no adoption logged"

systemctl stop thalassa && kill -USR1 "$(cat /run/thalassa/haproxy.pid)"
sleep 2
kill -0 "$master" 2>/dev/null && fail "HAProxy still runs after the documented stop"
systemctl start thalassa
ready
master=$(cat /run/thalassa/haproxy.pid)
DEBIAN_FRONTEND=noninteractive apt-get remove -y -q thalassa >/root/remove.log 2>&1 || fail "remove"
sleep 1
kill -0 "$master" 2>/dev/null && fail "HAProxy still runs after the removal"
[ -f /etc/thalassa/thalassa.conf ] && [ -f /var/lib/thalassa/config.json ] || fail "remove did not keep config and state"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q thalassa >/root/purge.log 2>&1 || fail "purge"
left=$(ls -d /etc/thalassa /etc/default/thalassa /var/lib/thalassa /run/thalassa /usr/share/thalassa \
    /etc/systemd/system/*/thalassa.service 2>/dev/null || true)
[ -z "$left" ] || fail "left after purge: $left"
id thalassa >/dev/null 2>&1 && fail "user thalassa left"
kill "$(cat /root/backend.pid)" 2>/dev/null || true
echo "systemd: $(systemctl --version | head -n 1 | cut -d' ' -f1,2) started=yes restart=adopted kill9=restarted_adopted stop=haproxy_serves upgrade_requests=$requests failed_requests=$failed reloads=0 stop_both=yes removed=kept_config_and_state purged=nothing_left"

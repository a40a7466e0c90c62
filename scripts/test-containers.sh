#!/usr/bin/env bash
# The container image and the compose stack on this machine, as root (scripts/test.sh runs it after the package's
# test; THALASSA_CONTAINER_TEST=0 skips it):
#   0. podman, runc, netavark, podman-compose and debootstrap from Debian when missing; ten free loopback ports
#      (a random block in 20000-29999, checked free for TCP and UDP), given to deploy/compose.yaml through its
#      environment variables (THALASSA_API_PORT...), so the stack does not collide with anything else on the host;
#   1. deploy/build-image.sh: the image from the build's .deb (the base made once a machine and cached);
#   2. podman-compose --podman-path deploy/podman-host.sh -f deploy/compose.yaml up -d, as project thalassa-ci; every
#      container on the host's network; /health/ready on 127.0.0.1, the compose file's HEALTHCHECK run by podman,
#      PID 1 tini, every process user thalassa;
#   3. the README's walkthrough against the API on 127.0.0.1: the frontend myapp (bind 127.0.0.1:<port>) and backend
#      web, traffic through HAProxy in the container to the example instance app-v1 (myapp 1.0.0 on 127.0.0.1), which
#      registered itself; the switch to 2.0.0 (app-v2) with no reload; a 95/5 split with no reload;
#      then the stack's every TCP and UDP socket (ss, by the containers' processes) is on 127.0.0.0/8, peers too;
#   4. the Thalassa container restarted: HAProxy serves again with the configuration kept in the volume; the sockets
#      checked again;
#   5. SIGTERM (podman stop): the daemon exits 143 (the JVM's), no HAProxy process is left;
#   6. podman-compose down, then the project's network (podman-compose 1.0.3 creates it; no container joins it) and
#      volume removed by name: nothing of it left.
# Everything is named thalassa-ci_*: a failure or an interruption removes those containers, network and volume by
# name. Nothing is sent to any address but 127.0.0.1. Last line: the figures (image size, build, start, first
# request, restart gap, total).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$ROOT/deploy/containers.conf}
PROJECT=thalassa-ci
COMPOSE=(podman-compose --podman-path deploy/podman-host.sh -p "$PROJECT" -f deploy/compose.yaml)
CONTAINERS=("${PROJECT}_app-v2_1" "${PROJECT}_app-v1_1" "${PROJECT}_thalassa_1" "${PROJECT}_consul_1")
THALASSA=${PROJECT}_thalassa_1
NETWORK=${PROJECT}_default
VOLUME=${PROJECT}_state
OUT=$ROOT/thalassa-deb/target/container-test
say() { echo "test-containers: $*" >&2; }
die() { say "FAILED: $*"; exit 1; }
now_ms() { date +%s%3N; }

# ---- 0. the tools, from Debian
[ "$(id -u)" = 0 ] || die "needs root (podman, debootstrap)"
missing=()
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || missing+=(runc)
[ -x /usr/lib/podman/netavark ] || missing+=(netavark)
command -v podman-compose >/dev/null 2>&1 || missing+=(podman-compose)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cleanup() {
  local c
  for c in "${CONTAINERS[@]}"; do podman rm -f -v -t 5 "$c" >/dev/null 2>&1 || true; done
  podman network rm "$NETWORK" >/dev/null 2>&1 || true
  podman volume rm "$VOLUME" >/dev/null 2>&1 || true
}
on_exit() {
  local rc=$?
  if [ "$rc" != 0 ]; then
    say "the stack's logs are in $OUT"
    for c in "${CONTAINERS[@]}"; do podman logs "$c" >"$OUT/$c.log" 2>&1 || true; done
  fi
  cleanup
}
rm -rf "$OUT"
mkdir -p "$OUT"
# ten consecutive loopback ports free for TCP and UDP (Consul's gossip uses both), from a random block
taken() { ss -Htuan | awk '{ print $5 }' | sed -n 's/.*:\([0-9]*\)$/\1/p' | sort -un; }
base=""
for try in $(seq 1 30); do
  b=$((20000 + (RANDOM % 1000) * 10))
  if ! taken | awk -v b="$b" '$1 >= b && $1 < b + 10 { found = 1 } END { exit !found }'; then base=$b; break; fi
done
[ -n "$base" ] || die "no block of ten free ports in 20000-29999"
export THALASSA_API_PORT=$base THALASSA_REGISTRATION_PORT=$((base + 1)) THALASSA_STATS_PORT=$((base + 2)) \
  CONSUL_HTTP_PORT=$((base + 3)) CONSUL_SERVER_PORT=$((base + 4)) CONSUL_SERF_LAN_PORT=$((base + 5)) \
  CONSUL_SERF_WAN_PORT=$((base + 6)) APP_V1_PORT=$((base + 7)) APP_V2_PORT=$((base + 8))
FRONT_PORT=$((base + 9))
API=http://127.0.0.1:$THALASSA_API_PORT
FRONT=http://127.0.0.1:$FRONT_PORT/
say "ports 127.0.0.1:$base-$((base + 9)): API $THALASSA_API_PORT, registrations $THALASSA_REGISTRATION_PORT, frontend $FRONT_PORT, Consul $CONSUL_HTTP_PORT"
cleanup # what an interrupted run left
trap on_exit EXIT
trap 'exit 130' INT TERM
t_start=$(date +%s)

api() { curl -s --max-time 30 -o "$OUT/answer.json" -w '%{http_code}' -X "$1" -d "${3:-}" "$API$2"; }
await_http() { # URL SECONDS: until it answers 200
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null)" = 200 ] && return 0
    sleep 0.1
  done
  return 1
}
await_body() { # URL TEXT SECONDS: until the answer contains TEXT
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    grep -q "$2" <<<"$(curl -s --max-time 2 "$1" 2>/dev/null)" && return 0
    sleep 0.1
  done
  return 1
}
# every TCP and UDP socket of the stack's processes (by their host pids), sampled 20 times over 2 s while requests go
# through HAProxy to the instances: local and peer addresses on 127.0.0.0/8; and every bind and server of HAProxy's
# configuration on 127.0.0.1
loopback_only() { # LABEL
  local pids="" c n i load
  for c in "${CONTAINERS[@]}"; do
    podman container exists "$c" || continue
    pids+=" $(podman top "$c" hpid | sed 1d | tr '\n' ' ')"
  done
  [ -n "${pids// /}" ] || die "no processes of the stack to check"
  (while :; do curl -s -o /dev/null --max-time 2 "$FRONT" || true; done) &
  load=$!
  : >"$OUT/ss-$1.txt"
  for ((i = 0; i < 20; i++)); do ss -Htuanp >>"$OUT/ss-$1.txt"; sleep 0.1; done
  kill "$load"
  wait "$load" 2>/dev/null || true
  awk -v pids="$pids" '
    BEGIN { n = split(pids, p, " "); for (i = 1; i <= n; i++) want[p[i]] = 1 }
    { mine = 0; s = $0
      while (match(s, /pid=[0-9]+/)) { if (substr(s, RSTART + 4, RLENGTH - 4) in want) mine = 1; s = substr(s, RSTART + RLENGTH) }
      if (!mine) next
      sockets++
      if ($2 == "ESTAB" || $2 ~ /^(SYN|TIME|FIN|CLOSE)/) established++
      local = $5; peer = $6
      if (local !~ /^(127\.|\[::ffff:127\.|\[::1\])/) { print "local " $0; bad = 1 }
      if (peer !~ /^(127\.|\[::ffff:127\.|\[::1\])/ && !(peer ~ /^(0\.0\.0\.0|\*|\[::\]):\*$/ && ($2 == "LISTEN" || $2 == "UNCONN"))) { print "peer " $0; bad = 1 }
    }
    END { print "sockets " sockets + 0 " connected " established + 0; exit bad || established == 0 }' \
    "$OUT/ss-$1.txt" >"$OUT/ss-$1.check" \
    || die "a socket of the stack is not on loopback, or none is connected ($1): $(head -n 5 "$OUT/ss-$1.check")"
  n=$(tail -n 1 "$OUT/ss-$1.check")
  podman exec "$THALASSA" cat /var/lib/thalassa/haproxy.cfg >"$OUT/haproxy-$1.cfg"
  awk '$1 == "bind" || $1 == "server" { lines++; a = ($1 == "bind") ? $2 : $3; if (a !~ /^127\./) { print; bad = 1 } }
    END { exit bad || lines < 3 }' "$OUT/haproxy-$1.cfg" >&2 \
    || die "haproxy.cfg binds or sends elsewhere than 127.0.0.0/8 ($1): $OUT/haproxy-$1.cfg"
  say "$1: the stack's sockets over 2 s of traffic ($n) all on 127.0.0.0/8, peers too; haproxy.cfg's binds and servers on 127.0.0.1"
}
reloads() { curl -s --max-time 10 "$API/status" | grep -o '"reloads":[0-9]*' | head -n 1 | cut -d: -f2; }

# ---- 1. the image
t0=$(date +%s)
bash deploy/build-image.sh 2>&1 | grep -v 'level=error msg=".*systemd' | tee "$OUT/build.txt" >&2
BUILD_S=$(($(date +%s) - t0))
IMAGE_MB=$(sed -n 's/.* size_mb=\([0-9]*\) .*/\1/p' "$OUT/build.txt")

# ---- 2. the stack
say "podman-compose up -d (project $PROJECT)"
t0=$(now_ms)
"${COMPOSE[@]}" up -d >"$OUT/up.log" 2>&1 || { cat "$OUT/up.log" >&2; die "podman-compose up"; }
await_http "$API/health/ready" 120 || die "/health/ready did not answer 200 on $API"
UP_MS=$(($(now_ms) - t0))
for c in "${CONTAINERS[@]}"; do
  mode=$(podman inspect --format '{{.HostConfig.NetworkMode}}' "$c")
  [ "$mode" = host ] || die "$c is on network $mode, not the host's"
  [ -z "$(podman inspect --format '{{range $n, $v := .NetworkSettings.Networks}}{{$n}} {{end}}' "$c")" ] \
    || die "$c joined a network: $(podman inspect --format '{{json .NetworkSettings.Networks}}' "$c")"
done
podman healthcheck run "$THALASSA" >/dev/null 2>&1 || die "the HEALTHCHECK says unhealthy"
[ "$(podman exec "$THALASSA" id -un)" = thalassa ] || die "the container does not run as thalassa"
podman top "$THALASSA" user comm | awk 'NR > 1 && $1 != "thalassa" { bad = 1 } END { exit bad }' \
  || die "a process of the container is not thalassa's: $(podman top "$THALASSA" user pid comm)"
[ "$(podman top "$THALASSA" comm | sed -n 2p)" = tini ] || die "PID 1 is not tini: $(podman top "$THALASSA" pid comm)"
say "ready on $API in $UP_MS ms; every container on the host's network"

# ---- 3. the walkthrough (its instances are app-v1 and app-v2, which register themselves)
t0=$(now_ms)
[ "$(api PUT /frontends/myapp '{"bind":"127.0.0.1:'"$FRONT_PORT"'","backend":"web","mode":"http"}')" = 200 ] \
  || die "PUT /frontends/myapp: $(cat "$OUT/answer.json")"
[ "$(api PUT /backends/web '{"type":"dynamic","name":"myapp","version":"1.0.0"}')" = 200 ] \
  || die "PUT /backends/web: $(cat "$OUT/answer.json")"
await_body "$FRONT" "myapp 1.0.0" 60 \
  || die "no answer of myapp 1.0.0 through $FRONT: $(curl -s "$API/backends/web/members?status=true")"
FIRST_MS=$(($(now_ms) - t0))
say "myapp 1.0.0 through HAProxy in the container, $FIRST_MS ms after the PUTs"
r0=$(reloads)
[ "$(api POST /backends/web '{"version":"2.0.0"}')" = 200 ] || die "POST version 2.0.0: $(cat "$OUT/answer.json")"
grep -q '"kind":"runtime"' "$OUT/answer.json" || die "the switch was not a runtime change: $(cat "$OUT/answer.json")"
await_body "$FRONT" "myapp 2.0.0" 30 || die "no answer of myapp 2.0.0 after the switch"
for i in 1 2 3 4 5 6; do
  grep -q "myapp 2.0.0" <<<"$(curl -s --max-time 5 "$FRONT")" || die "request $i after the switch went elsewhere"
done
[ "$(api POST /backends/web '{"versions":{"1.0.0":95,"2.0.0":5}}')" = 200 ] || die "POST split: $(cat "$OUT/answer.json")"
await_body "$FRONT" "myapp 1.0.0" 30 || die "no answer of myapp 1.0.0 at 95/5"
[ "$(api POST /backends/web '{"version":"2.0.0"}')" = 200 ] || die "POST version 2.0.0: $(cat "$OUT/answer.json")"
await_body "$FRONT" "myapp 2.0.0" 30 || die "no answer of myapp 2.0.0 after the split"
[ "$(reloads)" = "$r0" ] || die "HAProxy reloaded during the switches: $r0 -> $(reloads)"
say "switch to 2.0.0, split 95/5 and back: runtime API, $r0 reloads before and after"
members=$(curl -s "$API/backends/web/members")
grep -q "127.0.0.1" <<<"$members" && grep -q "$APP_V2_PORT" <<<"$members" \
  || die "app-v2 (127.0.0.1:$APP_V2_PORT) is not the member: $members"
loopback_only walkthrough

# ---- 4. restart: HAProxy serves again with the configuration of the volume
t0=$(now_ms)
podman restart -t 30 "$THALASSA" >"$OUT/restart.log" 2>&1 || { cat "$OUT/restart.log" >&2; die "podman restart"; }
await_body "$FRONT" "myapp 2.0.0" 120 || die "HAProxy does not serve myapp 2.0.0 after the restart"
RESTART_MS=$(($(now_ms) - t0))
await_http "$API/health/ready" 60 || die "not ready after the restart"
[ "$(api GET /backends/web)" = 200 ] && grep -q '"version":"2.0.0"' "$OUT/answer.json" \
  || die "the backend was not kept: $(cat "$OUT/answer.json")"
[ "$(api GET /frontends/myapp)" = 200 ] || die "the frontend was not kept: $(cat "$OUT/answer.json")"
podman exec "$THALASSA" test -s /var/lib/thalassa/config.json || die "no config.json in the volume"
say "restarted: HAProxy serves again after $RESTART_MS ms, frontend and backend kept in $VOLUME"
loopback_only restart

# ---- 5. SIGTERM: the daemon stops cleanly, no HAProxy left
pids=$(podman top "$THALASSA" hpid comm | awk '$2 == "haproxy" || $2 == "java" || $2 == "tini" { print $1 }')
[ -n "$pids" ] || die "no processes of the container"
podman stop -t 30 "$THALASSA" >"$OUT/stop.log" 2>&1 || { cat "$OUT/stop.log" >&2; die "podman stop"; }
code=$(podman inspect --format '{{.State.ExitCode}}' "$THALASSA")
[ "$code" = 143 ] || [ "$code" = 0 ] || die "the container exited with $code on SIGTERM: $(podman logs --tail 20 "$THALASSA" 2>&1)"
# (from a file: grep -q on podman's pipe ends it early with SIGPIPE, a failure under pipefail)
podman logs --tail 20 "$THALASSA" >"$OUT/stop-tail.log" 2>&1
grep -q "Stopped oejs.Server" "$OUT/stop-tail.log" || die "the daemon did not stop its servers: $(cat "$OUT/stop-tail.log")"
for p in $pids; do
  if [ -e "/proc/$p" ]; then die "process $p ($(cat "/proc/$p/comm" 2>/dev/null)) of the container is left: $(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null)"; fi
done
(exec 3<>"/dev/tcp/127.0.0.1/$FRONT_PORT") 2>/dev/null && die "127.0.0.1:$FRONT_PORT still answers after the stop"
say "SIGTERM: exit $code, no process of the container left"

# ---- 6. down: nothing left but what we remove by name (podman-compose 1.0.3 keeps its unused network and the volume)
volumes=$(for c in "${CONTAINERS[@]}"; do podman inspect --format '{{range .Mounts}}{{.Name}} {{end}}' "$c"; done)
[ "$(echo $volumes)" = "$VOLUME" ] || die "the containers' volumes are not just $VOLUME: $volumes"
"${COMPOSE[@]}" down >"$OUT/down.log" 2>&1 || { cat "$OUT/down.log" >&2; die "podman-compose down"; }
podman network rm "$NETWORK" >/dev/null
podman volume rm "$VOLUME" >/dev/null
left=$(podman ps -a --filter "label=io.podman.compose.project=$PROJECT" --format '{{.Names}}')
[ -z "$left" ] || die "containers left: $left"
podman network exists "$NETWORK" && die "network $NETWORK left"
podman volume exists "$VOLUME" && die "volume $VOLUME left"
echo "containers: image_mb=$IMAGE_MB build_s=$BUILD_S up_s=$(awk "BEGIN { printf \"%.1f\", $UP_MS / 1000 }") first_request_ms=$FIRST_MS restart_gap_ms=$RESTART_MS reloads_on_switch=0 sigterm_exit=$code total_s=$(($(date +%s) - t_start))"

#!/usr/bin/env bash
# The container image and the compose stack on this machine, as root (scripts/test.sh runs it after the package's
# test; THALASSA_CONTAINER_TEST=0 skips it):
#   0. podman, runc, netavark, aardvark-dns, podman-compose and debootstrap from Debian when missing;
#   1. deploy/build-image.sh: the image from the build's .deb (the base made once a machine and cached);
#   2. podman-compose -f deploy/compose.yaml up -d, as project thalassa-ci; /health/ready through the published port,
#      and the image's HEALTHCHECK run by podman;
#   3. the README's walkthrough against 127.0.0.1:10000 and :9000: the frontend myapp and backend web, traffic
#      through HAProxy in the container (published 127.0.0.1:18080) to the example instance app-v1 (myapp 1.0.0),
#      which registered itself; the switch to 2.0.0 (app-v2) with no reload; a 95/5 split with no reload;
#   4. the Thalassa container restarted: HAProxy serves again with the configuration kept in the volume;
#   5. SIGTERM (podman stop): the daemon exits 143 (the JVM's), no HAProxy process is left;
#   6. podman-compose down, then the project's network and volume removed by name: nothing of it left.
# Everything is named thalassa-ci_*: a failure or an interruption removes those containers, network and volume by
# name. The host talks to the stack on 127.0.0.1 only; the containers talk to each other on the project's bridge.
# Last line: the figures (image size, build, start, first request, restart gap, total).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$ROOT/deploy/containers.conf}
PROJECT=thalassa-ci
COMPOSE=(podman-compose -p "$PROJECT" -f deploy/compose.yaml)
CONTAINERS=("${PROJECT}_app-v2_1" "${PROJECT}_app-v1_1" "${PROJECT}_thalassa_1" "${PROJECT}_consul_1")
THALASSA=${PROJECT}_thalassa_1
NETWORK=${PROJECT}_default
VOLUME=${PROJECT}_state
API=http://127.0.0.1:10000
OUT=$ROOT/thalassa-deb/target/container-test
say() { echo "test-containers: $*" >&2; }
die() { say "FAILED: $*"; exit 1; }
now_ms() { date +%s%3N; }

# ---- 0. the tools, from Debian
[ "$(id -u)" = 0 ] || die "needs root (podman's bridge, port publishing, debootstrap)"
missing=()
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || missing+=(runc)
[ -x /usr/lib/podman/netavark ] || missing+=(netavark)
[ -x /usr/lib/podman/aardvark-dns ] || missing+=(aardvark-dns)
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
for port in 10000 9000 18080; do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && die "127.0.0.1:$port is taken: the stack publishes it"
done
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
    curl -s --max-time 2 "$1" 2>/dev/null | grep -q "$2" && return 0
    sleep 0.1
  done
  return 1
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
await_http "$API/health/ready" 120 || die "/health/ready did not answer 200 through 127.0.0.1:10000"
UP_MS=$(($(now_ms) - t0))
podman healthcheck run "$THALASSA" >/dev/null 2>&1 || die "the image's HEALTHCHECK says unhealthy"
[ "$(podman exec "$THALASSA" id -un)" = thalassa ] || die "the container does not run as thalassa"
podman top "$THALASSA" user comm | awk 'NR > 1 && $1 != "thalassa" { bad = 1 } END { exit bad }' \
  || die "a process of the container is not thalassa's: $(podman top "$THALASSA" user pid comm)"
[ "$(podman top "$THALASSA" comm | sed -n 2p)" = tini ] || die "PID 1 is not tini: $(podman top "$THALASSA" pid comm)"
say "ready through 127.0.0.1:10000 in $UP_MS ms"

# ---- 3. the walkthrough (its instances are app-v1 and app-v2, which register themselves)
t0=$(now_ms)
[ "$(api PUT /frontends/myapp '{"bind":"127.0.0.1:18080","backend":"web","mode":"http"}')" = 200 ] \
  || die "PUT /frontends/myapp: $(cat "$OUT/answer.json")"
[ "$(api PUT /backends/web '{"type":"dynamic","name":"myapp","version":"1.0.0"}')" = 200 ] \
  || die "PUT /backends/web: $(cat "$OUT/answer.json")"
await_body http://127.0.0.1:18080/ "myapp 1.0.0" 60 \
  || die "no answer of myapp 1.0.0 through 127.0.0.1:18080: $(curl -s "$API/backends/web/members?status=true")"
FIRST_MS=$(($(now_ms) - t0))
say "myapp 1.0.0 through HAProxy in the container, $FIRST_MS ms after the PUTs"
r0=$(reloads)
[ "$(api POST /backends/web '{"version":"2.0.0"}')" = 200 ] || die "POST version 2.0.0: $(cat "$OUT/answer.json")"
grep -q '"kind":"runtime"' "$OUT/answer.json" || die "the switch was not a runtime change: $(cat "$OUT/answer.json")"
await_body http://127.0.0.1:18080/ "myapp 2.0.0" 30 || die "no answer of myapp 2.0.0 after the switch"
for i in 1 2 3 4 5 6; do
  curl -s --max-time 5 http://127.0.0.1:18080/ | grep -q "myapp 2.0.0" || die "request $i after the switch went elsewhere"
done
[ "$(api POST /backends/web '{"versions":{"1.0.0":95,"2.0.0":5}}')" = 200 ] || die "POST split: $(cat "$OUT/answer.json")"
await_body http://127.0.0.1:18080/ "myapp 1.0.0" 30 || die "no answer of myapp 1.0.0 at 95/5"
[ "$(api POST /backends/web '{"version":"2.0.0"}')" = 200 ] || die "POST version 2.0.0: $(cat "$OUT/answer.json")"
await_body http://127.0.0.1:18080/ "myapp 2.0.0" 30 || die "no answer of myapp 2.0.0 after the split"
[ "$(reloads)" = "$r0" ] || die "HAProxy reloaded during the switches: $r0 -> $(reloads)"
say "switch to 2.0.0, split 95/5 and back: runtime API, $r0 reloads before and after"

# ---- 4. restart: HAProxy serves again with the configuration of the volume
t0=$(now_ms)
podman restart -t 30 "$THALASSA" >"$OUT/restart.log" 2>&1 || { cat "$OUT/restart.log" >&2; die "podman restart"; }
await_body http://127.0.0.1:18080/ "myapp 2.0.0" 120 || die "HAProxy does not serve myapp 2.0.0 after the restart"
RESTART_MS=$(($(now_ms) - t0))
await_http "$API/health/ready" 60 || die "not ready after the restart"
[ "$(api GET /backends/web)" = 200 ] && grep -q '"version":"2.0.0"' "$OUT/answer.json" \
  || die "the backend was not kept: $(cat "$OUT/answer.json")"
[ "$(api GET /frontends/myapp)" = 200 ] || die "the frontend was not kept: $(cat "$OUT/answer.json")"
podman exec "$THALASSA" test -s /var/lib/thalassa/config.json || die "no config.json in the volume"
say "restarted: HAProxy serves again after $RESTART_MS ms, frontend and backend kept in $VOLUME"

# ---- 5. SIGTERM: the daemon stops cleanly, no HAProxy left
pids=$(podman top "$THALASSA" hpid comm | awk '$2 == "haproxy" || $2 == "java" || $2 == "tini" { print $1 }')
[ -n "$pids" ] || die "no processes of the container"
podman stop -t 30 "$THALASSA" >"$OUT/stop.log" 2>&1 || { cat "$OUT/stop.log" >&2; die "podman stop"; }
code=$(podman inspect --format '{{.State.ExitCode}}' "$THALASSA")
[ "$code" = 143 ] || [ "$code" = 0 ] || die "the container exited with $code on SIGTERM: $(podman logs --tail 20 "$THALASSA" 2>&1)"
podman logs --tail 20 "$THALASSA" 2>&1 | grep -q "Stopped oejs.Server" || die "the daemon did not stop its servers"
for p in $pids; do
  if [ -e "/proc/$p" ]; then die "process $p ($(cat "/proc/$p/comm" 2>/dev/null)) of the container is left: $(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null)"; fi
done
(exec 3<>/dev/tcp/127.0.0.1/18080) 2>/dev/null && die "127.0.0.1:18080 still answers after the stop"
say "SIGTERM: exit $code, no process of the container left"

# ---- 6. down: nothing left but what we remove by name (podman-compose 1.0.3 keeps the network and the volume)
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

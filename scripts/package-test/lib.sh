# Shared by scripts/test-package.sh and bench/upgrade.sh (sourced; needs root): the Thalassa package's unit run as
# systemd would run it, on a machine whose PID 1 is not systemd; HAProxy's master CLI; paced traffic with wrk.
# Every process started here is recorded by pid and stopped by pid.

PKG_UNIT=/lib/systemd/system/thalassa.service
PKG_CONF=/etc/thalassa/thalassa.conf
PKG_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
UNIT_PID=""
WRK_PIDS=()
BACKEND_PID=""
INSTALLED=""

say() { echo "${PKG_NAME:-package}: $*" >&2; }
die() { say "FAILED: $*"; exit 1; }
now_ms() { date +%s%3N; }

# The [Service] settings of the installed unit, one Key=Value a line; unit_get KEY gives the last value of KEY.
unit_settings() { awk '/^\[/ { s = ($0 == "[Service]") } s && /^[A-Za-z]+=/ { print }' "$PKG_UNIT"; }
unit_get() { unit_settings | sed -n "s/^$1=//p" | tail -n 1; }

# The value of KEY in the installed config file (its last setting; the package's files are plain key = value lines).
conf_get() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$PKG_CONF" | tail -n 1 | sed 's/[[:space:]]*$//'; }

# Sets KEY = VALUE in the installed config file, as an operator would edit it.
conf_set() {
  if grep -qE "^[[:space:]]*$1[[:space:]]*=" "$PKG_CONF"; then
    sed -i -E "s|^[[:space:]]*$1[[:space:]]*=.*|$1 = $2|" "$PKG_CONF"
  else
    printf '%s = %s\n' "$1" "$2" >>"$PKG_CONF"
  fi
}

# Checks that every [Service] setting is one this emulation applies (or one about the service manager's own
# lifecycle, which the scripts play: Restart, KillMode, RuntimeDirectoryPreserve...), with a value it can apply.
unit_check_emulated() {
  local key
  for key in $(unit_settings | cut -d= -f1 | sort -u); do
    case "$key" in
      Type|User|Group|ExecStart|SuccessExitStatus|Restart|RestartSec|KillMode|RuntimeDirectory|RuntimeDirectoryMode) ;;
      RuntimeDirectoryPreserve|StateDirectory|StateDirectoryMode|AmbientCapabilities|CapabilityBoundingSet) ;;
      NoNewPrivileges|ProtectSystem|ProtectHome|PrivateTmp) ;;
      *) die "the unit sets $key=$(unit_get "$key"), which this emulation of systemd does not apply: add it" ;;
    esac
  done
  [ "$(unit_get Type)" = exec ] || die "Type=$(unit_get Type): only exec is emulated"
  [ "$(unit_get KillMode)" = process ] || die "KillMode=$(unit_get KillMode): only process is emulated"
  [ "$(unit_get NoNewPrivileges)" = yes ] || die "NoNewPrivileges=$(unit_get NoNewPrivileges)"
  [ "$(unit_get ProtectSystem)" = strict ] || die "ProtectSystem=$(unit_get ProtectSystem): only strict is emulated"
  [ "$(unit_get ProtectHome)" = yes ] || die "ProtectHome=$(unit_get ProtectHome): only yes is emulated"
  [ "$(unit_get PrivateTmp)" = yes ] || die "PrivateTmp=$(unit_get PrivateTmp): only yes is emulated"
  [ "$(unit_get RuntimeDirectoryPreserve)" = yes ] || die "RuntimeDirectoryPreserve=$(unit_get RuntimeDirectoryPreserve)"
}

# CAP_NET_BIND_SERVICE CAP_X -> net_bind_service,x (setpriv's names)
caps_for_setpriv() { echo "$1" | tr 'A-Z ' 'a-z,' | sed 's/cap_//g'; }

# Starts the unit's ExecStart as systemd does (output to $1): the State- and RuntimeDirectory made and owned by the
# user, the environment systemd gives a service, a mount namespace where everything is read-only but those two
# directories and the API file systems (ProtectSystem=strict), /home, /root and /run/user are empty and inaccessible
# (ProtectHome=yes) and /tmp and /var/tmp are private (PrivateTmp=yes), then setpriv: the user and group, the
# capability bounding set, the ambient capabilities, no new privileges. Sets UNIT_PID: the daemon's pid (every step
# execs the next).
unit_start() {
  local log=$1
  unit_check_emulated
  local user group state runtime home shell
  user=$(unit_get User)
  group=$(unit_get Group)
  state=/var/lib/$(unit_get StateDirectory)
  runtime=/run/$(unit_get RuntimeDirectory)
  mkdir -p "$state" "$runtime"
  chown "$user:$group" "$state" "$runtime"
  chmod "$(unit_get StateDirectoryMode)" "$state"
  chmod "$(unit_get RuntimeDirectoryMode)" "$runtime"
  home=$(getent passwd "$user" | cut -d: -f6)
  shell=$(getent passwd "$user" | cut -d: -f7)
  : >"$log"
  local -a exec_start
  read -r -a exec_start <<<"$(unit_get ExecStart)"
  # systemd starts a system unit without WorkingDirectory= in /; here the sandbox's private /tmp would hide a checkout
  # under /tmp, and HAProxy, started from the daemon, goes back to its initial directory after reading its file
  # shellcheck disable=SC2016
  env -i -C / PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    HOME="$home" USER="$user" LOGNAME="$user" SHELL="$shell" INVOCATION_ID="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" \
    JOURNAL_STREAM="$(stat -c '%d:%i' "$log")" STATE_DIRECTORY="$state" RUNTIME_DIRECTORY="$runtime" \
    unshare --mount --propagation private -- /bin/sh "$PKG_LIB_DIR/sandbox.sh" "$state" "$runtime" -- \
    setpriv --reuid="$user" --regid="$group" --init-groups \
      --bounding-set="-all,+$(caps_for_setpriv "$(unit_get CapabilityBoundingSet)")" \
      --inh-caps="-all,+$(caps_for_setpriv "$(unit_get AmbientCapabilities)")" \
      --ambient-caps="+$(caps_for_setpriv "$(unit_get AmbientCapabilities)")" \
      --no-new-privs -- "${exec_start[@]}" >>"$log" 2>&1 &
  UNIT_PID=$!
}

# As `systemctl stop` with KillMode=process: SIGTERM to the daemon only (HAProxy keeps serving), SIGKILL after 30 s;
# the exit status must be a success (0, or SuccessExitStatus).
unit_stop() {
  [ -n "$UNIT_PID" ] || return 0
  local pid=$UNIT_PID status=0 i
  UNIT_PID=""
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" || status=$?
  case " 0 $(unit_get SuccessExitStatus) " in
    *" $status "*) ;;
    *) die "the daemon exited with $status on SIGTERM" ;;
  esac
}

# Waits up to $2 seconds until $1 answers 200.
await_http() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null)" = 200 ] && return 0
    sleep 0.1
  done
  return 1
}

# A free TCP port on 127.0.0.1 (nothing accepts connections on it).
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# HAProxy's master: its pid (from the pid file the config file names), and its CLI's `show proc`.
haproxy_pid() { { head -n 1 "$(conf_get haproxyPidPath)" 2>/dev/null || true; } | tr -dc '0-9'; }
master_socket() { echo "$(conf_get haproxyCfgPath).master.sock"; }
show_proc() { echo "show proc" | socat -t 5 - "UNIX-CONNECT:$(master_socket)"; }
# reloads HAProxy's master counted since it started
master_reloads() { show_proc | awk '$2 == "master" { print $3 }'; }
worker_pids() { show_proc | awk '$2 == "worker" { print $1 }' | sort | tr '\n' ' '; }

# Stops the HAProxy master of the pid file (only when it is a haproxy of the user thalassa), soft then hard.
stop_haproxy() {
  local pid
  pid=$(haproxy_pid)
  [ -n "$pid" ] || return 0
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = haproxy ] || return 0
  [ "$(stat -c %U "/proc/$pid" 2>/dev/null)" = thalassa ] || return 0
  kill -USR1 "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null || true
}

# Field of /proc/PID/status.
proc_status() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# wrk at a fixed low rate (scripts/package-test/paced.lua), in the background: $1 output file, $2 duration, then wrk's
# extra options; sets WRK_PID.
paced_wrk() {
  local out=$1 duration=$2
  shift 2
  WRK_PAUSE_MS=${WRK_PAUSE_MS:-20} wrk -t1 -c4 -d"$duration" --timeout 5s -s "$PKG_LIB_DIR/paced.lua" "$@" >"$out" 2>&1 &
  WRK_PID=$!
}

# Requests wrk sent and failed ones (socket errors and answers other than 2xx/3xx) in its output $1: "REQUESTS FAILED".
wrk_counts() {
  local requests errors non2xx
  requests=$(sed -n 's/^ *\([0-9][0-9]*\) requests in .*/\1/p' "$1")
  errors=$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' "$1" \
    | awk '{ print $1 + $2 + $3 + $4 }')
  non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$1")
  echo "${requests:-0} $((${errors:-0} + ${non2xx:-0}))"
}

# Refuses to run where the package, its user or directories are, or where 127.0.0.1:80 is taken.
package_preconditions() {
  [ "$(id -u)" = 0 ] || die "needs root: it installs the package and runs the service's user"
  if dpkg-query -W -f='${Status}' thalassa 2>/dev/null | grep -qE 'installed|config-files|unpacked'; then
    die "a thalassa package is on this machine already; this installs and purges its own (apt-get purge thalassa)"
  fi
  if getent passwd thalassa >/dev/null || [ -e /etc/thalassa ] || [ -e /var/lib/thalassa ]; then
    die "the user thalassa, /etc/thalassa or /var/lib/thalassa exists without the package: remove them first"
  fi
  if (exec 3<>/dev/tcp/127.0.0.1/80) 2>/dev/null; then
    die "something listens on 127.0.0.1:80 already"
  fi
}

# The EXIT trap: stops, by pid, what was started (wrk, the daemon, HAProxy, the backend) and purges the package.
package_cleanup() {
  local rc=$?
  trap - EXIT
  set +e # every step runs, whatever failed before (HAProxy may never have written its pid file)
  for p in "${WRK_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "$UNIT_PID" ]; then
    kill -TERM "$UNIT_PID" 2>/dev/null || true
    wait "$UNIT_PID" 2>/dev/null || true
  fi
  if [ -n "$INSTALLED" ]; then
    stop_haproxy
    DEBIAN_FRONTEND=noninteractive timeout 300 apt-get purge -y -q thalassa >"$OUT/cleanup-purge.log" 2>&1 \
      || say "could not purge thalassa: $OUT/cleanup-purge.log"
  fi
  if [ -n "$BACKEND_PID" ]; then kill "$BACKEND_PID" 2>/dev/null || true; fi
  [ "$rc" = 0 ] || say "logs in $OUT"
  exit "$rc"
}

# The newest package thalassa-deb/target holds after a build of it (mvn -pl thalassa-deb -am package), copied to $OUT.
build_package() {
  mvn -B -q -pl thalassa-deb -am package -DskipTests >"$OUT/$1.log" 2>&1 || { cat "$OUT/$1.log" >&2; die "build"; }
  local deb
  deb=$(ls -t thalassa-deb/target/thalassa_*.deb | head -n 1)
  cp "$deb" "$OUT/"
  echo "$OUT/$(basename "$deb")"
}

# Installs the package $1 over the running one while paced wrk (keep-alive, and Connection: close) sends requests
# through 127.0.0.1:80 for 20 s, then restarts the daemon as the postinst has systemd do (the daemon only: its
# KillMode=process). $2: a name for the output files; $3: the API's port. Sets UPGRADE_REQUESTS, UPGRADE_FAILED,
# UPGRADE_GAP_MS (from SIGTERM to the old daemon until the new one's API answers) and UPGRADE_STOP_MS (of which the
# old daemon's exit).
upgrade_under_load() {
  local deb=$1 name=$2 api_port=$3 t0 p req_ka failed_ka req_close failed_close
  paced_wrk "$OUT/$name-wrk-keepalive.txt" 20s http://127.0.0.1:80/
  WRK_PIDS+=("$WRK_PID")
  paced_wrk "$OUT/$name-wrk-close.txt" 20s -H "Connection: close" http://127.0.0.1:80/
  WRK_PIDS+=("$WRK_PID")
  sleep 3
  DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q "$deb" >"$OUT/$name-install.log" 2>&1 \
    || { cat "$OUT/$name-install.log" >&2; die "apt-get install $deb"; }
  t0=$(now_ms)
  unit_stop
  UPGRADE_STOP_MS=$(($(now_ms) - t0))
  unit_start "$OUT/$name-daemon.log"
  await_http "http://127.0.0.1:$api_port/health/live" 120 || die "the new daemon did not answer: $(cat "$OUT/$name-daemon.log")"
  UPGRADE_GAP_MS=$(($(now_ms) - t0))
  await_http "http://127.0.0.1:$api_port/health/ready" 60 || die "the new daemon is not ready: $(cat "$OUT/$name-daemon.log")"
  for p in "${WRK_PIDS[@]}"; do wait "$p" || die "wrk failed: $(cat "$OUT/$name"-wrk-*.txt)"; done
  WRK_PIDS=()
  read -r req_ka failed_ka <<<"$(wrk_counts "$OUT/$name-wrk-keepalive.txt")"
  read -r req_close failed_close <<<"$(wrk_counts "$OUT/$name-wrk-close.txt")"
  UPGRADE_REQUESTS=$((req_ka + req_close))
  UPGRADE_FAILED=$((failed_ka + failed_close))
}

#!/usr/bin/env bash
# The Debian package under systemd itself (as root; not in scripts/test.sh: it downloads a Debian system of about
# 500 MB once): a Debian bookworm made by debootstrap (cached in thalassa-deb/target/systemd-root) boots in
# systemd-nspawn with its own network, and scripts/package-test/in-systemd.sh runs there: the postinst starting the
# service, the unit's user, capabilities and file system for the daemon and HAProxy, restart, kill -9, stop and start
# adopting the same HAProxy, an upgrade by apt-get under traffic, stopping both, remove and purge. Uses the newest
# package of thalassa-deb/target and one built after it. Last line: in-systemd.sh's figures.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PKG_NAME=test-package-systemd
# shellcheck source=scripts/package-test/lib.sh
source scripts/package-test/lib.sh
OUT=$ROOT/thalassa-deb/target/package-test-systemd
RFS=$ROOT/thalassa-deb/target/systemd-root
[ "$(id -u)" = 0 ] || die "needs root"
command -v systemd-nspawn >/dev/null && command -v debootstrap >/dev/null || {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd-container debootstrap >/dev/null
}
rm -rf "$OUT"
mkdir -p "$OUT"
NSPAWN_PID=""
stop_container() {
  local rc=$?
  trap - EXIT
  if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
    kill -TERM "$NSPAWN_PID" 2>/dev/null || true # systemd-nspawn --boot: an orderly shutdown of the container
    for ((i = 0; i < 60; i++)); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 1; done
    kill -KILL "$NSPAWN_PID" 2>/dev/null || true
  fi
  exit "$rc"
}
trap stop_container EXIT
trap 'exit 130' INT TERM

if [ ! -x "$RFS/usr/bin/java" ]; then
  say "debootstrap of Debian bookworm into $RFS (once)"
  rm -rf "$RFS"
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
  timeout 900 debootstrap --variant=minbase \
    --include=systemd,systemd-sysv,dbus,haproxy,openjdk-17-jre-headless,adduser,curl,socat,procps \
    bookworm "$RFS" "${mirror:-http://deb.debian.org/debian}" >"$OUT/debootstrap.log" 2>&1 \
    || { tail -20 "$OUT/debootstrap.log" >&2; die "debootstrap"; }
fi
first=$(ls -t thalassa-deb/target/thalassa_*.deb 2>/dev/null | head -n 1 || true)
[ -n "$first" ] || first=$(build_package build-1)
cp "$first" "$OUT/"
first=$OUT/$(basename "$first")
second=$(build_package build-2)
dpkg --compare-versions "$(dpkg-deb -f "$second" Version)" gt "$(dpkg-deb -f "$first" Version)" || die "versions"
cp "$first" "$second" scripts/package-test/in-systemd.sh "$RFS/root/"

systemd-nspawn -D "$RFS" --boot --private-network --register=no --keep-unit --console=passive >"$OUT/nspawn.log" 2>&1 &
NSPAWN_PID=$!
init=""
for ((i = 0; i < 60; i++)); do
  init=$(ps --ppid "$NSPAWN_PID" -o pid= | tr -d ' ' | head -n 1 || true)
  if [ -n "$init" ] && [[ "$(nsenter -t "$init" -a systemctl is-system-running 2>/dev/null)" =~ ^(running|degraded)$ ]]; then
    break
  fi
  sleep 1
done
[ -n "$init" ] || die "the container did not boot: $(cat "$OUT/nspawn.log")"
say "systemd runs in the container (pid $init here); checking the package there"
nsenter -t "$init" -a sh /root/in-systemd.sh "/root/$(basename "$first")" "/root/$(basename "$second")" 2>&1 \
  | tee "$OUT/in-systemd.log" | tail -n 1
[ "${PIPESTATUS[0]}" = 0 ] || die "$(tail -n 5 "$OUT/in-systemd.log")"

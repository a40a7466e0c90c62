#!/usr/bin/env bash
# Installs what the tests and benchmarks need on a Debian bookworm machine, idempotently:
#   - HAProxy 2.6, socat and wrk from Debian's packages (system-wide; needs root);
#   - Chromium and ChromeDriver (Debian's chromium and chromium-driver) for the web UI's browser tests;
#   - BIND 9 (named, nsupdate, dig) from Debian's bind9 and bind9-dnsutils, for the DNS registry's tests; its
#     package would start a service on install, which a policy-rc.d that says no keeps from happening;
#   - ZooKeeper 3.8 from Debian's zookeeper package (its jars in /usr/share/java; no service is started: the tests
#     run the server themselves, on a free loopback port);
#   - for the Debian package's test: lintian, curl and systemd (for systemd-analyze; nothing is started);
#   - Consul 1.8 from Debian bullseye's `consul` package, fetched with a private apt configuration (the system's apt
#     sources are not touched) and unpacked into .tools/consul/ inside the repository (git-ignored).
# A second run finds everything in place and returns in well under a second.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS="$ROOT/.tools"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

missing=()
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
command -v socat >/dev/null 2>&1 || missing+=(socat)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
[ -f /usr/share/java/zookeeper.jar ] || missing+=(zookeeper)
command -v lintian >/dev/null 2>&1 || missing+=(lintian)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
bind=()
[ -x /usr/sbin/named ] || bind+=(bind9)
[ -x /usr/bin/nsupdate ] || bind+=(bind9-dnsutils)
if [ ${#missing[@]} -gt 0 ] || [ ${#bind[@]} -gt 0 ]; then
  echo "install-tools: installing ${missing[*]} ${bind[*]} from Debian's packages" >&2
  $SUDO apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ${#bind[@]} -gt 0 ]; then
  # no service started by the package: the tests run named themselves, on a free loopback port
  policy_was_there=0
  [ -e /usr/sbin/policy-rc.d ] && policy_was_there=1
  if [ $policy_was_there = 0 ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${bind[@]}" >/dev/null \
    || { [ $policy_was_there = 0 ] && $SUDO rm -f /usr/sbin/policy-rc.d; exit 1; }
  [ $policy_was_there = 0 ] && $SUDO rm -f /usr/sbin/policy-rc.d
fi
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
HAPROXY_VERSION=$("$HAPROXY" -v 2>&1 || true)
case "$HAPROXY_VERSION" in
  *"version 2.6."*) ;;
  *) echo "install-tools: warning: expected HAProxy 2.6, found: ${HAPROXY_VERSION%%$'\n'*}" >&2 ;;
esac

CONSUL="$TOOLS/consul/consul"
if [ ! -x "$CONSUL" ]; then
  echo "install-tools: fetching Consul 1.8 from Debian bullseye into $TOOLS/consul" >&2
  work="$TOOLS/apt-bullseye"
  mkdir -p "$work/lists/partial" "$work/archives/partial" "$TOOLS/consul"
  # The same mirror as the machine's own sources, with the suite bullseye.
  mirror=$(grep -h -E '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}')
  if [ -z "$mirror" ]; then
    mirror=$(grep -h -E '^deb ' /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}')
  fi
  mirror=${mirror:-http://deb.debian.org/debian}
  keyring=/usr/share/keyrings/debian-archive-bullseye-stable.gpg
  [ -f "$keyring" ] || keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  echo "deb [signed-by=$keyring] $mirror bullseye main" > "$work/sources.list"
  opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::Archives=$work/archives"
        -o "Dir::Cache::pkgcache=$work/pkgcache.bin" -o "Dir::Cache::srcpkgcache=$work/srcpkgcache.bin"
        -o "APT::Sandbox::User=root")
  apt-get "${opts[@]}" update -qq
  (cd "$work" && apt-get "${opts[@]}" download consul -qq)
  deb=$(ls "$work"/consul_*.deb | head -1)
  rm -rf "$work/unpacked"
  dpkg -x "$deb" "$work/unpacked"
  cp "$work/unpacked/usr/bin/consul" "$CONSUL"
  chmod +x "$CONSUL"
  rm -rf "$work"
fi

echo "haproxy: $("$HAPROXY" -v | head -1)"
echo "consul:  $("$CONSUL" version | head -1) at $CONSUL"
echo "chromium: $(/usr/bin/chromedriver --version 2>/dev/null | head -1)"
echo "bind9:   $(/usr/sbin/named -v 2>/dev/null | head -1)"
echo "zookeeper: $(dpkg-query -W -f='${Version}' zookeeper 2>/dev/null) in /usr/share/java"

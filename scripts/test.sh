#!/usr/bin/env bash
# The project's test command: installs HAProxy and Consul when missing, then runs every unit test (*Test, Surefire)
# and integration test (*IT, Failsafe, real HAProxy and Consul), then, as root, the Debian package's test
# (scripts/test-package.sh: lintian, install, the service as its unit runs it, an upgrade under load, remove, purge;
# THALASSA_PACKAGE_TEST=0 skips it), then, as root, the container image and compose stack
# (scripts/test-containers.sh: podman from Debian when missing; THALASSA_CONTAINER_TEST=0 skips it). Extra arguments
# go to Maven.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/install-tools.sh
THALASSA_HAPROXY_BINARY=$(command -v haproxy || echo /usr/sbin/haproxy)
export THALASSA_HAPROXY_BINARY
export THALASSA_CONSUL_BINARY="$ROOT/.tools/consul/consul"
mvn -B verify "$@"
if [ "${THALASSA_PACKAGE_TEST:-1}" = 0 ]; then
  echo "test: THALASSA_PACKAGE_TEST=0: the Debian package's test is skipped" >&2
elif [ "$(id -u)" != 0 ]; then
  echo "test: the Debian package's test installs the package and needs root: run bash scripts/test-package.sh as root" >&2
else
  bash scripts/test-package.sh
fi
if [ "${THALASSA_CONTAINER_TEST:-1}" = 0 ]; then
  echo "test: THALASSA_CONTAINER_TEST=0: the container test is skipped" >&2
elif [ "$(id -u)" != 0 ]; then
  echo "test: the container test runs podman as root: run bash scripts/test-containers.sh as root" >&2
else
  bash scripts/test-containers.sh
fi

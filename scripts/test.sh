#!/usr/bin/env bash
# The project's test command: installs HAProxy and Consul when missing, then runs every unit test (*Test, Surefire)
# and integration test (*IT, Failsafe, real HAProxy and Consul). Extra arguments go to Maven.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/install-tools.sh
THALASSA_HAPROXY_BINARY=$(command -v haproxy || echo /usr/sbin/haproxy)
export THALASSA_HAPROXY_BINARY
export THALASSA_CONSUL_BINARY="$ROOT/.tools/consul/consul"
exec mvn -B verify "$@"

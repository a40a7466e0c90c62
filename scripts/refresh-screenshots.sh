#!/usr/bin/env bash
# Refreshes the README's screenshots on purpose: runs the web UI's browser tests (they write their pictures to
# thalassa-http-adapter/target/ui/, never into the source tree) and copies the pictures to docs/ui/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/install-tools.sh
export THALASSA_HAPROXY_BINARY=$(command -v haproxy || echo /usr/sbin/haproxy)
export THALASSA_CONSUL_BINARY="$ROOT/.tools/consul/consul"
mvn -B -q -pl thalassa-http-adapter -am verify -Dtest=NoUnitTests -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test='WebUiIT,FleetIT' -Dfailsafe.failIfNoSpecifiedTests=false
cp thalassa-http-adapter/target/ui/*.png docs/ui/
echo "refreshed: $(ls thalassa-http-adapter/target/ui/*.png | wc -l) pictures in docs/ui/ (review with git diff --stat)"

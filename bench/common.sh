# Shared by the bench scripts: tools installed, thalassa-haproxy built (no install), its runtime classpath in $CP.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-tools.sh >/dev/null
export THALASSA_HAPROXY_BINARY=${THALASSA_HAPROXY_BINARY:-$(command -v haproxy || echo /usr/sbin/haproxy)}
HAPROXY=$THALASSA_HAPROXY_BINARY
OUT=bench/out
mkdir -p "$OUT"
mvn -B -q -DskipTests package dependency:build-classpath -DincludeScope=runtime \
  -Dmdep.outputFile="$PWD/$OUT/haproxy-cp.txt" -pl thalassa-haproxy -am >/dev/null
CP="thalassa-haproxy/target/classes:$(cat "$OUT/haproxy-cp.txt")"

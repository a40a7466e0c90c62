#!/usr/bin/env bash
# Render benchmark: times rendering 1,000 x 10 and 10,000 x 10 (backends x members) warm, and `haproxy -c` on the same
# files. Last line: servers=<n> render_ms=<x> haproxy_check_ms=<y> ratio=<x/y> for the 100,000-server case.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh >/dev/null
HAPROXY=${THALASSA_HAPROXY_BINARY:-$(command -v haproxy || echo /usr/sbin/haproxy)}
OUT=bench/out
mkdir -p "$OUT"
# Build (no install) and write the module's runtime classpath; the last module built (thalassa-haproxy) wins.
mvn -B -q -DskipTests package dependency:build-classpath -DincludeScope=runtime \
  -Dmdep.outputFile="$PWD/$OUT/render-cp.txt" -pl thalassa-haproxy -am >/dev/null
CP="thalassa-haproxy/target/classes:$(cat "$OUT/render-cp.txt")"

check_ms() { # median of 3 runs of haproxy -c, in ms
  local f=$1 times=()
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s%N)
    "$HAPROXY" -c -q -f "$f" >/dev/null
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 2p
}

for backends in 1000 10000; do
  line=$(java -Xmx2g -cp "$CP" bench/RenderBench.java "$backends" 10 "$OUT/render-$backends.cfg" 7)
  check=$(check_ms "$OUT/render-$backends.cfg")
  echo "$line haproxy_check_ms=$check"
done | tee "$OUT/render.txt"

python3 - "$OUT/render.txt" <<'PY'
import sys, re
rows = [dict(kv.split("=") for kv in l.split()) for l in open(sys.argv[1]) if l.strip()]
small, big = rows[0], rows[-1]
r_ms, c_ms = float(big["render_ms"]), float(big["haproxy_check_ms"])
growth = r_ms / float(small["render_ms"])
print(f"linearity: 10x servers -> {growth:.1f}x render time")
print(f"servers={big['servers']} render_ms={r_ms:.0f} haproxy_check_ms={c_ms:.0f} ratio={r_ms / c_ms:.3f}")
PY

#!/usr/bin/env bash
# Soak: the daemon (its shaded jar) on a real Consul agent for SOAK_MIN minutes (default 30): a member joining or
# leaving every second, a version switch every 10 s, a structural change every minute, wrk at a bounded rate (4
# connections, 5 ms apart), Consul frozen for 20 s every 5 minutes. Everything on 127.0.0.1, stopped by pid. Prints:
#   minutes= failed_requests= rss_growth_pct_per_h= threads_growth= fds_growth= old_workers_max= held_removals=
#   wrongly_emptied= (and the RSS and heap after GC at the start and the end). The RSS growth is the slope of a
#   least-squares line through the samples after minute 5 (every 15 s), as a share of the line's value at minute 5.
# The daemon runs as the package's launcher runs it (its JAVA_OPTS, MALLOC_ARENA_MAX and TRIM_NATIVE_HEAP_MS).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh >/dev/null
export THALASSA_CONSUL_BINARY=${THALASSA_CONSUL_BINARY:-$PWD/.tools/consul/consul}
export THALASSA_HAPROXY_BINARY=${THALASSA_HAPROXY_BINARY:-$(command -v haproxy || echo /usr/sbin/haproxy)}
SOAK_MIN=${SOAK_MIN:-30}
# SOAK_NAME: the run's name (its work directory and result file), so that two experiments can run side by side;
# SOAK_JAVA_OPTS: JVM flags added after the launcher's (e.g. -XX:NativeMemoryTracking=summary, which also writes
# `jcmd VM.native_memory summary` every 5 minutes to the work directory's nmt.txt).
SOAK_NAME=${SOAK_NAME:-soak}
OUT=bench/out
WORK="$PWD/$OUT/$SOAK_NAME"
rm -rf "$WORK"
mkdir -p "$WORK"
mvn -B -q -DskipTests package -pl thalassa-http-adapter -am >"$OUT/soak-build.log" 2>&1 \
  || { cat "$OUT/soak-build.log" >&2; exit 1; }
mvn -B -q -DskipTests test-compile dependency:build-classpath -DincludeScope=test \
  -Dmdep.outputFile="$PWD/$OUT/soak-cp.txt" -pl thalassa-consul -am >>"$OUT/soak-build.log" 2>&1
CP="thalassa-consul/target/test-classes:thalassa-consul/target/classes:thalassa-core/target/classes"
CP="$CP:$(cat "$OUT/soak-cp.txt")"
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" bench/SoakBench.java "$SOAK_MIN" \
  "$PWD/thalassa-http-adapter/target/thalassa.jar" "$WORK" | tee "$OUT/$SOAK_NAME.txt"

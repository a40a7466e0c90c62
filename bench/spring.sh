#!/usr/bin/env bash
# What the Spring Boot starter costs a host application: examples/spring-boot-app (its compiled classes) started
# <runs> times with the starter (its Thalassa starts HAProxy and applies thalassa.yml before the web server listens)
# and <runs> times without it (the same classes on the classpath of spring-boot-starter-webmvc and -actuator alone),
# alternating, each on a fresh work directory and free loopback ports. Startup is Spring Boot's own "process running
# for" at ApplicationReadyEvent (JVM start to ready); RSS is the JVM's VmRSS 2 s after that (HAProxy is a process of
# its own: its RSS is reported apart); the JVM's CPU time at ready is reported too, as the figure a machine busy with
# other work changes least. Each run with the starter is checked to answer /hello through HAProxy; each stops with
# SIGTERM (graceful shutdown; HAProxy stopped with it). Medians; the 1-minute load average at the end.
# Last line:
#   runs=<n> load=<l> with_ms=<p50> without_ms=<p50> with_cpu_ms=<p50> without_cpu_ms=<p50> cpu_overhead_ms=<d>
#   with_rss_mb=<p50> without_rss_mb=<p50> haproxy_rss_mb=<m>
#   startup_ms=<p50 with> startup_overhead_ms=<with - without> rss_overhead_mb=<with - without>
# Targets: startup_overhead_ms <= 300, rss_overhead_mb <= 40.
# Arguments: [runs (5)]. JVM flags (the same for both) from THALASSA_BENCH_JVM_FLAGS (default below).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh >/dev/null
export THALASSA_HAPROXY_BINARY=${THALASSA_HAPROXY_BINARY:-$(command -v haproxy || echo /usr/sbin/haproxy)}
RUNS=${1:-5}
JVM_FLAGS=${THALASSA_BENCH_JVM_FLAGS--XX:+UseSerialGC -Xms64m -Xmx256m}
OUT=bench/out
WORK=$PWD/$OUT/spring
mkdir -p "$OUT"

# Stops what a run left behind: the JVM by its pid, then HAProxy by the pid in its work directory, and only while
# that pid runs with that directory on its command line.
ours() { # <pid> <text on its command line>
  [ -n "$1" ] && [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}
app_pid=""
stop_app() {
  local pid
  if [ -n "$app_pid" ] && ours "$app_pid" GreetingApplication; then
    kill -TERM "$app_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do ours "$app_pid" GreetingApplication || break; sleep 0.1; done
    if ours "$app_pid" GreetingApplication; then kill -KILL "$app_pid" 2>/dev/null || true; fi
  fi
  app_pid=""
  for f in "$WORK"/*/haproxy.pid; do
    [ -f "$f" ] || continue
    pid=$(head -1 "$f")
    if ours "$pid" "$(dirname "$f")/haproxy.cfg"; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do ours "$pid" "$(dirname "$f")/haproxy.cfg" || break; sleep 0.1; done
    fi
  done
}
stop_app
trap stop_app EXIT
trap 'exit 130' INT TERM
rm -rf "$WORK"
mkdir -p "$WORK"

# Build (no install): the example and the library; the example's runtime classpath.
mvn -B -q -DskipTests package dependency:build-classpath -DincludeScope=runtime \
  -Dmdep.outputFile="$WORK/with-cp.txt" -pl examples/spring-boot-app -am >"$OUT/spring-build.log" 2>&1 \
  || { cat "$OUT/spring-build.log" >&2; exit 1; }
# The same application without the starter: Spring Boot's web and actuator starters alone, versions from its BOM.
BOOT=$(sed -n 's:.*<spring-boot.version>\(.*\)</spring-boot.version>.*:\1:p' examples/spring-boot-app/pom.xml)
mkdir -p "$WORK/base"
cat >"$WORK/base/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>bench</groupId><artifactId>spring-base</artifactId><version>1</version>
  <dependencyManagement><dependencies><dependency><groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-dependencies</artifactId><version>$BOOT</version><type>pom</type><scope>import</scope>
  </dependency></dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-webmvc</artifactId></dependency>
    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-actuator</artifactId></dependency>
  </dependencies>
</project>
EOF
mvn -B -q -f "$WORK/base/pom.xml" dependency:build-classpath -DincludeScope=runtime \
  -Dmdep.outputFile="$WORK/without-cp.txt" >>"$OUT/spring-build.log" 2>&1 \
  || { cat "$OUT/spring-build.log" >&2; exit 1; }
CLASSES=examples/spring-boot-app/target/classes
WITH_CP="$CLASSES:$(cat "$WORK/with-cp.txt")"
WITHOUT_CP="$CLASSES:$(cat "$WORK/without-cp.txt")"
if tr ':' '\n' <"$WORK/without-cp.txt" | grep -q thalassa; then echo "the base classpath has Thalassa" >&2; exit 1; fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

TICK=$(getconf CLK_TCK)
# One run: <with|without> <n>; appends "<startup ms> <rss kB> <haproxy rss kB> <cpu ms>" to $WORK/<kind>.txt.
run() {
  local kind=$1 n=$2 dir=$WORK/$1-$2 port lb classpath started=0 ms rss hrss=0 hpid cpu
  mkdir -p "$dir"
  port=$(free_port)
  lb=$(free_port)
  sed "s/127.0.0.1:8000/127.0.0.1:$lb/" examples/spring-boot-app/src/main/resources/thalassa.yml >"$dir/thalassa.yml"
  if [ "$kind" = with ]; then classpath=$WITH_CP; else classpath=$WITHOUT_CP; fi
  # shellcheck disable=SC2086 # the flags are words
  java $JVM_FLAGS -cp "$classpath" io.thalassa.examples.spring.GreetingApplication --server.port="$port" \
    --thalassa.work-dir="$dir" --thalassa.config-file="$dir/thalassa.yml" \
    --thalassa.haproxy.binary="$THALASSA_HAPROXY_BINARY" >"$dir/app.log" 2>&1 &
  app_pid=$!
  for _ in $(seq 1 3000); do
    if grep -q 'process running for' "$dir/app.log"; then started=1; break; fi
    ours "$app_pid" GreetingApplication || break
    sleep 0.02
  done
  # the JVM's CPU time (user + system) when it said it was ready: what contention for the cores does not change much
  cpu=$(awk -v t="$TICK" '{printf "%d", ($14 + $15) * 1000 / t}' "/proc/$app_pid/stat")
  [ "$started" = 1 ] || { echo "$kind run $n did not start:" >&2; tail -30 "$dir/app.log" >&2; exit 1; }
  ms=$(sed -n 's/.*process running for \([0-9.]*\).*/\1/p' "$dir/app.log" | head -1 | awk '{printf "%d", $1 * 1000}')
  if [ "$kind" = with ]; then
    for _ in $(seq 1 100); do
      curl -s "http://127.0.0.1:$lb/hello" | grep -q "hello from 127.0.0.1:$port" && break
      sleep 0.1
    done
    curl -s "http://127.0.0.1:$lb/hello" | grep -q "hello from 127.0.0.1:$port" \
      || { echo "with run $n: /hello does not answer through HAProxy" >&2; exit 1; }
  fi
  sleep 2
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$app_pid/status")
  if [ -f "$dir/haproxy.pid" ]; then
    for hpid in $(head -1 "$dir/haproxy.pid") $(pgrep -P "$(head -1 "$dir/haproxy.pid")" || true); do
      hrss=$((hrss + $(awk '/^VmRSS/ {print $2}' "/proc/$hpid/status" 2>/dev/null || echo 0)))
    done
  fi
  echo "$ms $rss $hrss $cpu" >>"$WORK/$kind.txt"
  echo "$kind run $n: startup ${ms} ms, cpu ${cpu} ms, rss $((rss / 1024)) MB, haproxy rss $((hrss / 1024)) MB" >&2
  stop_app
}

run without 0 >/dev/null 2>&1 || true # warm the page cache for both
: >"$WORK/without.txt"
run with 0 >/dev/null 2>&1 || true
: >"$WORK/with.txt"
for n in $(seq 1 "$RUNS"); do
  run with "$n"
  run without "$n"
done
with_ms=$(cut -d' ' -f1 "$WORK/with.txt" | median)
without_ms=$(cut -d' ' -f1 "$WORK/without.txt" | median)
with_rss=$(cut -d' ' -f2 "$WORK/with.txt" | median)
without_rss=$(cut -d' ' -f2 "$WORK/without.txt" | median)
haproxy_rss=$(cut -d' ' -f3 "$WORK/with.txt" | median)
with_cpu=$(cut -d' ' -f4 "$WORK/with.txt" | median)
without_cpu=$(cut -d' ' -f4 "$WORK/without.txt" | median)
awk -v runs="$RUNS" -v w="$with_ms" -v wo="$without_ms" -v wr="$with_rss" -v wor="$without_rss" -v hr="$haproxy_rss" \
  -v wc="$with_cpu" -v woc="$without_cpu" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
  'BEGIN {printf "runs=%d load=%s with_ms=%d without_ms=%d with_cpu_ms=%d without_cpu_ms=%d cpu_overhead_ms=%d with_rss_mb=%.1f without_rss_mb=%.1f haproxy_rss_mb=%.1f startup_ms=%d startup_overhead_ms=%d rss_overhead_mb=%.1f\n",
    runs, load, w, wo, wc, woc, wc - woc, wr / 1024, wor / 1024, hr / 1024, w, w - wo, (wr - wor) / 1024}'

#!/usr/bin/env bash
# Follows the README's Embedding section as a newcomer would: installs the artifacts (mvn install), makes a separate
# Maven project under a temporary directory with the README's <dependency> and compiler pin and its Java program as
# written, checks that its dependency list has no Jetty, picocli or Consul client, runs it twice against the real
# HAProxy (the second run must find its configuration and adopt HAProxy: reloads=0, the same master pid), then stops
# the HAProxy it started, by its pid. The program binds 127.0.0.1:8080 and works in /tmp/myapp-lb, as written.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
mvn -B -q -DskipTests install
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/src/main/java"
python3 - "$ROOT/README.md" "$WORK" <<'PY'
import sys, re
readme = open(sys.argv[1]).read()
work = sys.argv[2]
i = readme.index('```java\nimport io.thalassa.Backend;')
open(work + '/src/main/java/Main.java', 'w').write(readme[i + 8:readme.index('```', i + 8)])
j = readme.index('```xml\n<dependencies>')
xml = readme[j + 7:readme.index('```', j + 7)]
open(work + '/pom.xml', 'w').write('<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
    '<groupId>example</groupId><artifactId>myapp-lb</artifactId><version>1</version>'
    '<properties><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>' + xml + '</project>')
PY
cd "$WORK"
mvn -B -q compile dependency:list -DoutputFile=deps.txt dependency:build-classpath -Dmdep.outputFile=cp.txt
if grep -Ei "org.eclipse.jetty|info.picocli|consul" deps.txt; then
    echo "try-embedding: the library brings a server, a CLI parser or a Consul client" >&2; exit 1
fi
if ss -ltn | grep -q '127.0.0.1:8080 '; then echo "try-embedding: 127.0.0.1:8080 is taken" >&2; exit 1; fi
rm -rf /tmp/myapp-lb
first=$(timeout 120 java -cp "target/classes:$(cat cp.txt)" Main 2>/dev/null | tail -1)
pid=$(cat /tmp/myapp-lb/haproxy.pid)
second=$(timeout 120 java -cp "target/classes:$(cat cp.txt)" Main 2>/dev/null | tail -1)
kill "$pid" || true
echo "first:  $first"
echo "second: $second"
case "$second" in *"reloads=0,"*"masterPid=$pid,"*) echo "try-embedding: ok (dependencies: $(grep -c ':jar:' deps.txt) jars)";;
    *) echo "try-embedding: the second run did not adopt HAProxy without a reload" >&2; exit 1;; esac

#!/bin/sh
# thalassa-example-instance NAME VERSION PORT [REGISTRATIONS]: an instance of NAME at VERSION for the walkthrough
# (deploy/compose.yaml's app-v1 and app-v2). It answers "NAME VERSION on ADDRESS:PORT" on ADDRESS:PORT (busybox
# httpd), and keeps itself registered as the original's example services did: it POSTs
# REGISTRATIONS/registrations/NAME/VERSION/ADDRESS/PORT (default http://127.0.0.1:9000) every 10 s with a 30 s TTL.
# ADDRESS: THALASSA_INSTANCE_ADDRESS, default 127.0.0.1.
set -eu
name=$1 version=$2 port=$3 registrations=${4:-http://127.0.0.1:9000}
address=${THALASSA_INSTANCE_ADDRESS:-127.0.0.1}
www=$(mktemp -d)
echo "$name $version on $address:$port" >"$www/index.html"
busybox httpd -f -p "$address:$port" -h "$www" &
httpd=$!
trap 'kill "$httpd" 2>/dev/null; exit 0' TERM INT
echo "example-instance: $name $version serving $address:$port, registering at $registrations"
registered=""
while :; do
  if busybox wget -q -O /dev/null --post-data '{"secondsToExpire":"30"}' \
      "$registrations/registrations/$name/$version/$address/$port" 2>/dev/null; then
    [ -n "$registered" ] || echo "example-instance: registered $name/$version/$address/$port"
    registered=1
  else
    echo "example-instance: registration failed; retrying"
    registered=""
  fi
  sleep 10 &
  wait $! || true
done

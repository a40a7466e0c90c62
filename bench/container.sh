#!/usr/bin/env bash
# The container image and stack (root; podman): scripts/test-containers.sh with the Thalassa image rebuilt without
# the layer cache (as after a new package; the debootstrap'd base stays cached, as it is between CI runs on one
# machine). Every container on the host's network, listening on ten free ports of 127.0.0.1 the test chooses; removes
# everything it starts (project thalassa-ci) at the end.
#   image_mb          the image's size (podman image inspect)
#   build_s           deploy/build-image.sh: apt-get install of the .deb (haproxy, the Java runtime) on the base
#   up_s              podman-compose up -d until /health/ready answers 200 on 127.0.0.1
#   first_request_ms  from the walkthrough's first PUT until myapp answers through HAProxy in the container, on
#                     127.0.0.1 (the 2 s reload window of the new frontend included)
#   restart_gap_ms    podman restart of the Thalassa container until HAProxy serves the kept configuration again
# Last line: image_mb= build_s= up_s= first_request_ms= restart_gap_ms=
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
THALASSA_NO_CACHE=1 bash scripts/test-containers.sh | tee bench/out/container.txt
tail -n 1 bench/out/container.txt | tr ' ' '\n' \
  | grep -E '^(image_mb|build_s|up_s|first_request_ms|restart_gap_ms)=' | paste -sd ' '

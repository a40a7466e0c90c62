#!/bin/sh
# podman for podman-compose 1.0.3 (Debian bookworm's) with deploy/compose.yaml's `network_mode: host`:
#   podman-compose --podman-path deploy/podman-host.sh -f deploy/compose.yaml up -d
# podman-compose 1.0.3 adds `--net <project>_default --network-alias <service>` to every `podman run`, even next to
# `--network host`, and podman refuses both there ("cannot set multiple networks without bridge network mode",
# "--network-alias can only be set when the network mode is bridge"). When the arguments hold `--network host` (or
# `--network=host`, as podman-compose writes network_mode), this drops those `--net X` and `--network-alias Y` pairs
# and runs podman with the rest (anywhere in the arguments: the compose file's commands hold no --net or
# --network-alias); every other command goes to podman as it is. docker compose needs none of this.
set -eu
host=0
prev=""
for a in "$@"; do
  case "$prev $a" in "--network host" | *" --network=host") host=1 ;; esac
  prev=$a
done
[ "$host" = 1 ] || exec podman "$@"
skip=0
for a in "$@"; do
  shift
  if [ "$skip" = 1 ]; then
    skip=0
    continue
  fi
  case "$a" in
    --network-alias | --net) skip=1; continue ;;
    --network-alias=*) continue ;;
    --net=*) continue ;;
  esac
  set -- "$@" "$a"
done
exec podman "$@"

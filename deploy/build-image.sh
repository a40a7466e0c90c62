#!/usr/bin/env bash
# Builds Thalassa's container image (deploy/image/Containerfile) and the Consul image of deploy/compose.yaml
# (deploy/consul/Containerfile) with podman, on this machine:
#   1. the Debian package: the newest thalassa-deb/target/thalassa_*_all.deb, else built (mvn -pl thalassa-deb -am
#      package -DskipTests, as scripts/test-package.sh does);
#   2. the base: $THALASSA_BASE if set; else localhost/debian-bookworm:minbase when it exists (the cache: made once a
#      machine); else debian:bookworm when podman has or can pull it; else made here with debootstrap (minbase, from
#      the mirror apt already uses; apt's lists and caches left out) and `podman import`ed as
#      localhost/debian-bookworm:minbase;
#   3. localhost/thalassa:latest (and :<the package's version>; THALASSA_NO_CACHE=1: without the layer cache, as after
#      a new package), localhost/thalassa-consul:1.8 when it is not there yet or deploy/consul/Containerfile changed
#      (a label holds the file's hash).
# podman runs with deploy/containers.conf (runc, netavark) unless CONTAINERS_CONF is set, explicit ulimits and the
# host's network for the builds' apt-get. Needs root, podman and debootstrap (scripts/test-containers.sh installs
# them). Last line: the images' names and sizes.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$ROOT/deploy/containers.conf}
IMAGE=${THALASSA_IMAGE:-localhost/thalassa}
CONSUL_IMAGE=${THALASSA_CONSUL_IMAGE:-localhost/thalassa-consul:1.8}
CACHED_BASE=localhost/debian-bookworm:minbase
LIMITS=(--ulimit nofile=20000:20000 --ulimit nproc=4096:4096)
say() { echo "build-image: $*" >&2; }
die() { say "FAILED: $*"; exit 1; }
command -v podman >/dev/null || die "podman is not installed (apt-get install podman runc netavark)"
# the mirror apt uses here, for debootstrap and the Consul image's bullseye source
MIRROR=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 || true)
[ -n "$MIRROR" ] || MIRROR=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
t0=$(date +%s)

# ---- 1. the package
deb=$(ls -t thalassa-deb/target/thalassa_*_all.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
  say "building the Debian package (mvn -pl thalassa-deb -am package -DskipTests)"
  mkdir -p thalassa-deb/target
  mvn -B -q -pl thalassa-deb -am package -DskipTests >thalassa-deb/target/build-image-mvn.log 2>&1 \
    || { tail -n 50 thalassa-deb/target/build-image-mvn.log >&2; die "mvn package"; }
  deb=$(ls -t thalassa-deb/target/thalassa_*_all.deb | head -n 1)
fi
version=$(dpkg-deb -f "$deb" Version)
tag=${version//\~/-}

# ---- 2. the base
base=${THALASSA_BASE:-}
if [ -z "$base" ]; then
  if podman image exists "$CACHED_BASE"; then
    base=$CACHED_BASE
  elif podman image exists docker.io/library/debian:bookworm \
      || timeout 120 podman pull -q docker.io/library/debian:bookworm >/dev/null 2>&1; then
    base=docker.io/library/debian:bookworm
  else
    command -v debootstrap >/dev/null || die "no debian:bookworm image, and debootstrap is not installed"
    say "no debian:bookworm image to pull: making $CACHED_BASE with debootstrap from $MIRROR (once a machine)"
    rootfs=$(mktemp -d /var/tmp/thalassa-base.XXXXXX)
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$rootfs.log" 2>&1 \
      || { tail -n 30 "$rootfs.log" >&2; rm -f "$rootfs.log"; die "debootstrap"; }
    rm -f "$rootfs.log"
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
    tar -C "$rootfs" -c . | podman import -q - "$CACHED_BASE" >/dev/null
    rm -rf "$rootfs"
    trap - EXIT
    base=$CACHED_BASE
  fi
fi
say "base $base; package $(basename "$deb")"

# ---- 3. the images (HEALTHCHECK is kept in the docker format only)
build() {
  local log=$1
  shift
  podman build --format docker --network host "${LIMITS[@]}" --build-arg "BASE=$base" "$@" >"$log" 2>&1 \
    || { tail -n 40 "$log" >&2; die "podman build $*"; }
}
mkdir -p thalassa-deb/target
previous=$(podman image inspect --format '{{.Id}}' "$IMAGE:latest" 2>/dev/null || true)
no_cache=()
[ "${THALASSA_NO_CACHE:-0}" = 0 ] || no_cache=(--no-cache)
build thalassa-deb/target/build-image.log "${no_cache[@]}" --build-arg "DEB=$deb" -f deploy/image/Containerfile \
  -t "$IMAGE:latest" -t "$IMAGE:$tag" .
current=$(podman image inspect --format '{{.Id}}' "$IMAGE:latest")
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
  # the image this build replaces: its version tags, then itself (kept while a container uses it)
  for t in $(podman images --filter "reference=$IMAGE" --format '{{.Repository}}:{{.Tag}}={{.ID}}'); do
    case "$previous" in "${t#*=}"*) [ "${t%%=*}" = "$IMAGE:latest" ] || podman untag "$previous" "${t%%=*}" ;; esac
  done
  podman rmi "$previous" >/dev/null 2>&1 || say "the previous image ${previous:0:12} is in use: kept"
fi
# the Consul image: built when it is missing or was built from another deploy/consul/Containerfile (its label)
consul_source=$(sha256sum deploy/consul/Containerfile | cut -c1-16)
consul_previous=$(podman image inspect --format '{{.Id}} {{index .Labels "io.thalassa.containerfile"}}' \
  "$CONSUL_IMAGE" 2>/dev/null || true)
if [ "${consul_previous#* }" != "$consul_source" ]; then
  # no layer cache: the fetch stage is not kept as a dangling image
  build thalassa-deb/target/build-image-consul.log --layers=false --build-arg "DEBIAN_MIRROR=$MIRROR" \
    --label "io.thalassa.containerfile=$consul_source" -t "$CONSUL_IMAGE" deploy/consul
  if [ -n "$consul_previous" ]; then
    podman rmi "${consul_previous%% *}" >/dev/null 2>&1 || say "the previous Consul image is in use: kept"
  fi
fi
mb() { podman image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.0f", $1 / 1000000 }'; }
echo "image=$IMAGE:latest version=$version size_mb=$(mb "$IMAGE:latest") consul_image=$CONSUL_IMAGE consul_size_mb=$(mb "$CONSUL_IMAGE") base=$base build_s=$(($(date +%s) - t0))"

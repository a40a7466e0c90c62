#!/bin/sh
# sandbox.sh RW_DIR... -- COMMAND...: run inside a fresh mount namespace (unshare --mount) as root, makes the file
# system as systemd makes it for a unit with ProtectSystem=strict, ProtectHome=yes and PrivateTmp=yes, then execs
# COMMAND (which drops root): every mount read-only but /proc, /sys, /dev and the RW_DIRs (the unit's State- and
# RuntimeDirectory); /home, /root and /run/user empty and inaccessible; /tmp and /var/tmp private.
set -eu
mount --make-rprivate /
rw=""
while [ "$1" != "--" ]; do
    mount --bind "$1" "$1"
    rw="$rw $1 "
    shift
done
shift
findmnt -rn -o TARGET | sort -u | while read -r m; do
    case "$m" in
        /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;;
    esac
    case "$rw" in
        *" $m "*) continue ;;
    esac
    mount -o remount,bind,ro "$m" 2>/dev/null || echo "sandbox: $m stays writable (cannot remount it read-only)" >&2
done
for d in /tmp /var/tmp; do
    mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$d"
done
for d in /home /root /run/user; do
    if [ -d "$d" ]; then
        mount -t tmpfs -o mode=000,nosuid,nodev,noexec tmpfs "$d"
        mount -o remount,ro,bind "$d"
    fi
done
exec "$@"

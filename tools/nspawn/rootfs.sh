#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# Builds (once) the Debian bookworm root file system the nspawn test boots: debootstrap
# minbase with systemd, cached outside git. Later runs reuse it; a half-built one (no
# .complete marker) is thrown away and rebuilt. Takes 2-5 minutes and 260 MB. procps is
# included because the unit reloads with /bin/kill (ExecReload), which minbase lacks.
#
# Usage: tools/nspawn/rootfs.sh [CACHE]   (default /var/cache/chalkline-nspawn)
# Prints the rootfs path.
set -eu
cache="${1:-${CHALKLINE_NSPAWN_CACHE:-/var/cache/chalkline-nspawn}}"
rootfs="$cache/rootfs"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [ -f "$cache/.complete" ]; then
  echo "$rootfs"
  exit 0
fi
for tool in debootstrap systemd-nspawn; do
  command -v "$tool" >/dev/null || {
    echo "rootfs.sh: $tool is missing: apt-get install debootstrap systemd-container" >&2
    exit 2
  }
done
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$cache/.complete" ]; then echo "$rootfs"; exit 0; fi
rm -rf "$rootfs"
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,procps bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 || {
  echo "rootfs.sh: debootstrap failed, see $cache/debootstrap.log" >&2
  exit 1
}
mkdir -p "$rootfs/var/log/journal"
# Nothing in the container needs a console login or the network.
for unit in getty@tty1.service console-getty.service systemd-networkd.service systemd-resolved.service; do
  ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
done
touch "$cache/.complete"
echo "$rootfs"

#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Builds the test VM's initramfs: busybox, the vivid module closure, the probe binary and the
# shared libraries ldd lists for it (a --static-swift-stdlib binary still needs glibc,
# libstdc++ and libv4l2's chain).
# Usage: build-initramfs.sh KERNEL_DIR PROBE_BINARY OUTPUT.gz
set -eu
KERNEL_DIR="$1"; PROBE="$2"; OUT="$(cd "$(dirname "$3")" && pwd)/$(basename "$3")"
HERE="$(cd "$(dirname "$0")" && pwd)"
VERSION="$(cat "$KERNEL_DIR/VERSION")"
ROOT="$(mktemp -d /tmp/chalkline-initrd.XXXXXX)"
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT/bin" "$ROOT/sbin" "$ROOT/lib/modules" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/tmp"
cp /bin/busybox "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"
cp -r "$KERNEL_DIR/modules" "$ROOT/lib/modules/$VERSION"
cp "$PROBE" "$ROOT/bin/chalkline-v4l2-probe"
strip "$ROOT/bin/chalkline-v4l2-probe" 2>/dev/null || true
cp "$HERE/init.sh" "$ROOT/init"
chmod +x "$ROOT/init" "$ROOT/bin/chalkline-v4l2-probe"
copy_libs() {
  ldd "$1" | awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}' | while read -r lib; do
    [ -e "$ROOT$lib" ] && continue
    mkdir -p "$ROOT$(dirname "$lib")"
    cp -L "$lib" "$ROOT$lib"
  done
}
copy_libs "$PROBE"
# the dynamic loader is also looked up at /lib64 on amd64
if [ -e /lib64/ld-linux-x86-64.so.2 ] && [ ! -e "$ROOT/lib64/ld-linux-x86-64.so.2" ]; then
  mkdir -p "$ROOT/lib64"; cp -L /lib64/ld-linux-x86-64.so.2 "$ROOT/lib64/"
fi
(cd "$ROOT" && find . | cpio -o -H newc --quiet | gzip -1 > "$OUT")

#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# The real-driver test: builds chalkline-v4l2-probe (release, static Swift stdlib), boots
# Debian's kernel under qemu TCG with vivid and the probe in a busybox initramfs, and prints
# the probe's results (the lines between the markers on the serial console).
# Usage: run-vm-test.sh [PACKAGE_DIR]   (default: the repository holding this script)
# Environment: CHALKLINE_VM_CACHE (default /var/cache/chalkline-vm), CHALKLINE_VM_TIMEOUT (s, default 300),
#   CHALKLINE_VM_PROBE (a prebuilt probe binary; skips the build).
# Exit status: 0 when the probe ran to its end marker, 1 otherwise.
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
PACKAGE="${1:-$(cd "$HERE/../.." && pwd)}"
CACHE="${CHALKLINE_VM_CACHE:-/var/cache/chalkline-vm}"
TIMEOUT="${CHALKLINE_VM_TIMEOUT:-300}"
for tool in qemu-system-x86_64 busybox cpio depmod modinfo; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "run-vm-test: $tool is missing: apt-get install qemu-system-x86 busybox-static cpio kmod" >&2; exit 1; }
done
start=$(date +%s.%N)
KERNEL_DIR="$("$HERE/fetch-kernel.sh")"
if [ -n "${CHALKLINE_VM_PROBE:-}" ]; then
  PROBE="$CHALKLINE_VM_PROBE"
else
  # Its own scratch folder: this script runs from `swift test`, which holds .build's lock.
  (cd "$PACKAGE" && swift build -c release --static-swift-stdlib --scratch-path .build-vm \
    --product chalkline-v4l2-probe >&2)
  PROBE="$PACKAGE/.build-vm/release/chalkline-v4l2-probe"
fi
built=$(date +%s.%N)
WORK="$(mktemp -d /tmp/chalkline-vm.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
"$HERE/build-initramfs.sh" "$KERNEL_DIR" "$PROBE" "$WORK/initrd.gz"
booted=$(date +%s.%N)
# TCG: this machine's KVM only runs PVM guests. -no-reboot + poweroff -f ends qemu.
timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg -m 768 -smp 1 -nographic -no-reboot \
  -kernel "$KERNEL_DIR/vmlinuz" -initrd "$WORK/initrd.gz" \
  -append "console=ttyS0 panic=-1 quiet loglevel=3" </dev/null >"$WORK/console.log" 2>&1 || true
done_at=$(date +%s.%N)
tr -d '\r' <"$WORK/console.log" | sed -n '/==== CHALKLINE-PROBE-BEGIN ====/,/==== CHALKLINE-PROBE-END ====/p; /chalkline-vm:/p'
awk -v a="$start" -v b="$built" -v c="$booted" -v d="$done_at" 'BEGIN {
  printf "CHALKLINE-VM-TIMES kernel_and_build_s=%.1f initramfs_s=%.1f vm_s=%.1f total_s=%.1f\n", b-a, c-b, d-c, d-a }'
if grep -q '==== CHALKLINE-PROBE-END ====' "$WORK/console.log"; then exit 0; fi
echo "run-vm-test: the probe did not finish; the console said:" >&2
tail -n 60 "$WORK/console.log" >&2
exit 1

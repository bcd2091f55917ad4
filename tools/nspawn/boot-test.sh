#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# The systemd test: boots a Debian bookworm container (systemd-nspawn) with the agent installed
# from this build and a test unit derived from systemd/chalkline.service, then checks from
# inside that Type=notify reaches active, STATUS shows, SIGHUP reloads, and a stalled pipeline
# trips the watchdog so that systemd restarts the agent. The camera is a replay dump (the
# `--replay-dump` hook) and the stall the CHALKLINE_TEST_STALL_AFTER hook.
#
# Usage: tools/nspawn/boot-test.sh BUILD_DIR DUMP OUT
#   BUILD_DIR  holds the chalkline binary and its resource bundles (.build/debug)
#   DUMP       a chalkline-dump; its first 60 frames are used
#   OUT        receives result.txt (the checker's findings) and journal.txt
# Needs root, systemd-nspawn and debootstrap (the rootfs is built once and cached, about 2-5
# minutes, by rootfs.sh). One boot takes about 30-60 s.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
dump=$2
out=$(mkdir -p "$3" && cd "$3" && pwd)
watchdog=${CHALKLINE_NSPAWN_WATCHDOG:-10}

rootfs=$("$here/rootfs.sh")
cache=$(dirname "$rootfs")
exec 8>"$cache/.boot.lock"
flock 8

# --- stage the agent: binary, resource bundles, the shared libraries the rootfs lacks ---------
stage="$rootfs/opt/chalkline"
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/lib" "$stage/dump/frames"
cp "$build/chalkline" "$stage/bin/"
cp -r "$build"/*.resources "$stage/bin/"
ldd "$build/chalkline" | awk '$3 ~ /^\// {print $3}' | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so.* | libm.so.* | ld-linux*) ;;  # the container's own glibc (bookworm, as the host)
    *) cp -L "$lib" "$stage/lib/" ;;
  esac
done
# A small dump: the first 60 frames and every fix; the agent loops it with its clock shifted on.
cp "$dump/dump.json" "$dump/gps.jsonl" "$stage/dump/"
head -n 60 "$dump/frames.jsonl" >"$stage/dump/frames.jsonl"
sed -n 's/.*"file": *"\([^"]*\)".*/\1/p' "$stage/dump/frames.jsonl" | while read -r file; do
  cp "$dump/$file" "$stage/dump/$file"
done
chmod -R a+rX "$stage"

# --- the profile, the zones, the user, the test unit -----------------------------------------
mkdir -p "$rootfs/etc/chalkline/zones" "$rootfs/etc/sysusers.d"
chmod 0750 "$rootfs/etc/chalkline"  # ConfigurationDirectoryMode
cp "$repo"/device-profiles/zones/san-jose-*.json "$rootfs/etc/chalkline/zones/"
sed -e 's|: zones/san-jose-\([a-z-]*\.json\).*|: /etc/chalkline/zones/san-jose-\1|' \
  -e 's|state_dir: .*|state_dir: /var/lib/chalkline|' \
  -e 's|^  id: .*|  id: nspawn-test|' \
  "$repo/device-profiles/replay-default.yaml" >"$rootfs/etc/chalkline/profile.yaml"
chmod 0644 "$rootfs/etc/chalkline/profile.yaml" "$rootfs/etc/chalkline/zones/"*
cp "$repo/systemd/chalkline.sysusers" "$rootfs/etc/sysusers.d/chalkline.conf"
# The agent (User=chalkline) must read its profile; the group exists only once sysusers ran at
# boot, so tmpfiles (which runs after it) hands the folder to that group, as a package would.
mkdir -p "$rootfs/etc/tmpfiles.d"
cat >"$rootfs/etc/tmpfiles.d/chalkline-config.conf" <<'TMPFILES'
z /etc/chalkline 0750 root chalkline -
z /etc/chalkline/profile.yaml 0640 root chalkline -
TMPFILES
sed -e 's|/usr/local/bin/chalkline run --profile /etc/chalkline/profile.yaml|/opt/chalkline/bin/chalkline run --profile /etc/chalkline/profile.yaml --replay-dump /opt/chalkline/dump|' \
  -e 's|/usr/local/bin/chalkline|/opt/chalkline/bin/chalkline|g' \
  -e "s|^WatchdogSec=.*|WatchdogSec=${watchdog}s|" \
  -e 's|^RestartSec=.*|RestartSec=1s|' \
  -e 's|^\[Service\]|[Service]\nEnvironment=LD_LIBRARY_PATH=/opt/chalkline/lib|' \
  "$repo/systemd/chalkline.service" >"$rootfs/etc/systemd/system/chalkline.service"
install -m 0755 "$here/check.sh" "$rootfs/opt/chalkline/check.sh"
cat >"$rootfs/etc/systemd/system/chalkline-check.service" <<'UNIT'
[Unit]
Description=Chalkline nspawn test checker
After=multi-user.target
[Service]
Type=oneshot
Environment=LD_LIBRARY_PATH=/opt/chalkline/lib
ExecStart=/opt/chalkline/check.sh
ExecStopPost=/bin/systemctl --no-block poweroff
StandardOutput=journal+console
UNIT
mkdir -p "$rootfs/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/chalkline.service "$rootfs/etc/systemd/system/multi-user.target.wants/chalkline.service"
ln -sf /etc/systemd/system/chalkline-check.service \
  "$rootfs/etc/systemd/system/multi-user.target.wants/chalkline-check.service"

# --- boot ------------------------------------------------------------------------------------
rm -rf "$rootfs/var/log/journal" "$rootfs/var/lib/chalkline" "$rootfs/var/lib/private/chalkline"
rm -f "$rootfs/var/log/chalkline-check.txt"
mkdir -p "$rootfs/var/log/journal"
started=$(date +%s)
status=0
timeout --signal=TERM --kill-after=10 240 \
  systemd-nspawn -D "$rootfs" --register=no --keep-unit -b --console=passive </dev/null >"$out/console.txt" 2>&1 ||
  status=$?
echo "boot: exit $status after $(($(date +%s) - started)) s" >"$out/boot.txt"
cp "$rootfs/var/log/chalkline-check.txt" "$out/result.txt" 2>/dev/null || echo "NO RESULT" >"$out/result.txt"
journalctl -D "$rootfs/var/log/journal" --no-pager -o short-monotonic >"$out/journal.txt" 2>&1 || true
cat "$out/boot.txt" "$out/result.txt"

#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# The systemd test: installs the agent into a Debian bookworm container as a package would
# (`make install-files` from this build, systemd-sysusers, systemd-tmpfiles --create, a vehicle
# profile with its TLS files and hub keys as the docs say), boots it (systemd-nspawn; the boot
# runs sysusers and tmpfiles again), and checks from inside that every file has the mode
# check-profile asks for, check-profile passes as the agent's user, Type=notify reaches active,
# STATUS shows, SIGHUP reloads, and a stalled pipeline trips the watchdog so that systemd
# restarts the agent. The installed unit runs unchanged but for a drop-in: the camera is a
# replay dump (the `--replay-dump` hook), the stall the CHALKLINE_TEST_STALL_AFTER hook.
#
# Usage: tools/nspawn/boot-test.sh BUILD_DIR DUMP OUT
#   BUILD_DIR  holds the chalkline and chalkline-hub binaries and resource bundles (.build/debug)
#   DUMP       a chalkline-dump; its first 60 frames are used
#   OUT        receives result.txt (the checker's findings) and journal.txt
# Needs root, systemd-nspawn, debootstrap and openssl (the rootfs is built once and cached, about 2-5
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

# --- install as a package would: the files `make install` puts in place, into the rootfs --------
rm -rf "$rootfs/opt/chalkline" "$rootfs/usr/local/bin" "$rootfs/usr/local/lib/systemd" \
  "$rootfs/usr/local/lib/sysusers.d" "$rootfs/usr/local/lib/tmpfiles.d" "$rootfs/etc/chalkline" \
  "$rootfs/etc/systemd/system/chalkline.service" "$rootfs/etc/systemd/system/chalkline.service.d" \
  "$rootfs/etc/tmpfiles.d/chalkline-config.conf" "$rootfs/etc/sysusers.d/chalkline.conf"
make -C "$repo" --no-print-directory install-files DESTDIR="$rootfs" INSTALL_FROM="$build" >"$out/install.txt"
# A debug build links the Swift runtime dynamically: the libraries the rootfs lacks go beside it.
stage="$rootfs/opt/chalkline"
mkdir -p "$stage/lib" "$stage/dump/frames"
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

# --- the profile as the docs say: the vehicle profile, its zones, TLS files and the hub's keys ---
# Copied with a careless umask (0644 everywhere): tmpfiles must make them what check-profile wants.
etc="$rootfs/etc/chalkline"
mkdir -p "$etc/tls"
cp "$repo/device-profiles/vehicle-sj-0142.yaml" "$etc/profile.yaml"
cp "$repo/device-profiles/zones/san-jose-downtown.json" "$etc/zones.json"
cp "$repo/device-profiles/zones/san-jose-downtown-policies.json" "$etc/zones-policies.json"
cp "$repo/device-profiles/zones/san-jose-holidays.json" "$etc/holidays.json"
pki=$(mktemp -d)
"$build/chalkline-hub" dev-pki --dir "$pki" --client nspawn-test >/dev/null
cp "$pki/nspawn-test.pem" "$etc/tls/device.pem"
cp "$pki/nspawn-test.key" "$etc/tls/device.key"
cp "$pki/ca.pem" "$etc/tls/hub-ca.pem"
raw() { openssl genpkey -algorithm "$1" 2>/dev/null | openssl pkey -pubout -outform DER | tail -c 32 | base64; }
printf '{"hpke_public_key": "%s", "signing_public_key": "%s"}\n' "$(raw X25519)" "$(raw ED25519)" >"$etc/upstream-keys.json"
rm -rf "$pki"
chmod 0755 "$etc" "$etc/tls"
chmod 0644 "$etc"/*.yaml "$etc"/*.json "$etc"/tls/*
# The package's postinst: its users, then its files' modes and owners.
systemd-sysusers --root="$rootfs" >>"$out/install.txt" 2>&1
systemd-tmpfiles --root="$rootfs" --create "$rootfs/usr/local/lib/tmpfiles.d/chalkline.conf" >>"$out/install.txt" 2>&1
systemctl --root="$rootfs" enable chalkline.service >>"$out/install.txt" 2>&1

# --- the test's own hooks, as a drop-in beside the installed unit --------------------------------
mkdir -p "$rootfs/etc/systemd/system/chalkline.service.d"
cat >"$rootfs/etc/systemd/system/chalkline.service.d/nspawn-test.conf" <<UNIT
[Service]
Environment=LD_LIBRARY_PATH=/opt/chalkline/lib
ExecStart=
ExecStart=/usr/local/bin/chalkline run --profile /etc/chalkline/profile.yaml --replay-dump /opt/chalkline/dump
WatchdogSec=${watchdog}s
RestartSec=1s
UNIT
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

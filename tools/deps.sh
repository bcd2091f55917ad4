#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# Installs the Debian packages Chalkline needs to build, test and demo — only those missing,
# saying which. Idempotent: on a machine that has them all it installs nothing and says so.
# `tools/deps.sh train` installs what the model training needs instead (tools/train/train.sh
# calls it): the fonts the synthetic plates are drawn in (tools/train/MODEL.md) and python3-venv.
set -euo pipefail

if [ "${1:-}" = train ]; then
  packages=(
    python3-venv
    # render.py draws plates in every bold or condensed face of these; without them it would
    # quietly train on fewer fonts
    fonts-dejavu-core fonts-dejavu-extra fonts-liberation fonts-freefont-ttf fonts-urw-base35
  )
else
  packages=(
    # build
    pkg-config libsqlite3-dev libturbojpeg0-dev libopenblas-dev libgps-dev libv4l-dev
    # gpsd for the positioning tests and the agent
    gpsd gpsd-clients python3-gps
    # the real V4L2 driver test: Debian's kernel under qemu with vivid, a busybox initramfs
    qemu-system-x86 busybox-static v4l-utils cpio kmod
    # systemd unit checks and the nspawn boot test
    systemd systemd-container debootstrap procps
    # the patrol generator (Debian's python3 with PIL and numpy)
    python3-pil python3-numpy
    # the CDS schema check (tools/cds/validate.py)
    python3-jsonschema python3-yaml
    # test PKI, JPEG tools and fonts for generated frames
    openssl curl libjpeg-turbo-progs fonts-dejavu-core
    # the hub's review pages are tested in a real headless browser through WebDriver
    chromium chromium-driver
  )
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} Debian packages present"
  exit 0
fi

echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# gpsd's package enables a system daemon; the agent's tests start their own on free ports.
$sudo systemctl disable --now gpsd.socket gpsd.service >/dev/null 2>&1 || true
echo "deps: installed ${#missing[@]} package(s)"

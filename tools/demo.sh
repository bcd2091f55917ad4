#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# The main job, on the embedded defaults. Until the pipeline is wired (issue 9) it shows what
# exists: the device profiles checked as a technician would.
set -uo pipefail
bin=${1:-.build/debug/chalkline}

echo "== chalkline $($bin --version)"
echo
echo "== the embedded default profile"
$bin check-profile device-profiles/replay-default.yaml
echo
echo "== a technician's typo, refused with every problem located"
broken=$(mktemp --suffix=.yaml)
trap 'rm -f "$broken"' EXIT
sed -e 's/^  width: 1280/  widht: 1280/' -e 's/^  fps: 30/  fps: 300/' -e 's/^    side: right/    side: curb/' \
  device-profiles/replay-default.yaml | sed "s|zones/san-jose-downtown.json|$PWD/device-profiles/zones/san-jose-downtown.json|" >"$broken"
$bin check-profile "$broken"
echo "(exit status $?: 1 means invalid)"

#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# The main job on the embedded defaults: a generated patrol of a San José block face (two passes
# 135 minutes apart) replayed through the whole pipeline — plate reading, tracking, GPS, curb
# zones, the chalk ledger and the encrypted vault — and what it found, against what the
# generator knows it should find.
set -euo pipefail
bin=${1:-.build/debug/chalkline}
out=${DEMO_OUT:-out/demo}
patrol="$out/patrol"
state="$out/vault"

echo "== chalkline $($bin --version)"
echo
echo "== the embedded default profile"
$bin check-profile device-profiles/replay-default.yaml
echo
echo "== the zones it enforces"
$bin check-zones device-profiles/zones/san-jose-downtown.json | head -12
echo
if [ ! -f "$patrol/expected.json" ]; then
  echo "== generating the patrol (tools/patrol/generate.py)"
  rm -rf "$patrol"
  /usr/bin/python3 tools/patrol/generate.py --out "$patrol"
  echo
fi
echo "== replaying it through the pipeline"
rm -rf "$state"
$bin replay "$patrol" --profile device-profiles/replay-default.yaml --state-dir "$state" \
  --summary-file "$out/summary.json"
echo
echo "== what the generator put on the street"
/usr/bin/python3 - "$patrol/expected.json" "$out/summary.json" <<'PY'
import json, sys
expected = json.load(open(sys.argv[1]))
summary = json.load(open(sys.argv[2]))
want = {}
for c in expected["candidates"]:
    want[c["zone"]] = want.get(c["zone"], 0) + 1
got = summary["candidatesByZone"]
print(expected["description"])
for zone in sorted(set(want) | set(got)):
    print(f"  {zone}: expected {want.get(zone, 0)} candidate(s), found {got.get(zone, 0)}")
for c in expected["not_candidates"]:
    print(f"  a car that {c['why']}: no candidate expected")
ok = want == got
print("result: " + ("every expected candidate found, nothing else" if ok else "MISMATCH (see above)"))
PY
echo
echo "The candidates wait, sealed to the hub's key, in the vault at $state (the vehicle cannot read them back)."

#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# The main job on the embedded defaults: a generated patrol of a San José block face (two passes
# 135 minutes apart, permit holders among the cars) replayed through the whole pipeline — plate
# reading, tracking, GPS, curb zones, permits, the chalk ledger and the encrypted vault — and what
# it found, against what the generator knows it should find. The reference hub runs on loopback
# (mutual TLS): the vehicle is registered with it, the city's permit list is imported, the replay
# fetches the signed documents and syncs its candidates there, and a reviewer's call reads them.
set -euo pipefail
. "$(dirname "$0")/hub-loopback.sh"
bin=${1:-.build/debug/chalkline}
hubbin="$(dirname "$bin")/chalkline-hub"
out=$(realpath -m "${DEMO_OUT:-out/demo}")
patrol="$out/patrol"
state="$out/vault"
hub="$out/hub"
mkdir -p "$out"

echo "== chalkline $($bin --version)"
echo
echo "== the embedded default profile"
$bin check-profile device-profiles/replay-default.yaml
echo
echo "== the zones it enforces"
$bin check-zones device-profiles/zones/san-jose-downtown.json device-profiles/zones/san-jose-downtown-policies.json \
  --periods device-profiles/zones/san-jose-holidays.json | head -12
echo
if [ ! -f "$patrol/permits.csv" ]; then
  echo "== generating the patrol (tools/patrol/generate.py --permits)"
  rm -rf "$patrol"
  /usr/bin/python3 tools/patrol/generate.py --out "$patrol" --permits
  echo
fi
echo "== the city's hub on loopback: certificates, keys, this vehicle registered"
rm -rf "$state" "$hub"
hub_prepare "$bin" "$hubbin" "$hub" "$state"
hub_start "$hubbin" "$hub"
port=$hub_port
trap 'kill $hub_pid 2>/dev/null || true; wait $hub_pid 2>/dev/null || true' EXIT
echo "hub listening on https://127.0.0.1:$port (log: $hub/serve.log)"
# The permit office's export: without a verified permit list the vehicle enforces no rule a permit
# would lift (the 100 block's "2 HR EXCEPT PERMIT R"), so the city imports it first (docs/hub.md §3a).
"$hubbin" permits import --config "$hub/hub.json" "$patrol/permits.csv"
"$hubbin" permits show --config "$hub/hub.json"
# The embedded default profile, with the uplink pointed at this hub.
hub_profile device-profiles/replay-default.yaml "$hub" "$out/profile.yaml"
echo
echo "== replaying the patrol through the pipeline, then syncing with the hub"
$bin replay "$patrol" --profile "$out/profile.yaml" --state-dir "$state" --summary-file "$out/summary.json"
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
echo "== what an officer sees at the hub (GET /v1/candidates, a stated purpose, audited)"
review="curl -s --cacert $hub/pki/ca.pem --cert $hub/pki/reviewer.pem --key $hub/pki/reviewer.key -u officer:demo"
url="https://127.0.0.1:$port/v1/candidates?purpose=citation%20review"
$review "$url" >"$out/review.json"
/usr/bin/python3 - "$out/review.json" <<'PY'
import json, sys
candidates = json.load(open(sys.argv[1]))
print(f"{len(candidates)} candidate(s) pending review")
for c in candidates:
    print(f"  candidate {c['id'].lower()[:8]} in zone {c['zone'][:8]}: {c['rule']}, "
          f"parked {round(c['elapsed_s'] / 60)} min, moved {c['distance_m']:.1f} m, "
          f"read {c['plate_text']} ({len(c['plate_alternatives'])} alternatives), {len(c['sightings'])} sightings")
PY
login=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$hub/pki/ca.pem" "https://127.0.0.1:$review_port/login" ||
  echo "nothing (see $hub/serve.log)")
echo "review pages: https://127.0.0.1:$review_port/login answers $login (officer / demo; a purpose is asked at login)"
echo
echo "Review them yourself while the hub runs (docs/hub.md):"
echo "  $hubbin serve --config $hub/hub.json &"
echo "  open https://127.0.0.1:$review_port/ in a browser that trusts $hub/pki/ca.pem, log in as officer / demo"
echo "  or: $review '$url'"

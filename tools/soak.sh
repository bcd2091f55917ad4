#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# The shift soak on the shipped binaries: `chalkline run` (release build, the shipped plate
# models) replays the generated patrol over and over as fast as it goes, with every 97th frame
# damaged, SIGHUP every few seconds and the reference hub (`chalkline-hub serve`, loopback, mutual
# TLS) killed and started again, until FRAMES frames were read. Then the hub stays up until the
# outbox is empty, the agent gets SIGTERM, and the figures are printed: speed, frame-to-decision
# latency, memory (peak and final RSS) and descriptors of the agent process, and whether the hub
# holds every candidate the agent made exactly once.
#   tools/soak.sh [BIN] — FRAMES (default 36,000 = one filmed hour at 10 fps), SOAK_OUT (out/soak)
set -euo pipefail
. "$(dirname "$0")/hub-loopback.sh"
bin=${1:-.build/release/chalkline}
hubbin="$(dirname "$bin")/chalkline-hub"
frames_wanted=${FRAMES:-36000}
out=$(realpath -m "${SOAK_OUT:-out/soak}")
patrol_source=$(realpath -m out/demo/patrol)
[ -f "$patrol_source/expected.json" ] || /usr/bin/python3 tools/patrol/generate.py --out "$patrol_source"
rm -rf "$out"
mkdir -p "$out"
state="$out/vault"
hub="$out/hub"

# The patrol with every 97th frame replaced by garbage: a camera's damaged buffers.
patrol="$out/patrol"
mkdir -p "$patrol/frames"
for name in dump.json frames.jsonl gps.jsonl truth.jsonl expected.json; do
  ln -s "$patrol_source/$name" "$patrol/$name"
done
index=0
for frame in $(ls "$patrol_source/frames" | sort); do
  if [ $((index % 97)) -eq 50 ]; then
    printf '\377\330not a jpeg' >"$patrol/frames/$frame"
  else
    ln -s "$patrol_source/frames/$frame" "$patrol/frames/$frame"
  fi
  index=$((index + 1))
done

hub_prepare "$bin" "$hubbin" "$hub" "$state" >/dev/null
hub_start "$hubbin" "$hub"
hub_profile device-profiles/replay-default.yaml "$hub" "$out/profile.yaml"
sed -i "s|state_dir: /tmp/chalkline-replay|state_dir: $state|" "$out/profile.yaml"

"$bin" run --profile "$out/profile.yaml" --replay-dump "$patrol" --replay-pace fast --queue 64 2>"$out/agent.log" &
agent=$!
trap 'kill $agent $hub_pid 2>/dev/null || true' EXIT
started=$(date +%s%N)

sample() { # rss_kb fds frames backlog
  local rss fds
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$agent/status" 2>/dev/null || echo 0)
  fds=$(ls "/proc/$agent/fd" 2>/dev/null | wc -l)
  /usr/bin/python3 - "$state/status.json" "$rss" "$fds" <<'PY'
import json, sys
try:
    status = json.load(open(sys.argv[1]))
except Exception:
    status = {}
frames = status.get("counters", {}).get("frames", 0)
backlog = (status.get("uplink") or {}).get("backlog", -1)
print(sys.argv[2], sys.argv[3], frames, backlog)
PY
}

: >"$out/samples.tsv"
reloads=0
outages=0
hub_up_until=$(($(date +%s) + 8 + RANDOM % 8))
hub_down_until=0
tick=0
frames=0
while [ "$frames" -lt "$frames_wanted" ]; do
  sleep 1
  kill -0 $agent 2>/dev/null || { echo "the agent died; see $out/agent.log" >&2; exit 1; }
  read -r rss fds frames backlog < <(sample)
  printf '%s\t%s\t%s\t%s\n' "$rss" "$fds" "$frames" "$backlog" >>"$out/samples.tsv"
  tick=$((tick + 1))
  if [ $((tick % 3)) -eq 0 ]; then kill -HUP $agent; reloads=$((reloads + 1)); fi
  now=$(date +%s)
  if [ "$hub_down_until" -eq 0 ] && [ "$now" -ge "$hub_up_until" ]; then
    kill $hub_pid; wait $hub_pid 2>/dev/null || true
    outages=$((outages + 1))
    hub_down_until=$((now + 4 + RANDOM % 7))
  elif [ "$hub_down_until" -ne 0 ] && [ "$now" -ge "$hub_down_until" ]; then
    hub_start "$hubbin" "$hub"
    hub_down_until=0
    hub_up_until=$((now + 8 + RANDOM % 8))
  fi
done
wall=$(( ($(date +%s%N) - started) / 1000000 ))
# The hub stays up now: the outbox drains, then the agent stops.
[ "$hub_down_until" -eq 0 ] || hub_start "$hubbin" "$hub"
for _ in $(seq 1 120); do
  read -r rss fds frames backlog < <(sample)
  [ "$backlog" = 0 ] && break
  sleep 1
done
kill -TERM $agent
wait $agent || { echo "the agent exited with an error; see $out/agent.log" >&2; exit 1; }
review="curl -s --cacert $hub/pki/ca.pem --cert $hub/pki/reviewer.pem --key $hub/pki/reviewer.key -u officer:demo"
$review "https://127.0.0.1:$hub_port/v1/candidates?purpose=privacy%20audit&review_state=pending&limit=1000" \
  >"$out/held.json"
/usr/bin/python3 - "$out" "$wall" "$reloads" "$outages" <<'PY'
import json, re, sys
out, wall, reloads, outages = sys.argv[1], float(sys.argv[2]) / 1000, sys.argv[3], sys.argv[4]
samples = [list(map(int, line.split("\t"))) for line in open(f"{out}/samples.tsv") if line.strip()]
stopped = [line for line in open(f"{out}/agent.log") if "agent stopped" in line][-1]
fields = dict(re.findall(r"([a-z.0-9_]+)=(\S+)", stopped))
held = json.load(open(f"{out}/held.json"))
ids = [c["id"] for c in held]
frames = int(fields.get("frames", "0"))
made = int(fields.get("candidates", "0"))
warm = samples[len(samples) // 4]
peak = max(s[0] for s in samples)
final = samples[-1]
print(f"soak (release, shipped reader): {frames} frames ({frames / 36000:.2f} h filmed at 10 fps) in {wall:.0f} s "
      f"({frames / 10 / wall:.1f}x real time), {reloads} SIGHUP reloads, {outages} hub outages")
print(f"  latency frame to decision p50 {fields.get('latency.p50.ms')} ms, p99 {fields.get('latency.p99.ms')} ms "
      f"(of which queue, reading and deciding p50 {fields.get('latency.processing.p50.ms')} ms, "
      f"p99 {fields.get('latency.processing.p99.ms')} ms; a fast replay keeps the queue full)")
print(f"  agent RSS after warm-up {warm[0] / 1024:.1f} MB, peak {peak / 1024:.1f} MB, final {final[0] / 1024:.1f} MB; "
      f"descriptors {warm[1]} -> {final[1]}")
print(f"  candidates made {made}, held by the hub {len(held)} ({len(set(ids))} distinct)")
ok = made > 0 and len(held) == made and len(set(ids)) == len(ids) and final[1] <= warm[1] + 8 \
    and final[0] <= warm[0] + 64 * 1024
print("result: " + ("every candidate delivered once; memory and descriptors flat" if ok else "FAILED (see above)"))
sys.exit(0 if ok else 1)
PY

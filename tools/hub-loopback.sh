# SPDX-License-Identifier: AGPL-3.0-or-later
#
# Sourced by tools/demo.sh and tools/soak.sh: the reference hub on loopback for one vehicle.
#   hub_prepare BIN HUBBIN HUBDIR STATEDIR  -> development PKI, hub keys, a reviewer "officer"
#                                              (password "demo"), the vehicle's keys, registered;
#                                              sets hub_port (vehicles) and review_port (officers)
#   hub_start HUBBIN HUBDIR                 -> serves in the background, waits until it answers;
#                                              sets hub_pid
#   hub_profile PROFILE_IN HUBDIR OUT        -> the profile with its uplink pointed at the hub

hub_prepare() {
  local bin=$1 hubbin=$2 hub=$3 state=$4
  mkdir -p "$hub"
  hub_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  review_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$hubbin" dev-pki --dir "$hub/pki" --client replay-bench --client reviewer >/dev/null
  local hash
  hash=$(echo 'demo' | "$hubbin" reviewers hash-password)
  cat >"$hub/hub.json" <<JSON
{"listen": {"host": "127.0.0.1", "port": $hub_port},
 "review": {"host": "127.0.0.1", "port": $review_port},
 "tls": {"certificate": "pki/hub.pem", "private_key": "pki/hub.key", "client_ca": "pki/ca.pem"},
 "reviewers": [{"name": "officer", "password_hash": "$hash"}]}
JSON
  "$hubbin" keys init --config "$hub/hub.json" >/dev/null
  "$hubbin" keys export --config "$hub/hub.json" --out "$hub/upstream-keys.json"
  "$bin" keys init --state-dir "$state" >/dev/null
  local device_key
  device_key=$("$bin" keys show --state-dir "$state" --json |
    /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["device_public_key"])')
  "$hubbin" devices add --config "$hub/hub.json" --name replay-bench --certificate "$hub/pki/replay-bench.pem" \
    --signing-key "$device_key" --purpose "loopback hub for replay"
}

hub_start() {
  local hubbin=$1 hub=$2
  "$hubbin" serve --config "$hub/hub.json" >>"$hub/serve.log" 2>&1 &
  hub_pid=$!
  for _ in $(seq 1 100); do
    curl -s -o /dev/null --cacert "$hub/pki/ca.pem" --cert "$hub/pki/reviewer.pem" --key "$hub/pki/reviewer.key" \
      "https://127.0.0.1:$hub_port/" && return 0
    sleep 0.2
  done
  echo "the hub did not answer within 20 s (log: $hub/serve.log)" >&2
  return 1
}

hub_profile() {
  local profile=$1 hub=$2 out=$3
  sed "s|zones/san-jose-|$PWD/device-profiles/zones/san-jose-|" "$profile" >"$out"
  cat >>"$out" <<YAML

uplink:
  url: https://127.0.0.1:$hub_port/
  client_certificate: $hub/pki/replay-bench.pem
  client_key: $hub/pki/replay-bench.key
  ca_certificate: $hub/pki/ca.pem
  upstream_keys: $hub/upstream-keys.json
YAML
}

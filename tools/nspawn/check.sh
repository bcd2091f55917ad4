#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# Runs inside the nspawn container (chalkline-check.service): watches the agent's unit go
# through its paces and writes what it saw to /var/log/chalkline-check.txt, one finding a line.
set -u
log=/var/log/chalkline-check.txt
say() { echo "$*" >>"$log"; echo "$*"; }
prop() { systemctl show -p "$1" --value chalkline.service; }
wait_for() {  # wait_for SECONDS COMMAND...: true once COMMAND succeeds
  local deadline=$(($(date +%s) + $1)); shift
  until "$@"; do [ "$(date +%s)" -ge "$deadline" ] && return 1; sleep 0.5; done
}
active() { [ "$(prop ActiveState)" = active ]; }
status_shows() { prop StatusText | grep -q ' frames (.*sightings'; }
restarted() { [ "$(prop NRestarts)" -ge 1 ]; }
: >"$log"

# The modes and owners a boot's tmpfiles left, and check-profile as the agent's user.
for f in /etc/chalkline /etc/chalkline/profile.yaml /etc/chalkline/upstream-keys.json /etc/chalkline/tls \
  /etc/chalkline/tls/device.pem /etc/chalkline/tls/hub-ca.pem /etc/chalkline/tls/device.key; do
  say "MODE $(stat -c '%n %a %U:%G' "$f")"
done
if out=$(runuser -u chalkline -- /usr/local/bin/chalkline check-profile /etc/chalkline/profile.yaml 2>&1); then
  say "CHECK-PROFILE ok"
else
  say "CHECK-PROFILE failed: $(echo "$out" | tr '\n' ' ')"
fi
wait_for 90 active && say "ACTIVE yes" || say "ACTIVE no: $(prop ActiveState)/$(prop SubState) $(prop Result)"
wait_for 60 status_shows && say "STATUS $(prop StatusText)" || say "STATUS none: $(prop StatusText)"
# chalkline status as the agent's user: reads the status file, writes an audit entry.
if out=$(runuser -u chalkline -- /usr/local/bin/chalkline status --profile /etc/chalkline/profile.yaml --json); then
  say "CLI-STATUS ok $(echo "$out" | tr -d ' \n' | grep -o '"phase":"[a-z]*"')"
else
  say "CLI-STATUS failed $?"
fi
systemctl reload chalkline.service && say "RELOAD sent"
sleep 2
# The stall hook: the pipeline hangs after 3 frames; the watchdog must fire and systemd restart it.
mkdir -p /run/systemd/system/chalkline.service.d
printf '[Service]\nEnvironment=CHALKLINE_TEST_STALL_AFTER=3\n' >/run/systemd/system/chalkline.service.d/stall.conf
systemctl daemon-reload
systemctl restart chalkline.service
say "STALL armed $(date +%s)"
wait_for 120 restarted && say "RESTARTED $(prop NRestarts) $(date +%s)" || say "RESTARTED no: $(prop NRestarts)"
rm -f /run/systemd/system/chalkline.service.d/stall.conf
systemctl daemon-reload
say "DONE"

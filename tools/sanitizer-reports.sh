#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# Usage: tools/sanitizer-reports.sh LOG COMMAND...
# Runs COMMAND (a sanitized `swift test`) with its output shown and kept in LOG, says how many
# ThreadSanitizer and AddressSanitizer reports it printed, and fails when there was any or when
# COMMAND itself failed.
set -u -o pipefail
log="$1"
shift
mkdir -p "$(dirname "$log")"
"$@" 2>&1 | tee "$log"
status=$?
reports=$(grep -c -E '^WARNING: ThreadSanitizer|ERROR: AddressSanitizer' "$log" || true)
echo "sanitizer reports in $log: $reports"
[ "$reports" -eq 0 ] || exit 1
exit "$status"

#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# tools/fuzz.sh FUZZER TARGET... : runs each libFuzzer target for FUZZ_SECONDS (default 60; or
# until FUZZ_RUNS executions when that is set) from its committed seed corpus (Fuzz/corpus/TARGET)
# plus what earlier runs found (FUZZ_OUT/corpus/TARGET, FUZZ_OUT defaults to .build-fuzz), then
# prints one line a target: executions, coverage (edges, libFuzzer's last `cov:`), crashes.
# A crash stops its target (the next one runs) and leaves the input as FUZZ_OUT/crash-TARGET-*;
# once fixed, copy it into Fuzz/corpus/TARGET/ (named crash-…) and FuzzRegressionTests keeps it
# fixed. The exit status is 1 when any target crashed. (libFuzzer's fork mode would go on past a
# crash, but restarting its workers costs this large binary most of its speed.)
# Leak detection is off: the Swift runtime's and Foundation's caches are reported as leaks.
set -u
fuzzer=$1
shift
seconds=${FUZZ_SECONDS:-60}
out=${FUZZ_OUT:-.build-fuzz}
table=${FUZZ_TABLE:-$out/fuzz-table.txt}
runs=${FUZZ_RUNS:+-runs=$FUZZ_RUNS}
failed=0
printf '%-14s %12s %8s %8s %8s\n' target executions edges crashes seconds >"$table"
for target in "$@"; do
	mkdir -p "$out/corpus/$target"
	log="$out/fuzz-$target.log"
	started=$(date +%s)
	# shellcheck disable=SC2086 # $runs is one option or none
	SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 \
		nice -n 10 "$fuzzer" "$target" -max_total_time="$seconds" $runs -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 \
		-artifact_prefix="$out/crash-$target-" "$out/corpus/$target" "Fuzz/corpus/$target" >"$log" 2>&1
	elapsed=$(($(date +%s) - started))
	executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	edges=$(sed -n 's/^#[0-9]*.*cov: \([0-9]*\).*/\1/p' "$log" | tail -1)
	crashes=$(find "$out" -maxdepth 1 -name "crash-$target-*" -o -maxdepth 1 -name "leak-$target-*" \
		-o -maxdepth 1 -name "oom-$target-*" -o -maxdepth 1 -name "timeout-$target-*" | wc -l)
	[ "$crashes" -eq 0 ] || failed=1
	printf '%-14s %12s %8s %8s %8s\n' "$target" "${executions:-?}" "${edges:-?}" "$crashes" "$elapsed" >>"$table"
done
cat "$table"
exit $failed

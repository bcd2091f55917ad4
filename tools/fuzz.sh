#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# tools/fuzz.sh FUZZER TARGET... : runs each libFuzzer target for FUZZ_SECONDS (default 60) from
# its committed seed corpus (Fuzz/corpus/TARGET) plus what earlier runs found
# (.build-fuzz/corpus/TARGET), then prints one line a target: executions, coverage (edges, from
# libFuzzer's final `cov:`), crashes. A crash input is left as .build-fuzz/crash-TARGET-*; copy
# it into Fuzz/corpus/TARGET/ as crash-… once fixed, and FuzzTests keeps it fixed.
# Leak detection is off: the Swift runtime's and Foundation's caches are reported as leaks.
set -u
fuzzer=$1
shift
seconds=${FUZZ_SECONDS:-60}
out=$(dirname "$fuzzer")/..
failed=0
printf '%-14s %12s %8s %8s %s\n' target executions edges crashes seconds >"$out/fuzz-table.txt"
for target in "$@"; do
	mkdir -p "$out/corpus/$target"
	log="$out/fuzz-$target.log"
	SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
		nice -n 10 "$fuzzer" "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$out/crash-$target-" \
		"$out/corpus/$target" "Fuzz/corpus/$target" >"$log" 2>&1
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	edges=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	crashes=$(ls "$out/crash-$target-"* 2>/dev/null | wc -l)
	[ "$crashes" -eq 0 ] || failed=1
	printf '%-14s %12s %8s %8s %s\n' "$target" "${runs:-?}" "${edges:-?}" "$crashes" "$seconds" >>"$out/fuzz-table.txt"
done
cat "$out/fuzz-table.txt"
exit $failed

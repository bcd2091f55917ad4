#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# tools/fuzz.sh FUZZER TARGET... : runs each libFuzzer target for FUZZ_SECONDS (default 60; or
# until FUZZ_RUNS executions when that is set) from its committed seed corpus (Fuzz/corpus/TARGET)
# plus what earlier runs found (FUZZ_OUT/corpus/TARGET, FUZZ_OUT defaults to .build-fuzz, where
# every new input goes), then prints one line a target: executions, coverage (libFuzzer's last
# `cov:` edges and `ft:` features), what this run found and its result (ok, crash, timeout, oom,
# or error with libFuzzer's exit status). FUZZ_FLAGS are more libFuzzer options, after these.
# A crash stops its target (the next one runs) and leaves the input as FUZZ_OUT/TARGET-crash-*
# (-timeout-*, -oom-*); once fixed, copy it into Fuzz/corpus/TARGET/ (named crash-…) and
# FuzzRegressionTests keeps it fixed. The exit status is 1 when any target did not end ok.
# (libFuzzer's fork mode would go on past a crash, but restarting its workers costs this large
# binary most of its speed.)
# Leak detection is off: the Swift runtime's and Foundation's caches are reported as leaks.
set -u
fuzzer=$1
shift
seconds=${FUZZ_SECONDS:-60}
out=${FUZZ_OUT:-.build-fuzz}
table=${FUZZ_TABLE:-$out/fuzz-table.txt}
runs=${FUZZ_RUNS:+-runs=$FUZZ_RUNS}
failed=0
mkdir -p "$out"
printf '%-14s %12s %8s %8s %8s %8s %s\n' target executions cov ft found seconds result >"$table"
for target in "$@"; do
	mkdir -p "$out/corpus/$target"
	log="$out/fuzz-$target.log"
	started=$(date +%s)
	# shellcheck disable=SC2086 # $runs and $FUZZ_FLAGS are options or none
	SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 \
		nice -n 10 "$fuzzer" "$target" -max_total_time="$seconds" $runs -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 ${FUZZ_FLAGS:-} \
		-artifact_prefix="$out/$target-" "$out/corpus/$target" "Fuzz/corpus/$target" >"$log" 2>&1 &
	pid=$!
	wait $pid
	status=$?
	# A crash ends the process before its exit handler removes the targets' scratch directory.
	rm -rf /dev/shm/chalkline-fuzz-$pid-*
	elapsed=$(($(date +%s) - started))
	executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$executions" ] || executions=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -1)
	cov=$(sed -n 's/^#[0-9]*.* cov: \([0-9]*\).*/\1/p' "$log" | tail -1)
	ft=$(sed -n 's/^#[0-9]*.* ft: \([0-9]*\).*/\1/p' "$log" | tail -1)
	# What this run wrote: libFuzzer names each artifact `PREFIX{crash,timeout,oom,leak}-SHA1`.
	found=$(sed -n "s|.*Test unit written to $out/$target-\([a-z]*\)-.*|\1|p" "$log")
	# A report counts even when the process then exits 0 (an out-of-memory found by libFuzzer's
	# RSS thread can lose the race with the end of the run); its line may be inside another's.
	reported=$(sed -n 's/.*==[0-9]*== ERROR: libFuzzer: \([a-z]*\).*/\1/p; s/.*==[0-9]*==ERROR: .*Sanitizer.*/crash/p' "$log" |
		sed 's/^out$/oom/; s/^deadly$/crash/' | head -1)
	result=ok
	if [ "$status" -ne 0 ] || [ -n "$reported" ]; then
		result=$(echo "$found" | head -1)
		[ -n "$result" ] || result=${reported:-"error($status)"}
		failed=1
	fi
	printf '%-14s %12s %8s %8s %8s %8s %s\n' "$target" "${executions:-?}" "${cov:-?}" "${ft:-?}" \
		"$(echo "$found" | grep -c .)" "$elapsed" "$result" >>"$table"
	[ "$result" = ok ] || echo "fuzz: $target: $result, see $log" >&2
done
cat "$table"
exit $failed

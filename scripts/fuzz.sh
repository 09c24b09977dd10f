#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/Package.swift (ASan + libFuzzer, scratch path .build-fuzz)
# and runs each in turn for FUZZ_SECONDS (default 600) on its committed seed corpus
# (Fuzz/Corpus/<target>, read only) plus a working corpus in .build-fuzz/corpus/<target>.
# Prints each target's execs, execs/s, coverage (cov:) and features (ft:) at its end; a crash stops
# the run with the input saved under .build-fuzz/crashes/ (commit it under Fuzz/Crashes/ with a
# regression test). Called by `make fuzz` and, with FUZZ_SECONDS=20, by scripts/test.sh.
#   FUZZ_SECONDS=600  FUZZ_TARGETS="fuzz-amf0 fuzz-heartbeat"  [FUZZ_BUILD=0]  scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds="${FUZZ_SECONDS:-600}"
scratch="$root/.build-fuzz"

all_targets() { sed -n 's/^ *fuzzTarget("\([a-z0-9-]*\)".*/\1/p' Fuzz/Package.swift; }
targets="${FUZZ_TARGETS:-$(all_targets | tr '\n' ' ')}"

# -enable-testing: the targets reach internal parsers (AMF0, HeartbeatPayload) via @testable import.
flags=(--scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing)
if [ "${FUZZ_BUILD:-1}" = 1 ]; then  # FUZZ_BUILD=0: run what is built (e.g. while the sources change)
    started=$(date +%s)
    (cd Fuzz && swift build "${flags[@]}")
    echo "fuzz: build took $(( $(date +%s) - started )) s"
fi
bin="$scratch/debug"

mkdir -p "$scratch/crashes" "$scratch/logs"
# Leaks are findings, except the few outside our code listed (with why) in the suppressions file.
# ASan records where each allocation was made; a debug Swift build allocates at every turn, so
# the default 30 frames cost most of the time. 8 frames keep reports readable.
export ASAN_OPTIONS="${ASAN_OPTIONS:-malloc_context_size=8}"
# A trap is reported by libFuzzer (deadly signal, input saved), not by Swift's backtracer.
export SWIFT_BACKTRACE=enable=no
export LSAN_OPTIONS="suppressions=$root/Fuzz/lsan-suppressions.txt${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
summary=()
for target in $targets; do
    seeds="Fuzz/Corpus/$target"
    work="$scratch/corpus/$target"
    log="$scratch/logs/$target.log"
    mkdir -p "$work"
    [ -d "$seeds" ] || { echo "fuzz: $target: no seed corpus at $seeds — add one" >&2; exit 1; }
    dictionary=()
    [ -f "Fuzz/Dictionaries/$target.dict" ] && dictionary=("-dict=Fuzz/Dictionaries/$target.dict")
    echo "fuzz: $target for $seconds s (seeds: $(ls "$seeds" | wc -l), log: $log)"
    # -timeout: one input taking 10 s is a finding (a hang); -rss_limit_mb: so is 2 GB of memory.
    status=0
    "$bin/$target" "$work" "$seeds" "${dictionary[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$scratch/crashes/$target-" >"$log" 2>&1 || status=$?
    done_line="$(grep -aE '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)"
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")"
    cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")"
    ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")"
    corpus="$(sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$done_line")"
    rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")"
    if [ "$status" -ne 0 ] || [ -z "$done_line" ]; then
        echo "fuzz: $target FAILED (exit $status) — the end of $log:" >&2
        tail -n 60 "$log" >&2
        ls -1 "$scratch/crashes/$target-"* 2>/dev/null >&2 || true
        exit 1
    fi
    line="$target: ${execs} execs in ${seconds} s (${rate}/s), cov: ${cov} ft: ${ft} corpus: ${corpus}, peak RSS ${rss} MB, no crash"
    echo "fuzz: $line"
    summary+=("$line")
done
echo "fuzz: all targets done"
printf '  %s\n' "${summary[@]}"

#!/usr/bin/env bash
# The whole suite in two lanes at once, each serial (`--no-parallel`), over one build: the real-agent
# process tests and the media harness in one, every other test target in the other (21 and 19
# minutes side by side on a 2-core machine, session 18; 40 minutes one after the other). Each line
# is prefixed with its lane; both lanes run to their end, and the exit status is the first failing
# lane's. A lane still running after LANE_MINUTES (default 55: CI stops at 90) is stopped, and the
# tests it had started but not finished are named. Called by scripts/test.sh.
set -uo pipefail
cd "$(dirname "$0")/../.."

lane_a='KuzetProcessTests|KuzetMediaTests'
minutes="${LANE_MINUTES:-55}"
logs="$(mktemp -d "${TMPDIR:-/tmp}/kuzet-lanes.XXXXXX")"
swift build --build-tests >/dev/null || exit 1

run_lane() {  # name, swift test arguments…
    local name=$1
    shift
    # Both `swift test` processes read the one build (`--skip-build`); SwiftPM's lock on .build
    # would otherwise hold the second until the first ends. stdbuf: line by line into a pipe, so
    # the lines of a lane stopped by `timeout` are not lost in its buffer.
    timeout --kill-after=30 "${minutes}m" stdbuf -oL -eL swift test --skip-build --ignore-lock --no-parallel "$@" 2>&1 \
        | tee "$logs/$name.log" | sed -u "s/^/[$name] /"
    local status="${PIPESTATUS[0]}"
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        echo "[$name] lane stopped after $minutes minutes; started and not finished:"
        sed 's/\x1b\[[0-9;]*m//g' "$logs/$name.log" | awk '
            / Test .* started\.$/ { t = $0; sub(/^.* Test /, "", t); sub(/ started\.$/, "", t); if (t != "run") open[t] = 1 }
            / Test .* (passed|failed|skipped)/ { t = $0; sub(/^.* Test /, "", t); sub(/ (passed|failed|skipped).*$/, "", t); delete open[t] }
            END { for (t in open) print "[" lane "]   " t }' lane="$name"
    fi
    return "$status"
}

started=$(date +%s)
run_lane a --filter "$lane_a" &
a=$!
# Lane b starts once lane a runs its tests: two `swift test` starting together fight over the
# build database ("database is locked", then "no tests found").
for _ in $(seq 120); do
    grep -q "Testing Library Version" "$logs/a.log" 2>/dev/null && break
    sleep 1
done
run_lane b --skip "$lane_a" &
b=$!
status_a=0 status_b=0
wait "$a" || status_a=$?
wait "$b" || status_b=$?
echo "test lanes: a (process, media) exit $status_a, b (the rest) exit $status_b; $(( $(date +%s) - started )) s"
rm -rf "$logs"
[ "$status_a" -eq 0 ] || exit "$status_a"
exit "$status_b"

#!/usr/bin/env bash
# The whole suite in two lanes at once, each serial (`--no-parallel`), over one build: the real-agent
# process tests and the media harness in one, every other test target in the other (about 19 and
# 18 minutes serially on a 2-core machine, session 18). Each line is prefixed with its lane; both
# lanes run to their end, and the exit status is the first failing lane's. Called by scripts/test.sh.
set -uo pipefail
cd "$(dirname "$0")/../.."

# Both `swift test` processes read the one build (`--skip-build`); SwiftPM's lock on .build would
# otherwise hold the second until the first ends.
lane_a='KuzetProcessTests|KuzetMediaTests'
swift build --build-tests >/dev/null || exit 1

run_lane() {  # name, swift test arguments…
    local name=$1
    shift
    swift test --skip-build --ignore-lock --no-parallel "$@" 2>&1 | sed -u "s/^/[$name] /"
    return "${PIPESTATUS[0]}"
}

started=$(date +%s)
run_lane a --filter "$lane_a" &
a=$!
run_lane b --skip "$lane_a" &
b=$!
status_a=0 status_b=0
wait "$a" || status_a=$?
wait "$b" || status_b=$?
echo "test lanes: a (process, media) exit $status_a, b (the rest) exit $status_b; $(( $(date +%s) - started )) s"
[ "$status_a" -eq 0 ] || exit "$status_a"
exit "$status_b"

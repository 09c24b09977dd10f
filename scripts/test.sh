#!/usr/bin/env bash
# Runs the whole test suite against real parts. Starts a throwaway PostgreSQL for the registry's
# store tests and stops it afterwards. Called by `make test` (and so by .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

# A throwaway PostgreSQL 15 (its own cluster in a temp dir, on a free loopback port); its watchdog
# removes it if this script is killed.
KUZET_TEST_POSTGRES_URL="$(scripts/testing/postgres.sh start --fast --watch-pid $$ | tail -n 1)"
export KUZET_TEST_POSTGRES_URL
trap 'scripts/testing/postgres.sh stop "$KUZET_TEST_POSTGRES_URL" >/dev/null 2>&1 || true' EXIT

# Formatting and Package.swift's dependencies first: seconds, and a failure needs no build.
scripts/lint.sh

swift build --build-tests

# The README's demo, as a new user runs it, checked in headless Chromium (about a minute).
scripts/testing/demo-check.sh
# A full recordings disk reaches the registry as DISK_PRESSURE (a tmpfs it mounts; about 20 s).
scripts/testing/disk-pressure-check.sh

# Each lane runs its tests one at a time: they start real servers, ffmpeg and browsers, and on a
# 2-core box running them all at once makes every timing bound meaningless. Two lanes run side by
# side, though: the machine was measured 70-80 % idle through a serial run (most tests wait on
# real time: segments, outages, uplink budgets), and the two halves take about as long each.
# Arguments (e.g. --filter X) run one lane of just those tests.
if [ "$#" -gt 0 ]; then
    swift test --no-parallel "$@"
else
    scripts/testing/test-lanes.sh
fi

# Every libFuzzer target briefly on its committed corpus (its own build in .build-fuzz; `make fuzz`
# runs them for 10 minutes each).
FUZZ_SECONDS="${FUZZ_SECONDS:-20}" scripts/fuzz.sh

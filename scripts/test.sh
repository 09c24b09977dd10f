#!/usr/bin/env bash
# Runs the whole test suite against real parts. Starts a throwaway PostgreSQL for the registry's
# store tests and stops it afterwards. Called by `make test` (and so by .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

cleanup() { [ -n "${stop_postgres:-}" ] && eval "$stop_postgres" || true; }
trap cleanup EXIT

if [ -x scripts/testing/postgres.sh ]; then
  # Prints `export KUZET_TEST_POSTGRES_URL=…` and `stop_postgres=…` lines.
  eval "$(scripts/testing/postgres.sh start)"
fi

swift build --build-tests
# Serially: the tests start real servers, ffmpeg and browsers; on a 2-core box running them all at
# once makes every timing bound meaningless.
swift test --no-parallel "$@"

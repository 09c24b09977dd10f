#!/usr/bin/env bash
# Registry benchmark (not a test): heartbeat ingest rate through the real server on SQLite and
# PostgreSQL beside a floor (same rows written straight into the database by a minimal program,
# measured in the same run), an open-loop fleet (1,000 schools on their own connections sending at
# a fixed rate), and report latency with 10,000 schools × 30 cameras.
# Targets (issue 5): ≥ 5,000 heartbeats/s on a 2-core machine; report p99 < 100 ms.
#
#   bench/registry-bench.sh [extra kuzet-registry-bench options, e.g. --heartbeats 10000 --batch 1,20]
#
# PostgreSQL: a throwaway server with default (durable) settings from scripts/testing/postgres.sh,
# or KUZET_BENCH_POSTGRES_URL if set.
set -euo pipefail
cd "$(dirname "$0")/.."

# KUZET_BENCH_CONFIGURATION=debug measures the debug build (slower; only when a release build is not at hand).
CONFIGURATION="${KUZET_BENCH_CONFIGURATION:-release}"
swift build -c "$CONFIGURATION" --product kuzet-registry-bench >&2
BIN="$(swift build -c "$CONFIGURATION" --show-bin-path)/kuzet-registry-bench"
echo "build: $CONFIGURATION"

URL="${KUZET_BENCH_POSTGRES_URL:-}"
STARTED=""
if [ -z "$URL" ]; then
    URL="$(scripts/testing/postgres.sh start --watch-pid $$)"
    STARTED="$URL"
fi
trap '[ -n "$STARTED" ] && scripts/testing/postgres.sh stop "$STARTED"' EXIT

"$BIN" --postgres "$URL" "$@"

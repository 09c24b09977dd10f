#!/bin/sh
# Outbox figures on this machine's disk (release build). Pass --folder DIR to measure another disk.
set -e
cd "$(dirname "$0")/.."
swift build -c release --product kuzet-uplink-bench >/dev/null
exec .build/release/kuzet-uplink-bench "$@"

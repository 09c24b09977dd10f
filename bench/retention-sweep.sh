#!/usr/bin/env bash
# Benchmark (not a test): retention over a synthetic store of 30 days × 32 cameras × 60 s segments
# (~1.4 M empty files) on a tmpfs it mounts (run as root). Prints cold-start scan time, the
# steady-state sweep time (targets: < 1 s, < 64 MB) and memory.
set -euo pipefail
cd "$(dirname "$0")/.."
CAMERAS="${CAMERAS:-32}" DAYS="${DAYS:-30}" SWEEPS="${SWEEPS:-20}"
swift build -c release --product kuzet-retention-bench
STORE="$(mktemp -d /tmp/kuzet-retention-bench.XXXXXX)"
mount -t tmpfs -o size=2g,nr_inodes=3m tmpfs "$STORE"
cleanup() { umount -l "$STORE" || true; rmdir "$STORE" || true; }
trap cleanup EXIT
.build/release/kuzet-retention-bench create "$STORE/recordings" "$CAMERAS" "$DAYS"
/usr/bin/time -f "measuring process: max RSS %M kB, %e s wall" .build/release/kuzet-retention-bench measure "$STORE/recordings" "$CAMERAS" "$DAYS" "$SWEEPS"

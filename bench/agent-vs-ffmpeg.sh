#!/bin/sh
# kuzet-agent vs one ffmpeg per camera (record fMP4 + push RTMP), 16/32/64 cameras of 1080p
# H.264 ~4 Mbit/s from the test camera server. Prints CPU (cores) and memory (PSS) side by side.
# Run by hand (`make bench`), not in CI: it takes a few minutes and loads the whole machine.
#   BENCH_HEALTH_INTERVAL=0 turns the agent's picture health off (default 60, the agent's default).
#   BENCH_COUNTS=16,32 BENCH_WINDOW=30 BENCH_WARMUP=20 AGENT=path/to/kuzet-agent bench/agent-vs-ffmpeg.sh [--only ffmpeg|agent] [--keep]
set -eu
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/agent_vs_ffmpeg.py "$@"

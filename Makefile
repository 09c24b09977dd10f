.PHONY: bench

# kuzet-agent vs ffmpeg (CPU, memory) at 16/32/64 cameras; by hand, not in CI.
bench:
	swift build -c release --product kuzet-agent
	bench/agent-vs-ffmpeg.sh

# Kuzet — the commands the README names. Each installs what it needs first (Debian 12, as root or with sudo).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build test demo deb bench

deps:
	$(SUDO) scripts/install-deps.sh

build: deps
	swift build

## test: every test, against real parts (RTSP cameras, nginx-rtmp, PostgreSQL, network namespaces)
test: deps
	scripts/test.sh

## demo: a registry and an agent with built-in demo cameras on this machine; prints the dashboard URL
demo: deps
	scripts/demo.sh

deb: deps
	deploy/debian/build-deb.sh

## bench: kuzet-agent vs ffmpeg (CPU, memory) at 16/32/64 cameras, retention sweep, relay fan-out; by hand, not in CI
bench: deps
	swift build -c release --product kuzet-agent
	bench/agent-vs-ffmpeg.sh

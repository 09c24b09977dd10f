# Kuzet — the commands the README names. Each installs what it needs first (Debian 12, as root or with sudo).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build test lint fuzz tsan demo deb test-package bench bench-agent bench-relay bench-retention bench-registry bench-uplink

deps:
	$(SUDO) scripts/install-deps.sh

build: deps
	swift build

## test: every test, against real parts (RTSP cameras, nginx-rtmp, PostgreSQL, network namespaces)
test: deps
	scripts/test.sh

## lint: swift-format (the toolchain's, `.swift-format`) and Package.swift against the imports;
## `scripts/lint.sh --fix` formats the tree
lint:
	scripts/lint.sh

## fuzz: each libFuzzer target in Fuzz/ in turn for FUZZ_SECONDS (default 600) on its committed
## corpus, printing execs, coverage and features; scripts/test.sh runs it with FUZZ_SECONDS=20
FUZZ_SECONDS ?= 600
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

## tsan: the media, relay, uplink, discovery, wire and wire-client suites under ThreadSanitizer (own scratch path)
# ThreadSanitizer does not see Synchronization.Mutex's lock on Linux (Swift 6.3): four threads appending to a
# Mutex<[Int]> inside withLock are reported as racing. A report whose two accesses are both inside the same
# Mutex's withLock is that; NSLock/NSCondition (pthread) are seen.
tsan: deps
	swift test --sanitize=thread --scratch-path .build-tsan --no-parallel \
		--filter 'KuzetMediaTests|KuzetRelayTests|KuzetUplinkTests|KuzetDiscoveryTests|KuzetWireTests|KuzetWireClientsTests'

## demo: a registry and an agent with built-in demo cameras on this machine; prints the dashboard URL
demo: deps
	scripts/demo.sh

## deb: dist/kuzet-agent_*.deb and dist/kuzet-registry_*.deb from debian/ (dpkg-buildpackage -b,
## release build with the Swift runtime linked in), checked by lintian; VERSION=… to set the version
deb: deps
	deploy/debian/build-deb.sh $(VERSION)

## test-package: those packages installed into a Debian 12 booted under systemd-nspawn (root):
## start, kill -9, configuration error, upgrade, remove, purge; not in CI (see README)
test-package: deb
	scripts/testing/package-test.sh $(VERSION)

## bench: every benchmark, by hand, not in CI; each prints its figures (see bench/README.md)
bench: bench-agent bench-relay bench-retention bench-registry bench-uplink

## bench-agent: kuzet-agent vs one ffmpeg per camera (CPU, PSS) at 16/32/64 cameras, record + push
bench-agent: deps
	swift build -c release --product kuzet-agent
	bench/agent-vs-ffmpeg.sh
	bench/sha256-floor.sh

## bench-relay: 16 cameras × 4 relay clients, kuzet-agent vs one ffmpeg per client
bench-relay: deps
	swift build -c release --product kuzet-agent
	/usr/bin/python3 bench/relay-fanout.py --agent .build/release/kuzet-agent

## bench-retention: sweep and cold scan over a synthetic 1.4 M-file store (tmpfs, root)
bench-retention: deps
	bench/retention-sweep.sh

## bench-registry: heartbeat ingest on SQLite and PostgreSQL beside a direct-to-database floor; report latency
bench-registry: deps
	bench/registry-bench.sh

## bench-uplink: outbox append (fsync) and recovery figures
bench-uplink: deps
	bench/uplink-bench.sh

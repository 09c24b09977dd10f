#!/bin/sh
# The floor under issue 21's hashing cost: SHA-256's speed on this machine with the BoringSSL the
# agent links (swift-crypto's), in a tight C loop. Needs the release build (make bench-agent does it).
# Usage: bench/sha256-floor.sh [MB/s of footage, default 13.6 = the 32-camera bench]
set -eu
cd "$(dirname "$0")/.."
objects=.build/release/CCryptoBoringSSL.build
[ -d "$objects" ] || swift build -c release --product kuzet-agent >/dev/null
out="${TMPDIR:-/tmp}/kuzet-sha256-floor"
# bcm.cc is C++: link with the C++ driver.
c++ -O2 -x c bench/sha256_floor.c -x none $(find "$objects" -name '*.o') -o "$out" -lpthread
"$out" "${1:-13.6}"

#!/usr/bin/env bash
# Builds dist/kuzet_<version>_<arch>.deb: both executables (release, static Swift stdlib),
# systemd units, sample configuration and docs. Usage: deploy/debian/build-deb.sh [VERSION]
set -euo pipefail
cd "$(dirname "$0")/../.."
version="${1:-$(git describe --tags --always 2>/dev/null | sed 's/^v//;s/-/+/g' || echo 0.1.0)}"
[[ "$version" =~ ^[0-9] ]] || version="0.1.0+$version"
arch="$(dpkg --print-architecture)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

swift build -c release --static-swift-stdlib --product kuzet-agent
swift build -c release --static-swift-stdlib --product kuzet-registry
bin="$(swift build -c release --show-bin-path)"

install -D -m 0755 "$bin/kuzet-agent" "$stage/usr/bin/kuzet-agent"
install -D -m 0755 "$bin/kuzet-registry" "$stage/usr/bin/kuzet-registry"
install -D -m 0644 deploy/systemd/kuzet-agent.service "$stage/lib/systemd/system/kuzet-agent.service"
install -D -m 0644 deploy/systemd/kuzet-registry.service "$stage/lib/systemd/system/kuzet-registry.service"
install -D -m 0640 deploy/config/agent.yaml "$stage/etc/kuzet/agent.yaml"
install -D -m 0640 deploy/config/registry.env "$stage/etc/kuzet/registry.env"
for doc in docs/*.md docs/registry-api.yaml README.md; do
  [ -f "$doc" ] && install -D -m 0644 "$doc" "$stage/usr/share/doc/kuzet/$(basename "$doc")"
done

mkdir -p "$stage/DEBIAN"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: kuzet
Version: $version
Architecture: $arch
Maintainer: Kuzet <kuzet@localhost>
Depends: libavformat59, libavcodec59, libavutil57, libswscale6, libcurl4, libsqlite3-0, adduser
Section: video
Priority: optional
Description: School CCTV to police operational control centres (ЦОУ)
 kuzet-agent records a school's cameras with a 30-day rolling retention, pushes key
 cameras live to the ЦОУ, relays the rest on demand and reports to the registry.
 kuzet-registry is the central service that shows which schools are online,
 delivering and keeping 30 days of footage.
CONTROL
echo "/etc/kuzet/agent.yaml" > "$stage/DEBIAN/conffiles"
echo "/etc/kuzet/registry.env" >> "$stage/DEBIAN/conffiles"
cat > "$stage/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  getent group kuzet >/dev/null || addgroup --system kuzet
  getent passwd kuzet >/dev/null || adduser --system --ingroup kuzet --home /var/lib/kuzet --no-create-home kuzet
  getent group kuzet-registry >/dev/null || addgroup --system kuzet-registry
  getent passwd kuzet-registry >/dev/null || adduser --system --ingroup kuzet-registry --home /var/lib/kuzet-registry --no-create-home kuzet-registry
  install -d -o kuzet -g kuzet -m 0750 /var/lib/kuzet /var/lib/kuzet/recordings /var/lib/kuzet/outbox
  chgrp kuzet /etc/kuzet/agent.yaml || true
  chgrp kuzet-registry /etc/kuzet/registry.env || true
  if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
fi
POSTINST
chmod 0755 "$stage/DEBIAN/postinst"

mkdir -p dist
dpkg-deb --root-owner-group --build "$stage" "dist/kuzet_${version}_${arch}.deb"
echo "dist/kuzet_${version}_${arch}.deb"
